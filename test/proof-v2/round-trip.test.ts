// Honest v2 proofs pass, in both modes, for small and odd chain lengths, on the in-thread engine and the pool
// (protocol B2–B5); and the receipt says what was checked.
import { expect, it } from 'vitest';
import { buildProofV2, DEFAULT_PROOF_LIMITS, mustParseProofV2, parseProofV2, verifyProofV2, type ProofMode } from '../../shared/proof-v2/index.js';
import { anchorChain, describeEachEngine, FAST_LIMITS, randomHex } from './fixtures.js';

const SIZES = [1, 2, 3, 7, 64, 1000];
const MODES: ProofMode[] = ['sampled', 'full'];

describeEachEngine('honest proofs pass', (engine) => {
  for (const mode of MODES) {
    it.each(SIZES)(`mode ${mode}, N = %d, d = 5`, async (n) => {
      const anchors = anchorChain(30);
      const anchor = { index: 27, hash: anchors.hashes.get(27)! };
      const subject = randomHex();
      const proof = await buildProofV2({ anchor, subject, beats: n, difficulty: 5, mode, engine: engine(), challengeWork: 1024 });

      expect(parseProofV2(JSON.parse(JSON.stringify(proof)), FAST_LIMITS)).toEqual({ ok: true, proof });
      if (mode === 'sampled') {
        expect(proof.spot_checks!.map((c) => c.index).slice(0, 2)).toEqual([1, n]);
        expect(proof.spot_checks).toHaveLength(66);
      } else {
        expect(proof.beats).toHaveLength(n);
        expect(proof.beats!.at(-1)).toBe(proof.to_hash);
      }
      const result = await verifyProofV2(mustParseProofV2(proof, FAST_LIMITS), { limits: FAST_LIMITS, engine: engine(), anchors });
      expect(result).toEqual({
        valid: true,
        receipt: {
          type: 'work_proof', version: 2, mode, assurance: mode === 'full' ? 'full' : 'fs-64', subject,
          beats_verified: n, difficulty: 5, anchor_index: 27, anchor_hash: anchor.hash, from_hash: proof.from_hash,
          to_hash: proof.to_hash, merkle_root: mode === 'full' ? null : proof.merkle_root,
        },
      });
    });
  }

  it.each(MODES)('mode %s at difficulty 100 with the default limits', async (mode) => {
    const anchors = anchorChain(3);
    const anchor = { index: 3, hash: anchors.hashes.get(3)! };
    const proof = await buildProofV2({ anchor, subject: randomHex(), beats: 300, difficulty: 100, mode, engine: engine() });
    if (mode === 'sampled') expect([proof.k, proof.challenge_work]).toEqual([64, 65_536]);
    const result = await verifyProofV2(mustParseProofV2(proof, DEFAULT_PROOF_LIMITS), { limits: DEFAULT_PROOF_LIMITS, engine: engine(), anchors });
    expect(result.valid).toBe(true);
  });

  it('sampled with k = 100 and the default challenge work, verified with k and W left to the defaults', async () => {
    const anchors = anchorChain(3);
    const anchor = { index: 0, hash: anchors.hashes.get(0)! };
    const limits = { ...DEFAULT_PROOF_LIMITS, minDifficulty: 1, anchorGraceWindow: 3 };
    const k100 = await buildProofV2({ anchor, subject: randomHex(), beats: 500, difficulty: 3, mode: 'sampled', k: 100, engine: engine() });
    expect(k100.spot_checks).toHaveLength(102);
    const result = await verifyProofV2(mustParseProofV2(k100, limits), { limits, engine: engine(), anchors });
    expect(result.valid && result.receipt.assurance).toBe('fs-100');

    const implicit = await buildProofV2({ anchor, subject: randomHex(), beats: 50, difficulty: 3, mode: 'sampled', engine: engine() });
    delete implicit.k;
    delete implicit.challenge_work;
    expect((await verifyProofV2(mustParseProofV2(implicit, limits), { limits, engine: engine(), anchors })).valid).toBe(true);
  });
});

describeEachEngine('buildProofV2 controls', (engine) => {
  it('reports chain progress up to N and stops on an aborted signal', async () => {
    const anchor = { index: 0, hash: randomHex() };
    const seen: number[] = [];
    await buildProofV2({ anchor, subject: randomHex(), beats: 50, difficulty: 5, mode: 'full', engine: engine(), onProgress: (done) => seen.push(done) });
    expect(seen.at(-1)).toBe(50);
    const controller = new AbortController();
    controller.abort();
    await expect(
      buildProofV2({ anchor, subject: randomHex(), beats: 50, difficulty: 5, mode: 'sampled', engine: engine(), signal: controller.signal }),
    ).rejects.toThrow();
  });

  it('refuses a malformed subject or anchor before any work', async () => {
    const base = { anchor: { index: 0, hash: randomHex() }, subject: randomHex(), beats: 5, difficulty: 5, mode: 'full' as const, engine: engine() };
    await expect(buildProofV2({ ...base, subject: '0x' + base.subject.slice(2) })).rejects.toThrow(TypeError);
    await expect(buildProofV2({ ...base, anchor: { index: -1, hash: base.anchor.hash } })).rejects.toThrow(RangeError);
    await expect(buildProofV2({ ...base, beats: 0 })).rejects.toThrow(RangeError);
  });
});
