// Bad input of every kind against the Beats routes, on both engines: wrong types, missing
// fields, huge numbers, long arrays, wrong content types, invalid JSON, oversized bodies —
// always a 4xx with a code, never a 500, and the process keeps serving.
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import { poolEngine } from '../../prover-wasm/src/engines.js';
import { createApp } from '../../service/app.js';
import { WorkProofService } from '../../service/work-proof/work-proof-service.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';

const POSTS = ['/api/v1/beat/work-proof', '/api/v1/beat/verify', '/api/v1/beat/timestamp'];

/** JSON values of every shape, with the protocol's field names salted in. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e300, -1e300, 2 ** 53, 1.5, '', 'ab'.repeat(32), 'AB'.repeat(32), '0x' + 'ab'.repeat(32)),
    fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.constantFrom('version', 'mode', 'subject', 'from_hash', 'to_hash', 'beats_computed', 'difficulty', 'anchor_index', 'anchor_hash', 'k', 'challenge_work', 'merkle_root', 'spot_checks', 'beats', 'index', 'hash', 'prev', 'prev_path', 'hash_path', 'nonce', 'work_proof', 'beat', 'x'), tie('value'), { maxKeys: 8 }),
  ),
})).value;

describeEachEngine('Beats routes under bad input', (ctx) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(ctx.db);
  });
  afterAll(() => svc.close());

  function expectClientError(res: request.Response, label: string) {
    expect(res.status, `${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toBeLessThan(500);
    if (res.status >= 400) expect(typeof res.body.code, label).toBe('string');
  }

  it('400 cases of random JSON bodies on every POST route: never a 5xx', async () => {
    const bodies = fc.sample(fc.oneof(jsonish, fc.record({ work_proof: jsonish }), fc.record({ work_proof: fc.record({ version: fc.constant(2), mode: fc.constantFrom('sampled', 'full', 'x'), spot_checks: jsonish, beats: jsonish }) })), { numRuns: 400, seed: 3 });
    for (const [i, body] of bodies.entries()) {
      const path = POSTS[i % POSTS.length];
      const res = await request(svc.app).post(path).set('content-type', 'application/json').send(JSON.stringify(body));
      expectClientError(res, `${path} ${JSON.stringify(body).slice(0, 120)}`);
    }
  });

  it.each([
    ['invalid JSON', '{"work_proof":', 'application/json', 400, 'INVALID_JSON'],
    ['wrong content type', 'from_hash=1', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['text/plain JSON', '{}', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a JSON array', '[1,2,3]', 'application/json', 400, 'VALIDATION'],
    ['a bare JSON string (strict JSON bodies are objects or arrays)', '"proof"', 'application/json', 400, 'INVALID_JSON'],
    ['unknown version', '{"work_proof":{"version":3}}', 'application/json', 400, 'VALIDATION'],
    ['work_proof not an object', '{"work_proof":[]}', 'application/json', 400, 'VALIDATION'],
  ])('%s → %s %s', async (_label, body, type, status, code) => {
    const res = await request(svc.app).post('/api/v1/beat/work-proof').set('content-type', type).send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it('an oversized body → 413 PAYLOAD_TOO_LARGE; a long array within the limit → 400 naming the field', async () => {
    const big = JSON.stringify({ work_proof: { version: 2, beats: Array.from({ length: 100_000 }, () => 'ab'.repeat(32)) } });
    const res = await request(svc.app).post('/api/v1/beat/work-proof').set('content-type', 'application/json').send(big);
    expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const long = { work_proof: { version: 2, mode: 'sampled', spot_checks: Array.from({ length: 3000 }, () => 0) } };
    const res2 = await request(svc.app).post('/api/v1/beat/work-proof').send(long);
    expect(res2.status).toBe(400);
    expect(res2.body.code).toBe('VALIDATION');
  });

  it('timestamp: a body over 256 bytes is 413, a bad hash 400 naming the field', async () => {
    expect((await request(svc.app).post('/api/v1/beat/timestamp').send({ hash: 'ab'.repeat(32), pad: 'x'.repeat(300) })).status).toBe(413);
    const res = await request(svc.app).post('/api/v1/beat/timestamp').send({ hash: 'AB'.repeat(32) });
    expect([res.status, res.body.code, res.body.field]).toEqual([400, 'VALIDATION', 'hash']);
  });

  it('anchor by index: huge, negative, fractional and non-numeric indices are 400, unknown ones 404', async () => {
    for (const index of ['-1', '1.5', 'abc', '1e400', '99999999999999999999', '%00']) {
      const res = await request(svc.app).get(`/api/v1/beat/anchor/${index}`);
      expectClientError(res, index);
      expect(res.status, index).toBe(400);
    }
    const unknown = await request(svc.app).get('/api/v1/beat/anchor/9007199254740991');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'ANCHOR_NOT_FOUND']);
  });

  it('after all of it the service still answers', async () => {
    expect((await request(svc.app).get('/api/health')).status).toBe(200);
  });
});

describeEachEngine('Beats back-pressure and limits', (ctx) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(ctx.db, { RATE_LIMITS: 'on' });
  });
  afterAll(() => svc.close());

  it('when the prover queue is full the service answers 503 OVERLOADED with Retry-After, not an unbounded queue', async () => {
    const pool = new ProverPool({ threads: 1, maxQueue: 1 });
    try {
      const workProof = new WorkProofService({ engine: poolEngine(pool), anchors: svc.services.anchors, signer: undefined as never });
      const app = createApp({ config: { ...svc.config, rateLimits: false }, logger: (await import('../../service/logger.js')).createLogger({ logLevel: 'silent' }), services: { ...svc.services, workProof } });
      const anchor = (await request(app).get('/api/v1/beat/anchor')).body.anchor;
      const beat = { prev: 'ab'.repeat(32), index: 1, difficulty: 5000, anchor_hash: anchor.hash, hash: 'cd'.repeat(32) };
      const proof = { from_hash: beat.prev, to_hash: beat.hash, beats_computed: 25, difficulty: 5000, anchor_index: anchor.beat_index, anchor_hash: anchor.hash, spot_checks: Array.from({ length: 25 }, (_, i) => ({ index: i + 1, prev: 'ab'.repeat(32), hash: i === 24 ? beat.hash : 'ef'.repeat(32) })) };
      proof.spot_checks[0].prev = beat.prev;
      const responses = await Promise.all(Array.from({ length: 8 }, () => request(app).post('/api/v1/beat/verify').send({ work_proof: proof })));
      const overloaded = responses.filter((r) => r.status === 503);
      expect(overloaded.length).toBeGreaterThan(0);
      for (const r of overloaded) {
        expect(r.body.code).toBe('OVERLOADED');
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      for (const r of responses.filter((x) => x.status !== 503)) expect(r.body).toMatchObject({ valid: false, reason: 'spot_check_failed' });
    } finally {
      await pool.close();
    }
  });

  it("POST /work-proof allows the peer's 10 per minute per IP, then 429 RATE_LIMITED with Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await request(svc.app).post('/api/v1/beat/work-proof').send({})).status);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    const limited = await request(svc.app).post('/api/v1/beat/work-proof').send({});
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
