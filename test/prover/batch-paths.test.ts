// The verifier's paths agree: SIMD lanes, the scalar fallback, both builds, and the pool.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { referenceBeat } from '../helpers/reference-beat.js';

describe('batch paths', () => {
  let simd: Prover;
  let scalar: Prover;
  let pool: ProverPool;
  beforeAll(async () => {
    simd = await loadProver({ build: 'simd' });
    scalar = await loadProver({ build: 'scalar' });
    pool = new ProverPool({ threads: 2 });
  });
  afterAll(() => pool.close());

  it('the SIMD build has SIMD and the fallback has not', () => {
    expect(simd.hasSimd).toBe(true);
    expect(scalar.hasSimd).toBe(false);
  });

  it('random batches of 1–13 beats (not only multiples of 4): every path gives the same digests', async () => {
    const batch = fc.record({
      prevs: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 13 }),
      difficulty: fc.integer({ min: 0, max: 64 }),
      anchor: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b)), { nil: undefined }),
      nonce: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: undefined }),
      indexBase: fc.maxSafeNat(),
    });
    for (const b of fc.sample(batch, { numRuns: 60, seed: 7 })) {
      const prevs = new Uint8Array(b.prevs.length * 32);
      b.prevs.forEach((p, j) => prevs.set(p, 32 * j));
      const indices = b.prevs.map((_, j) => Math.max(0, b.indexBase - j * 1_000_003));
      const params = { prevs, indices, difficulty: b.difficulty, anchorHash: b.anchor, nonce: b.nonce };
      const expected = b.prevs.map((p, j) => referenceBeat(bytesToHex(p), indices[j], b.difficulty, b.anchor, b.nonce)).join('');
      expect(bytesToHex(simd.batch(params))).toBe(expected);
      expect(bytesToHex(simd.batch({ ...params, path: 'scalar' }))).toBe(expected);
      expect(bytesToHex(scalar.batch(params))).toBe(expected);
      expect(bytesToHex(await pool.batch(params))).toBe(expected);
    }
  });

  it('a batch larger than one arena chunk (2 500 beats) matches the scalar path', () => {
    const prevs = Uint8Array.from({ length: 2500 * 32 }, (_, i) => (i * 7) & 0xff);
    const indices = Array.from({ length: 2500 }, (_, j) => j + 1);
    expect(bytesToHex(simd.batch({ prevs, indices, difficulty: 2 }))).toBe(bytesToHex(scalar.batch({ prevs, indices, difficulty: 2 })));
  });

  it('an empty batch gives no digests', () => {
    expect(simd.batch({ prevs: new Uint8Array(0), indices: [], difficulty: 5 }).length).toBe(0);
  });
});
