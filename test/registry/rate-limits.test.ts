// The registry's per-IP limits with RATE_LIMITS=on, on both engines: 60/min on each status lookup
// (seeds 001, 002), 10/hour on resync (seed 000), 10/min on register (this project's choice).
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, type TestAgent } from './harness.js';

describeEachEngine('registry: rate limits', (ctx) => {
  let reg: TestRegistry;
  let agent: TestAgent;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db, { RATE_LIMITS: 'on' });
    agent = await reg.ready('limited');
  });
  afterAll(() => reg.close());

  it('GET /status/:hash: 60 per minute per IP, then 429 RATE_LIMITED with Retry-After', async () => {
    for (let i = 0; i < 60; i++) await reg.status(agent.hash).expect(200);
    const res = await reg.status(agent.hash);
    expect(expectError(res, 429, 'RATE_LIMITED').retry_after_ms).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Counted per route: beat-status has its own 60.
    await reg.beatStatus(agent.hash).expect(200);
  });

  it('GET /agent/beat-status/:hash: 60 per minute per IP', async () => {
    for (let i = 0; i < 59; i++) await reg.beatStatus(agent.hash).expect(200);
    expectError(await reg.beatStatus(agent.hash), 429, 'RATE_LIMITED');
  });

  it('POST /agent/resync: 10 per hour per IP', async () => {
    for (let i = 0; i < 10; i++) expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 409, 'AGENT_WRONG_STATE');
    const res = await reg.post(agent, '/api/v1/agent/resync', {});
    expect(expectError(res, 429, 'RATE_LIMITED').retry_after_ms).toBeGreaterThan(59 * 60_000);
  });

  it('POST /register: 10 per minute per IP', async () => {
    // One registration was made in beforeAll.
    for (let i = 0; i < 9; i++) await request(reg.app).post('/api/v1/register').send({ name: `r${i}` }).expect(201);
    expectError(await request(reg.app).post('/api/v1/register').send({ name: 'one-too-many' }), 429, 'RATE_LIMITED');
  });
});
