// The per-agent limits of spawn (seed 004: 5/hour) and sponsorship (seed 003: POST 10/hour, DELETE
// and GET 60/min each) with RATE_LIMITS=on, on both engines. Spawn counts, per parent hash, only the
// calls that issue an authorization: probes answered 402 and finalize calls are free, and a call
// refused by the limit spends nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import request from 'supertest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, testWallet, type TestAgent } from './harness.js';

describeEachEngine('registry: spawn and sponsorship rate limits', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db, { RATE_LIMITS: 'on' });
  });
  afterAll(() => reg.close());

  const available = async (agent: TestAgent) => (await reg.status(agent.hash)).body.beat_state.available_beats as number;

  it('POST /agent/spawn: 5 authorizations per hour per parent, then 429 RATE_LIMITED; 402 probes and finalizes are not counted', async () => {
    const parent = await reg.ready('prolific', { withSigil: false });
    const other = await reg.ready('other-parent', { withSigil: false });
    // Probes answered 402 issue nothing and count nothing.
    for (let i = 0; i < 8; i++) expectError(await reg.spawn(parent, { child_name: `probe-${i}` }), 402, 'RECEIPT_REQUIRED');

    await reg.setChain(parent, { available_beats: 100_000 });
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await reg.spawn(parent, { child_name: `k${i}` }).expect(200)).body.spawn_authorization);
    const before = await available(parent);
    const limited = expectError(await reg.spawn(parent, { child_name: 'k5' }), 429, 'RATE_LIMITED');
    expect(limited.retry_after_ms).toBeGreaterThan(59 * 60_000);
    // Refused by the limit: nothing was spent, nothing issued.
    expect(await available(parent)).toBe(before);
    expect(await reg.svc.services.db.query('SELECT id FROM spawn_authorizations WHERE parent_hash = $1', [parent.hash])).toHaveLength(5);
    // A receipt-paid call is limited too, and its receipt stays unspent.
    const receipt = await reg.receipt(parent.hash, 5000);
    expectError(await reg.spawn(parent, { child_name: 'k6', beats_receipt: receipt }), 429, 'RATE_LIMITED');
    expect(await reg.svc.services.db.query('SELECT receipt_id FROM consumed_receipts WHERE agent_hash = $1', [parent.hash])).toEqual([]);

    // Registering and finalizing the five still works (finalize is not counted).
    const child = await reg.registerChild(parent, 'k0', tokens[0]);
    await reg.spawn(parent, { child_name: 'k0', child_hash: child.hash }).expect(200);
    // Keyed by the parent: another parent is not limited.
    await reg.setChain(other, { available_beats: 100_000 });
    await reg.spawn(other, { child_name: 'free' }).expect(200);
  });

  it('POST /agent/sponsor: 10 per hour per agent', async () => {
    const parent = await reg.ready('sponsor-poster', { withSigil: false });
    await reg.linkWallet(parent, testWallet(60));
    await reg.setChain(parent, { available_beats: 1000 });
    const kid = await reg.registerChild(parent, 'kid', (await reg.spawn(parent, { child_name: 'kid' }).expect(200)).body.spawn_authorization);
    for (let i = 1; i <= 10; i++) await reg.post(parent, '/api/v1/agent/sponsor', { child_hash: kid.hash, max_heartbeats_epoch: i }).expect(200);
    const res = await reg.post(parent, '/api/v1/agent/sponsor', { child_hash: kid.hash });
    expect(expectError(res, 429, 'RATE_LIMITED').retry_after_ms).toBeGreaterThan(59 * 60_000);
    // Per agent: another agent's POST is answered on its merits.
    expectError(await reg.post(kid, '/api/v1/agent/sponsor', { child_hash: parent.hash }), 403, 'WALLET_REQUIRED');
  });

  it('DELETE and GET /agent/sponsor: 60 per minute per agent, each', async () => {
    const parent = await reg.register('sponsor-reader');
    const del = () => request(reg.app).delete('/api/v1/agent/sponsor').set('authorization', `Bearer ${parent.apiKey}`).send({ child_hash: '0x' + 'ab'.repeat(32) });
    const get = () => request(reg.app).get('/api/v1/agent/sponsor').set('authorization', `Bearer ${parent.apiKey}`);
    for (let i = 0; i < 60; i++) expectError(await del(), 404, 'SPONSOR_NOT_FOUND');
    const limited = expectError(await del(), 429, 'RATE_LIMITED');
    expect(limited.retry_after_ms).toBeGreaterThan(0);
    expect(limited.retry_after_ms).toBeLessThanOrEqual(60_000);
    for (let i = 0; i < 60; i++) await get().expect(200);
    expectError(await get(), 429, 'RATE_LIMITED');
  });
});
