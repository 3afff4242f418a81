// Soundness of mode sampled (protocol B3): a prover who skips 30 % of the links but commits to its chain
// honestly, derives the challenges honestly and answers them honestly passes with probability ≤ 0.7^64 ≈ 1e-10.
import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { buildProofV2, mustParseProofV2, verifyProofV2 } from '../../shared/proof-v2/index.js';
import { anchorChain, brokenChainEngine, FAST_LIMITS, randomHex } from './fixtures.js';

const N = 500;
const TRIALS = 20;
const BROKEN_FRACTION = 0.3;

/** `count` distinct links among 2..N−1, so that only the random challenges can catch them (1 and N are always checked). */
function brokenLinks(count: number): Set<number> {
  const links = new Set<number>();
  while (links.size < count) links.add(randomInt(2, N));
  return links;
}

describe('a chain with 30 % of its links broken', () => {
  let prover: Prover;
  beforeAll(async () => {
    prover = await loadProver();
  });

  it(`is refused in ${TRIALS} trials of ${TRIALS} (N = ${N}, one subject per trial)`, async () => {
    const anchors = anchorChain(5);
    const anchor = { index: 5, hash: anchors.hashes.get(5)! };
    const reasons: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const broken = brokenLinks(Math.round(BROKEN_FRACTION * N));
      const proof = await buildProofV2({
        anchor, subject: randomHex(), beats: N, difficulty: 3, mode: 'sampled', challengeWork: 1024,
        engine: brokenChainEngine(prover, broken),
      });
      // The challenged links the prover could not answer honestly: the proof is otherwise well formed.
      expect(proof.spot_checks!.some((c) => broken.has(c.index))).toBe(true);
      const result = await verifyProofV2(mustParseProofV2(proof, FAST_LIMITS), { limits: FAST_LIMITS, engine: proverEngine(prover), anchors });
      reasons.push(result.valid ? 'valid' : result.reason);
    }
    expect(reasons).toEqual(Array(TRIALS).fill('spot_check_failed'));
  });

  it('while the same construction with no link broken passes', async () => {
    const anchors = anchorChain(5);
    const anchor = { index: 5, hash: anchors.hashes.get(5)! };
    const proof = await buildProofV2({
      anchor, subject: randomHex(), beats: N, difficulty: 3, mode: 'sampled', challengeWork: 1024,
      engine: brokenChainEngine(prover, new Set()),
    });
    expect((await verifyProofV2(mustParseProofV2(proof, FAST_LIMITS), { limits: FAST_LIMITS, engine: proverEngine(prover), anchors })).valid).toBe(true);
  });
});
