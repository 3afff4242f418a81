// Receipts as payment (protocol C) over HTTP, on both engines: each rule refuses with 402
// INVALID_RECEIPT and its own reason; the base64 form is accepted; a receipt and its work are spent
// once, even by 20 concurrent resyncs.
import { LocalBeatChain } from '@provenonce/beats-client';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, type TestAgent } from './harness.js';

/** A v1 (`prover-chosen`) receipt from the peer's LocalBeatChain, at difficulty `d`. */
async function v1Receipt(reg: TestRegistry, d: number, beats = 12): Promise<Record<string, unknown>> {
  const anchor = await reg.head();
  const chain = await LocalBeatChain.create({ seed: `v1-${Math.random()}`, difficulty: d, anchorIndex: anchor.index, anchorHash: anchor.hash });
  for (let i = 0; i < beats; i++) await chain.advance();
  const res = await request(reg.app).post('/api/v1/beat/work-proof').send({ work_proof: chain.getProof() });
  expect(res.body.valid, JSON.stringify(res.body)).toBe(true);
  expect(res.body.receipt).toMatchObject({ version: 1, assurance: 'prover-chosen', subject: null });
  return res.body.receipt;
}

describeEachEngine('registry: receipts (protocol C)', (ctx) => {
  let reg: TestRegistry;
  const frozen: TestAgent[] = [];
  let active: TestAgent;
  let other: TestAgent;

  beforeAll(async () => {
    // The registry requires difficulty 150 and receipts at most 10 anchors old.
    reg = await TestRegistry.start(ctx.db, { DIFFICULTY: '150', RECEIPT_WINDOW_ANCHORS: '10' });
    for (let i = 0; i < 4; i++) frozen.push(await reg.ready(`frozen-${i}`));
    await reg.nextAnchor(61);
    active = await reg.ready('active');
    other = await reg.ready('other');
  });
  afterAll(() => reg.close());

  const submit = (agent: TestAgent, beatsReceipt: unknown) => reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: beatsReceipt });
  const refusal = async (res: request.Response) => expectError(res, 402, 'INVALID_RECEIPT').reason;

  // One v2 chain start — (anchor, subject) — pays once, so each spending test starts at a fresh anchor.
  beforeEach(async () => {
    await reg.nextAnchor();
  });

  it('accepts a v2 receipt of the agent itself, as an object and as base64 of its JSON', async () => {
    const receipt = await reg.receipt(active.hash, 5, { difficulty: 150 });
    expect((await submit(active, receipt).expect(200)).body.beats_credited).toBe(5);
    await reg.nextAnchor();
    const encoded = Buffer.from(JSON.stringify(await reg.receipt(active.hash, 6, { difficulty: 150 }))).toString('base64');
    expect((await submit(active, encoded).expect(200)).body).toMatchObject({ beats_credited: 6, lifetime_beats: 11 });
  });

  it('refuses a receipt for another subject: subject_mismatch', async () => {
    const receipt = await reg.receipt(other.hash, 7, { difficulty: 150 });
    expect(await refusal(await submit(active, receipt))).toBe('subject_mismatch');
    // It still pays for its own subject: a refusal spends nothing.
    await submit(other, receipt).expect(200);
  });

  it('refuses a receipt below the required difficulty: insufficient_difficulty', async () => {
    const receipt = await reg.receipt(active.hash, 8, { difficulty: 149 });
    expect(await refusal(await submit(active, receipt))).toBe('insufficient_difficulty');
  });

  it('refuses a receipt below the required beats: insufficient_beats (resync price)', async () => {
    const agent = frozen[0];
    const price = expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 402, 'RECEIPT_REQUIRED');
    const required = price.required_beats as number;
    const receipt = await reg.receipt(agent.hash, required - 1, { difficulty: 150 });
    expect(await refusal(await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }))).toBe('insufficient_beats');
    expect((await reg.status(agent.hash)).body.status).toBe('frozen');
  });

  it('refuses a receipt whose anchor left the receipt window: stale_anchor (the window edge is accepted)', async () => {
    const edge = await reg.receipt(active.hash, 3, { difficulty: 150 });
    const stale = await reg.receipt(active.hash, 4, { difficulty: 150 });
    await reg.nextAnchor(10);
    await submit(active, edge).expect(200);
    await reg.nextAnchor();
    expect(await refusal(await submit(active, stale))).toBe('stale_anchor');
  });

  it('refuses a prover-chosen v1 receipt unless ACCEPT_V1_RECEIPTS=true: version_not_accepted', async () => {
    expect(await refusal(await submit(active, await v1Receipt(reg, 150)))).toBe('version_not_accepted');
  });

  // Each test proves a different number of beats: the same count at the same anchor for the same
  // subject is the same work (v2 chains are deterministic), which pays once.
  it('refuses a tampered receipt, whatever the field: bad_signature (kid: unknown_key)', async () => {
    const receipt = await reg.receipt(active.hash, 9, { difficulty: 150, mode: 'sampled' });
    const flipHex = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
    const tampered: Array<[string, Record<string, unknown>]> = Object.entries(receipt)
      .filter(([field]) => field !== 'signature' && field !== 'kid')
      .map(([field, value]) => [
        field,
        {
          ...receipt,
          [field]: typeof value === 'number' ? value + 1 : typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? flipHex(value) : `${String(value)}x`,
        },
      ]);
    tampered.push(['extra field', { ...receipt, bonus: 1 }]);
    const { beats_verified: _dropped, ...missing } = receipt;
    tampered.push(['missing field', missing]);
    const sig = receipt.signature as string;
    tampered.push(['signature', { ...receipt, signature: (sig[10] === 'A' ? 'B' : 'A') + sig.slice(1, 10) + sig[0] + sig.slice(11) }]);
    expect(tampered.length).toBeGreaterThanOrEqual(15);
    for (const [field, forged] of tampered) {
      expect(await refusal(await submit(active, forged)), field).toBe('bad_signature');
    }
    expect(await refusal(await submit(active, { ...receipt, kid: '0'.repeat(16) }))).toBe('unknown_key');
    // The untouched receipt still pays.
    await submit(active, receipt).expect(200);
  });

  it('refuses a replayed receipt: already_consumed', async () => {
    const receipt = await reg.receipt(active.hash, 10, { difficulty: 150 });
    await submit(active, receipt).expect(200);
    expect(await refusal(await submit(active, receipt))).toBe('already_consumed');
    expect(await refusal(await submit(active, Buffer.from(JSON.stringify(receipt)).toString('base64')))).toBe('already_consumed');
  });

  it('refuses a second receipt for the same work: work_already_consumed', async () => {
    const anchor = await reg.head();
    const first = await reg.receipt(active.hash, 11, { difficulty: 150, anchor });
    await new Promise((r) => setTimeout(r, 5)); // a new utc, so a new signature
    const second = await reg.receipt(active.hash, 11, { difficulty: 150, anchor });
    expect(second.signature).not.toBe(first.signature);
    expect([second.from_hash, second.to_hash]).toEqual([first.from_hash, first.to_hash]);
    await submit(active, first).expect(200);
    expect(await refusal(await submit(active, second))).toBe('work_already_consumed');
  });

  it('refuses a longer chain from a start already paid: work_already_consumed (its first beats were paid)', async () => {
    const anchor = await reg.head();
    const short = await reg.receipt(active.hash, 11, { difficulty: 150, anchor });
    const long = await reg.receipt(active.hash, 12, { difficulty: 150, anchor });
    expect(long.from_hash).toBe(short.from_hash);
    await submit(active, short).expect(200);
    expect(await refusal(await submit(active, long))).toBe('work_already_consumed');
  });

  it('refuses what is not a receipt: malformed_receipt', async () => {
    for (const bad of [42, [], true, null, 'not base64!', Buffer.from('not json').toString('base64'), Buffer.from('[1]').toString('base64'), {}, { signature: 5 }]) {
      expect(await refusal(await submit(active, bad)), JSON.stringify(bad)).toBe('malformed_receipt');
    }
  });

  it('resync accepts the base64 form', async () => {
    const agent = frozen[1];
    const price = expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 402, 'RECEIPT_REQUIRED');
    const receipt = await reg.receipt(agent.hash, price.required_beats as number, { difficulty: 150 });
    const encoded = Buffer.from(JSON.stringify(receipt)).toString('base64');
    const res = await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: encoded }).expect(200);
    expect(res.body).toMatchObject({ ok: true, status: 'active', receipt_based: true, beats_proven: price.required_beats });
  });

  it('20 concurrent resyncs with one receipt: exactly one 200', async () => {
    const agent = frozen[2];
    const price = expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 402, 'RECEIPT_REQUIRED');
    const receipt = await reg.receipt(agent.hash, price.required_beats as number, { difficulty: 150 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }).then((r) => r)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      // Refused as spent, or (having read the state after the winner committed) as no longer frozen.
      expect([[402, 'INVALID_RECEIPT'], [409, 'AGENT_WRONG_STATE']]).toContainEqual([r.status, r.body.code]);
    }
    const consumed = await reg.svc.services.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts WHERE agent_hash = $1', [agent.hash]);
    expect(consumed).toEqual({ c: 1 });
  });

  it('a receipt refused by resync is not spent', async () => {
    const agent = frozen[3];
    const receipt = await reg.receipt(agent.hash, 5, { difficulty: 150 });
    expect(await refusal(await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }))).toBe('insufficient_beats');
    const n = await reg.svc.services.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts WHERE agent_hash = $1', [agent.hash]);
    expect(n).toEqual({ c: 0 });
  });

  describe('with ACCEPT_V1_RECEIPTS=true', () => {
    let v1: TestRegistry;
    beforeAll(async () => {
      v1 = await TestRegistry.start(await ctx.openFresh(), { DIFFICULTY: '150', ACCEPT_V1_RECEIPTS: 'true' });
    });
    afterAll(() => v1.close());

    it('accepts a prover-chosen v1 receipt (subject null), once', async () => {
      const agent = await v1.ready('v1-agent');
      const receipt = await v1Receipt(v1, 150);
      const res = await v1.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }).expect(200);
      expect(res.body).toMatchObject({ beats_credited: 12, lifetime_beats: 12 });
      expect(await refusal(await v1.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }))).toBe('already_consumed');
    });

    it('still refuses a v1 receipt below the required difficulty', async () => {
      const agent = await v1.ready('v1-low');
      expect(await refusal(await v1.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: await v1Receipt(v1, 100) }))).toBe('insufficient_difficulty');
    });
  });
});
