// The foundation every route stands on: error rendering, body checks, CORS, ids, health, rate limits.
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, statusOf, type ErrorCode } from '../../shared/error-codes.js';
import { createApp } from '../../service/app.js';
import { loadConfig, type EnvInput } from '../../service/config.js';
import { AppError } from '../../service/errors.js';
import { parseBody, parseParams } from '../../service/http-schema.js';
import { createLogger, redactSecrets, REDACTED } from '../../service/logger.js';
import { clientIp, MemoryRateLimitStore, rateLimit } from '../../service/rate-limit.js';

const SECRET_MESSAGE = 'db password hunter2 at /srv/beats/store.ts:42';

const EchoBody = z.object({ name: z.string(), nested: z.object({ n: z.number().int() }) }).strict();

/** Routes that exercise the foundation, mounted through deps.routers like real ones. */
function testRouter(): express.Router {
  const router = express.Router();
  router.get('/app-error', () => {
    throw new AppError('RATE_LIMITED', 'slow down', { retry_after_ms: 1500, scope: 'test' });
  });
  router.get('/code/:code', (req) => {
    throw new AppError(req.params.code as ErrorCode);
  });
  router.get('/boom', () => {
    throw new Error(SECRET_MESSAGE);
  });
  router.get('/boom-async', async () => {
    await Promise.resolve();
    throw new Error(SECRET_MESSAGE);
  });
  router.post('/echo', (req, res) => {
    res.json(parseBody(EchoBody, req));
  });
  router.get('/param/:id', (req, res) => {
    res.json(parseParams(z.object({ id: z.string().regex(/^[0-9]+$/) }), req));
  });
  router.get('/limited', rateLimit({ name: 'test', limit: 3, windowMs: 60_000, key: clientIp }), (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}

/** A beats-like router, to see CORS on /api/v1/beat/*. */
function beatRouter(): express.Router {
  const router = express.Router();
  router.get('/ping', (_req, res) => {
    res.json({ pong: true });
  });
  router.post('/ping', (req, res) => {
    res.json(req.body);
  });
  return router;
}

/** An app with silent-by-default logs captured in `lines`. */
function makeApp(env: EnvInput = {}) {
  const config = loadConfig({ LOG_LEVEL: 'info', ...env });
  const lines: string[] = [];
  const logger = createLogger(config, { write: (line: string) => void lines.push(line) });
  const app = createApp({
    config,
    logger,
    routers: [
      { path: '/test', router: testRouter() },
      { path: '/api/v1/beat', router: beatRouter() },
    ],
  });
  return { app, lines };
}

describe('health', () => {
  it('GET /api/health answers ok, version and uptime', async () => {
    const res = await request(makeApp().app).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, version: expect.any(String), uptime_s: expect.any(Number) });
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('another method on /api/health is 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const res = await request(makeApp().app).delete('/api/health');
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toContain('GET');
  });
});

describe('error rendering', () => {
  it('an unknown route is 404 NOT_FOUND', async () => {
    const res = await request(makeApp().app).get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: expect.any(String), code: 'NOT_FOUND' });
  });

  it('every code in the table renders with its status', async () => {
    const { app } = makeApp();
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const res = await request(app).get(`/test/code/${code}`);
      expect(res.status, code).toBe(statusOf(code));
      expect(res.body, code).toEqual({ error: expect.any(String), code });
    }
  });

  it('an AppError renders its details and Retry-After (seconds, rounded up)', async () => {
    const res = await request(makeApp().app).get('/test/app-error');
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: 1500, scope: 'test' });
    expect(res.body.error).toEqual(expect.any(String));
    expect(res.headers['retry-after']).toBe('2');
  });

  it('details cannot override error or code', () => {
    const body = new AppError('VALIDATION', 'm', { code: 'INTERNAL', error: 'x' }).toBody();
    expect(body.code).toBe('VALIDATION');
    expect(body.error).toBe('m');
  });

  it.each(['/test/boom', '/test/boom-async'])('a plain Error on %s is 500 INTERNAL with no internals, logged', async (path) => {
    const { app, lines } = makeApp();
    const res = await request(app).get(path);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: expect.any(String), code: 'INTERNAL' });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('store.ts');
    expect(lines.join('')).toContain('hunter2');
  });

  it('a malformed %-escape in a path param is 400 VALIDATION, not 500', async () => {
    const res = await request(makeApp().app).get('/test/param/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });
});

describe('request bodies', () => {
  it('a valid JSON body reaches the route parsed', async () => {
    const body = { name: 'a', nested: { n: 1 } };
    const res = await request(makeApp().app).post('/test/echo').send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(body);
  });

  it('invalid JSON is 400 INVALID_JSON', async () => {
    const res = await request(makeApp().app)
      .post('/test/echo')
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_JSON');
  });

  it('a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(makeApp().app).post('/test/echo').set('Content-Type', 'text/plain').send('{"name":"a"}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a form body is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(makeApp().app).post('/test/echo').type('form').send({ name: 'a' });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unsupported JSON charset is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(makeApp().app)
      .post('/test/echo')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"name":"a"}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over BODY_LIMIT_BYTES is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(makeApp({ BODY_LIMIT_BYTES: '1024' }).app)
      .post('/test/echo')
      .send({ name: 'x'.repeat(2000), nested: { n: 1 } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a schema failure is 400 VALIDATION naming the dotted field', async () => {
    const res = await request(makeApp().app).post('/test/echo').send({ name: 'a', nested: { n: 1.5 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION', field: 'nested.n' });
  });

  it('an unknown key is named as the field', async () => {
    const res = await request(makeApp().app).post('/test/echo').send({ name: 'a', nested: { n: 1 }, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION', field: 'extra' });
  });

  it('a missing body is 400 VALIDATION on field "body"', async () => {
    const res = await request(makeApp().app).post('/test/echo');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION', field: 'body' });
  });

  it('a bad route param is 400 VALIDATION naming it', async () => {
    const res = await request(makeApp().app).get('/test/param/abc');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION', field: 'id' });
  });
});

describe('CORS', () => {
  it('public beats routes carry the peer CORS headers', async () => {
    const res = await request(makeApp().app).get('/api/v1/beat/ping');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type, Authorization');
  });

  it('OPTIONS on a beats route is 204 with CORS headers', async () => {
    const res = await request(makeApp().app).options('/api/v1/beat/ping');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
  });

  it('error answers on beats routes carry CORS too (browsers can read them)', async () => {
    const res = await request(makeApp().app).post('/api/v1/beat/ping').set('Content-Type', 'text/plain').send('x');
    expect(res.status).toBe(415);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('/api/health carries CORS', async () => {
    const res = await request(makeApp().app).get('/api/health');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([
    ['GET', '/test/param/1'],
    ['OPTIONS', '/test/echo'],
    ['GET', '/api/v1/register'],
    ['GET', '/api/v1/beatx'],
  ])('%s %s has no CORS headers', async (method, path) => {
    const res = await request(makeApp().app)[method.toLowerCase() as 'get' | 'options'](path);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('request ids', () => {
  it('a safe x-request-id is echoed', async () => {
    const res = await request(makeApp().app).get('/api/health').set('x-request-id', 'abc-123.X_y:z');
    expect(res.headers['x-request-id']).toBe('abc-123.X_y:z');
  });

  it.each(['has spaces', 'x'.repeat(65), '<script>'])('an unsafe x-request-id %j is replaced', async (id) => {
    const res = await request(makeApp().app).get('/api/health').set('x-request-id', id);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a request without one gets a generated id, also on errors, and it is logged', async () => {
    const { app, lines } = makeApp();
    const res = await request(app).get('/no/such/route');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => JSON.parse(l).req_id === id)).toBe(true);
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After after the limit', async () => {
    const { app } = makeApp();
    for (let i = 0; i < 3; i++) expect((await request(app).get('/test/limited')).status).toBe(200);
    const res = await request(app).get('/test/limited');
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
    expect(res.body.retry_after_ms).toBeGreaterThan(0);
    expect(res.body.retry_after_ms).toBeLessThanOrEqual(60_000);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('is disabled when RATE_LIMITS=off', async () => {
    const { app } = makeApp({ RATE_LIMITS: 'off' });
    for (let i = 0; i < 10; i++) expect((await request(app).get('/test/limited')).status).toBe(200);
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is off', async () => {
    const { app } = makeApp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await request(app).get('/test/limited').set('X-Forwarded-For', `203.0.113.${i}`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('counts the forwarded client when the proxy is trusted', async () => {
    const { app } = makeApp({ TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 4; i++) {
      const res = await request(app).get('/test/limited').set('X-Forwarded-For', `203.0.113.${i}`);
      expect(res.status).toBe(200);
    }
  });

  it('the memory store opens a new window after the old one ends and stays bounded', async () => {
    let now = 1_000;
    const store = new MemoryRateLimitStore({ maxEntries: 10, now: () => now });
    expect(await store.hit('a', 100)).toEqual({ count: 1, resetAt: 1_100 });
    expect(await store.hit('a', 100)).toEqual({ count: 2, resetAt: 1_100 });
    now = 1_100;
    expect(await store.hit('a', 100)).toEqual({ count: 1, resetAt: 1_200 });
    for (let i = 0; i < 100; i++) await store.hit(`k${i}`, 1_000);
    expect(store.size).toBeLessThanOrEqual(10);
  });

  it('fails open when the store throws', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const router = express.Router();
    const broken = { hit: () => Promise.reject(new Error('redis down')) };
    router.get('/x', rateLimit({ name: 'x', limit: 1, windowMs: 1000, key: clientIp, store: broken }), (_q, res) => {
      res.json({ ok: true });
    });
    const app = createApp({ config, logger: createLogger(config), routers: [{ path: '/t', router }] });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/t/x')).status).toBe(200);
  });
});

describe('logging', () => {
  it('redacts secrets by key name, anywhere in a logged object', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (l: string) => void lines.push(l) });
    logger.info(
      {
        headers: { authorization: 'Bearer pvn_AAA', 'x-registration-secret': 'REGSECRET', cookie: 'sid=COOKIE' },
        config: { beatsSigningSeed: 'SEEDVALUE', BEATS_SIGNING_SEED: 'SEEDVALUE2' },
        agents: [{ apiKey: 'KEY1', api_key: 'KEY2', name: 'visible' }],
      },
      'hello',
    );
    const text = lines.join('');
    for (const secret of ['pvn_AAA', 'REGSECRET', 'COOKIE', 'SEEDVALUE', 'KEY1', 'KEY2']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('visible');
    expect(text).toContain(REDACTED);
  });

  it('redaction leaves its input untouched', () => {
    const input = { seed: 'x', inner: { ok: 1 } };
    expect(redactSecrets(input)).toEqual({ seed: REDACTED, inner: { ok: 1 } });
    expect(input.seed).toBe('x');
  });
});
