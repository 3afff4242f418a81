// Rate limits shared through Redis: with RATE_LIMITS=on and one REDIS_URL, the peer's 10 per minute on
// POST /work-proof holds for two processes together; a process whose Redis is away lets requests through
// and says so in its log.
import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, skipWithoutRedis, TEST_REDIS_URL, testKeyPrefix } from '../helpers/redis.js';
import { api, Cluster, createTestDatabase, postgresUnavailable, skipWithoutPostgres, sleep } from './cluster.js';

/** REDIS_URL with a key prefix of its own (ioredis reads `keyPrefix` from the query). */
function redisUrlWithPrefix(prefix: string): string {
  const url = new URL(TEST_REDIS_URL);
  url.searchParams.set('keyPrefix', prefix);
  return url.toString();
}

describe.skipIf(skipWithoutRedis || skipWithoutPostgres)('rate limits shared by two processes through Redis', () => {
  let cluster: Cluster;
  beforeAll(() => {
    requireRedis();
    if (postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
  });
  afterEach(() => cluster.dispose());

  it('10 per minute per IP on /work-proof, counted across both instances', async () => {
    const db = await createTestDatabase('ratelimit');
    cluster = new Cluster({ DATABASE_URL: db.url, RATE_LIMITS: 'on', REDIS_URL: redisUrlWithPrefix(testKeyPrefix('shared')) });
    cluster.onDispose(db.drop);
    const a = await cluster.start('a');
    const b = await cluster.start('b');
    const answers = [];
    for (let i = 0; i < 16; i++) answers.push(await api(i % 2 ? b.url : a.url, 'POST', '/api/v1/beat/work-proof', { body: {} }));
    expect(answers.map((r) => r.status)).toEqual([...Array(10).fill(400), ...Array(6).fill(429)]);
    for (const limited of answers.slice(10)) {
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Other limits keep their own counters.
    expect((await api(b.url, 'POST', '/api/v1/beat/verify', { body: {} })).status).toBe(400);
  });

  it('without Redis an instance lets requests through, logs it, and keeps serving', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    cluster = new Cluster({ RATE_LIMITS: 'on', REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    const alone = await cluster.start('alone');
    const answers = [];
    for (let i = 0; i < 15; i++) answers.push((await api(alone.url, 'POST', '/api/v1/beat/work-proof', { body: {} })).status);
    expect(answers).toEqual(Array(15).fill(400));
    await sleep(100);
    const messages = alone.messages().map((m) => m.msg);
    expect(messages).toContain('rate-limit store failed; request let through');
    expect(messages).toContain('rate limits: Redis unreachable; requests let through until it is back');
    expect((await api(alone.url, 'GET', '/api/health')).status).toBe(200);
  });
});
