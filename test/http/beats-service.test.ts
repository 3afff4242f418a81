// The Beats service over HTTP on both engines: the peer's published clients work against it,
// v2 proofs earn receipts that mean what they say, and the limits are what GET /work-proof lists.
import { createBeatsClient, LocalBeatChain } from '@provenonce/beats-client';
import { BeatAgent } from '@provenonce/sdk';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hexToBytes } from '../../shared/hex.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { verifyReceipt } from '../../shared/receipts.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';

const SUBJECT = '5a'.repeat(32);

describeEachEngine('Beats service over HTTP', (ctx) => {
  let svc: TestService;
  let workProofKey: string;
  beforeAll(async () => {
    svc = await startTestService(ctx.db);
    workProofKey = (await request(svc.app).get('/api/v1/beat/key')).body.keys.work_proof.public_key_hex;
  });
  afterAll(() => svc.close());

  async function currentAnchor() {
    const { body } = await request(svc.app).get('/api/v1/beat/anchor').expect(200);
    return body.anchor as { beat_index: number; hash: string };
  }

  it("the peer's beats-client: LocalBeatChain → getProof → submitWorkProof → valid, and its receipt verifies with our /key", async () => {
    const client = createBeatsClient({ baseUrl: svc.url });
    const anchor = (await client.getAnchor({ verify: true })).anchor!;
    const chain = await LocalBeatChain.create({ seed: 'interop', difficulty: 100, anchorIndex: anchor.beat_index, anchorHash: anchor.hash });
    for (let i = 0; i < 12; i++) await chain.advance();
    const response = (await client.submitWorkProof(chain.getProof())) as Extract<Awaited<ReturnType<typeof client.submitWorkProof>>, { valid: true }>;
    expect(response.valid).toBe(true);
    expect(response.receipt).toMatchObject({ type: 'work_proof', version: 1, mode: 'v1-spot', assurance: 'prover-chosen', beats_verified: 12, difficulty: 100, anchor_index: anchor.beat_index });
    expect(await client.verifyWorkProofReceipt(response)).toBe(true);
    expect(await client.verifyWorkProofReceipt(response, { publicKey: workProofKey })).toBe(true);
  });

  it("the peer's sdk: computeWorkProof gets a valid receipt", async () => {
    const agent = new BeatAgent({ apiKey: 'pvn_interop_test_key_000000', registryUrl: svc.url, beatsUrl: svc.url, verbose: false } as never);
    const anchor = await currentAnchor();
    const result = await agent.computeWorkProof({ beatsNeeded: 7, anchorHash: anchor.hash, anchorIndex: anchor.beat_index, difficulty: 100 });
    expect(result).toMatchObject({ ok: true, beats_computed: 7 });
    expect(verifyReceipt(result.receipt, hexToBytes(workProofKey))).toBe(true);
  });

  for (const mode of ['sampled', 'full'] as const) {
    it(`v2 ${mode}: an honest proof earns a receipt binding subject, anchor and count; changing any of them breaks the signature`, async () => {
      const anchor = await currentAnchor();
      const engine = proverEngine(await loadProver());
      const proof = await buildProofV2({ anchor: { index: anchor.beat_index, hash: anchor.hash }, subject: SUBJECT, beats: 64, difficulty: 100, mode, engine });
      const { body } = await request(svc.app).post('/api/v1/beat/work-proof').send({ work_proof: proof }).expect(200);
      expect(body.valid).toBe(true);
      expect(body.receipt).toMatchObject({
        type: 'work_proof', version: 2, mode, assurance: mode === 'full' ? 'full' : 'fs-64', subject: SUBJECT, beats_verified: 64,
        difficulty: 100, anchor_index: anchor.beat_index, anchor_hash: anchor.hash, from_hash: proof.from_hash, to_hash: proof.to_hash,
      });
      const key = hexToBytes(workProofKey);
      expect(verifyReceipt(body.receipt, key)).toBe(true);
      for (const [field, value] of [['subject', '5b'.repeat(32)], ['anchor_index', anchor.beat_index + 1], ['beats_verified', 1e15], ['anchor_hash', 'ff'.repeat(32)]] as const) {
        expect(verifyReceipt({ ...body.receipt, [field]: value }, key), field).toBe(false);
      }
    });
  }

  it('POST /verify checks a proof without signing, and a single beat', async () => {
    const anchor = await currentAnchor();
    const engine = proverEngine(await loadProver());
    const proof = await buildProofV2({ anchor: { index: anchor.beat_index, hash: anchor.hash }, subject: SUBJECT, beats: 3, difficulty: 100, mode: 'full', engine });
    const checked = await request(svc.app).post('/api/v1/beat/verify').send({ work_proof: proof }).expect(200);
    expect(checked.body).toMatchObject({ valid: true, mode: 'proof', checked: { subject: SUBJECT, beats_verified: 3 } });
    expect(checked.body.checked.signature).toBeUndefined();
    const beat = { prev: proof.from_hash, index: 1, difficulty: 100, anchor_hash: anchor.hash, hash: proof.beats![0] };
    expect((await request(svc.app).post('/api/v1/beat/verify').send({ beat }).expect(200)).body).toEqual({ valid: true, mode: 'beat' });
    const wrong = await request(svc.app).post('/api/v1/beat/verify').send({ beat: { ...beat, index: 2 } }).expect(200);
    expect(wrong.body).toMatchObject({ valid: false, reason: 'hash_mismatch' });
  });

  it('POST /timestamp signs a hash against the current anchor with the anchor key', async () => {
    const { body } = await request(svc.app).post('/api/v1/beat/timestamp').send({ hash: 'ab'.repeat(32) }).expect(200);
    expect(body.timestamp).toMatchObject({ type: 'timestamp', hash: 'ab'.repeat(32) });
    const anchorKey = (await request(svc.app).get('/api/v1/beat/key')).body.keys.timestamp.public_key_hex;
    expect(verifyReceipt({ ...body.timestamp, signature: body.receipt.signature }, hexToBytes(anchorKey))).toBe(true);
    const stored = await request(svc.app).get(`/api/v1/beat/anchor/${body.timestamp.anchor_index}`).expect(200);
    expect(stored.body.anchor.hash).toBe(body.timestamp.anchor_hash);
  });

  it('GET /work-proof lists every limit', async () => {
    const { body } = await request(svc.app).get('/api/v1/beat/work-proof').expect(200);
    expect(body.public_caps).toEqual({ min_difficulty: 100, max_difficulty: 5000, min_spot_checks: 3, max_spot_checks: 25, anchor_grace_window: 5 });
    expect(body.v2).toMatchObject({ min_difficulty: 100, k: { default: 64 }, challenge_work: { default: 65536 }, max_beats: { full: 2048 }, anchor_grace_window: 5 });
    expect(body.body_limit_bytes).toBe(svc.config.bodyLimitBytes);
    expect(body.rate_limit.per_ip).toEqual({ limit: 10, windowMs: 60000 });
  });

  it('an honest v2 proof against a stale anchor is refused with stale_anchor', async () => {
    const first = (await request(svc.app).get('/api/v1/beat/anchor/0').expect(200)).body.anchor;
    // Wait for the clock (not for a time): anchor 0 is stale once the head is more than the grace window (5) past it.
    for (let i = 0; (await currentAnchor()).beat_index - first.beat_index <= 5; i++) {
      if (i > 600) throw new Error('the anchor clock did not reach index 6 within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const engine = proverEngine(await loadProver());
    const proof = await buildProofV2({ anchor: { index: 0, hash: first.hash }, subject: SUBJECT, beats: 2, difficulty: 100, mode: 'full', engine });
    expect((await request(svc.app).post('/api/v1/beat/work-proof').send({ work_proof: proof }).expect(200)).body).toEqual({ valid: false, reason: 'stale_anchor' });
  });
});
