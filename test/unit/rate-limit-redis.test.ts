// The Redis rate-limit store: fixed windows counted atomically on the server and shared by every client,
// keys kept apart by prefix, and a limiter that lets requests through (and says so) while Redis is away.
import { createServer, type Server } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../service/logger.js';
import { RedisRateLimitStore } from '../../service/rate-limit-redis.js';
import { rateLimit, RATE_LIMIT_CONTEXT } from '../../service/rate-limit.js';
import { errorHandler } from '../../service/errors.js';
import { requireRedis, skipWithoutRedis, TEST_REDIS_URL, testKeyPrefix } from '../helpers/redis.js';

const stores: RedisRateLimitStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function store(keyPrefix: string, url = TEST_REDIS_URL, extra: Partial<ConstructorParameters<typeof RedisRateLimitStore>[0]> = {}) {
  const s = new RedisRateLimitStore({ url, keyPrefix, ...extra });
  stores.push(s);
  return s;
}

/** An app with one limiter of 3 per window over `s`. */
function limitedApp(s: RedisRateLimitStore, lines: string[] = []) {
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
  const app = express();
  app.locals[RATE_LIMIT_CONTEXT] = { enabled: true, store: s };
  app.use((req, _res, next) => {
    req.log = logger;
    next();
  });
  app.get('/x', rateLimit({ name: 'x', limit: 3, windowMs: 60_000, key: () => 'one-ip' }), (_req, res) => void res.json({ ok: true }));
  app.use(errorHandler(logger));
  return app;
}

describe.skipIf(skipWithoutRedis)('RedisRateLimitStore', () => {
  beforeAll(() => requireRedis());

  it('counts hits in one window and opens a new one after it ends', async () => {
    const s = store(testKeyPrefix('window'));
    await s.ready();
    const t0 = Date.now();
    const first = await s.hit('k', 300);
    expect(first.count).toBe(1);
    expect(first.resetAt).toBeGreaterThan(t0);
    expect(first.resetAt).toBeLessThanOrEqual(Date.now() + 300);
    expect((await s.hit('k', 300)).count).toBe(2);
    expect((await s.hit('other', 300)).count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await s.hit('k', 300)).count).toBe(1);
  });

  it('is atomic across clients: 200 concurrent hits from two connections count to exactly 200', async () => {
    const prefix = testKeyPrefix('atomic');
    const a = store(prefix);
    const b = store(prefix);
    await Promise.all([a.ready(), b.ready()]);
    const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).hit('shared', 60_000)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Every hit of one window reports the same end (within the clocks' skew between the two calls).
    const ends = counts.map((c) => c.resetAt);
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThan(1_000);
  });

  it('keeps prefixes apart', async () => {
    const a = store(testKeyPrefix('a'));
    const b = store(testKeyPrefix('b'));
    await Promise.all([a.ready(), b.ready()]);
    await a.hit('k', 60_000);
    await a.hit('k', 60_000);
    expect((await b.hit('k', 60_000)).count).toBe(1);
  });

  it('limits through the middleware: the 4th request of a window is 429 RATE_LIMITED with Retry-After', async () => {
    const s = store(testKeyPrefix('mw'));
    await s.ready();
    const app = limitedApp(s);
    for (let i = 0; i < 3; i++) await request(app).get('/x').expect(200);
    const res = await request(app).get('/x').expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('RedisRateLimitStore without Redis', () => {
  let closedPort: number;
  beforeAll(async () => {
    // A port that was just free: nothing listens there.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails at once, so the limiter lets every request through and logs why', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    const s = store(testKeyPrefix('down'), `redis://127.0.0.1:${closedPort}`, { logger });
    const started = Date.now();
    await expect(s.hit('k', 60_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
    const app = limitedApp(s, lines);
    for (let i = 0; i < 6; i++) await request(app).get('/x').expect(200);
    const messages = lines.map((l) => JSON.parse(l).msg);
    expect(messages).toContain('rate-limit store failed; request let through');
    await expect.poll(() => lines.map((l) => JSON.parse(l).msg)).toContain('rate limits: Redis unreachable; requests let through until it is back');
  });

  it.skipIf(skipWithoutRedis)('reconnects when Redis comes back (a proxy that opens late), and counts again', async () => {
    // A TCP proxy to the real Redis that refuses connections until `open`.
    const { hostname, port } = new URL(TEST_REDIS_URL);
    const net = await import('node:net');
    let open = false;
    const proxy = net.createServer((client) => {
      if (!open) return client.destroy();
      const upstream = net.connect(Number(port || 6379), hostname);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const lines: string[] = [];
      const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
      const s = store(testKeyPrefix('reconnect'), `redis://127.0.0.1:${(proxy.address() as { port: number }).port}`, { logger });
      await expect(s.hit('k', 60_000)).rejects.toThrow();
      const messages = () => lines.map((l) => JSON.parse(l).msg);
      await expect.poll(messages).toContain('rate limits: Redis unreachable; requests let through until it is back');
      open = true;
      await expect.poll(async () => (await s.hit('k', 60_000).catch(() => ({ count: 0 }))).count, { timeout: 10_000, interval: 100 }).toBeGreaterThan(0);
      expect(messages()).toContain('rate limits: Redis reachable again; counters shared');
    } finally {
      proxy.close();
    }
  });
});
