// Protocol B1 and B3 derivations against an independent node:crypto / BigInt computation written from the text.
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import type { IterateFn } from '../../shared/proof-engine.js';
import { buildProofV2, challengeSeed, deriveChallenges, deriveFromHash } from '../../shared/proof-v2/index.js';
import { referenceBeat } from '../helpers/reference-beat.js';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const hex = (h: string) => Buffer.from(h, 'hex');

/** i_j = 1 + (u64be(SHA256(s ‖ u32be(j))[0..8]) mod N), s = SHA256^W(c0) (protocol B3). */
function referenceChallenges(c0: Buffer, w: number, k: number, n: number): number[] {
  let s = c0;
  for (let i = 0; i < w; i++) s = sha(s);
  return Array.from({ length: k }, (_, j) => Number(1n + (BigInt('0x' + sha(s, u32(j)).subarray(0, 8).toString('hex')) % BigInt(n))));
}

const ANCHOR = 'a1'.repeat(32);
const SUBJECT = '5b'.repeat(32);

let iterate: IterateFn;
beforeAll(async () => {
  iterate = proverEngine(await loadProver()).iterate;
});

describe('deriveFromHash (protocol B1)', () => {
  it('is SHA256(ascii("beats/v2/seed") ‖ anchor_hash ‖ u64be(anchor_index) ‖ subject)', () => {
    for (const index of [0, 7, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const expected = sha(Buffer.from('beats/v2/seed', 'ascii'), hex(ANCHOR), u64(index), hex(SUBJECT)).toString('hex');
      expect(deriveFromHash(ANCHOR, index, SUBJECT)).toBe(expected);
    }
  });

  it('accepts only 64 lowercase hex for the subject and anchor, and a safe index ≥ 0', () => {
    expect(() => deriveFromHash(ANCHOR, 0, SUBJECT.toUpperCase())).toThrow(TypeError);
    expect(() => deriveFromHash(ANCHOR, 0, '0x' + SUBJECT)).toThrow(TypeError);
    expect(() => deriveFromHash(ANCHOR, 0, SUBJECT.slice(2))).toThrow(TypeError);
    expect(() => deriveFromHash(ANCHOR.toUpperCase(), 0, SUBJECT)).toThrow(TypeError);
    expect(() => deriveFromHash(ANCHOR, -1, SUBJECT)).toThrow(RangeError);
    expect(() => deriveFromHash(ANCHOR, 1.5, SUBJECT)).toThrow(RangeError);
  });
});

describe('challengeSeed (protocol B3)', () => {
  it('is SHA256 of the B3 preimage, field by field', () => {
    const [from, to, root] = [randomBytes(32), randomBytes(32), randomBytes(32)].map((b) => b.toString('hex'));
    const input = { anchorHash: ANCHOR, anchorIndex: 2 ** 33 + 1, subject: SUBJECT, fromHash: from, toHash: to, beats: 10_000_019, difficulty: 0xfffffffe, k: 64, merkleRoot: root };
    const expected = sha(
      Buffer.from('beats/v2/fs', 'ascii'), hex(ANCHOR), u64(input.anchorIndex), hex(SUBJECT), hex(from), hex(to),
      u64(input.beats), u32(input.difficulty), u32(64), hex(root),
    );
    expect(Buffer.from(challengeSeed(input)).equals(expected)).toBe(true);
  });

  it('refuses a difficulty or k beyond u32', () => {
    const base = { anchorHash: ANCHOR, anchorIndex: 0, subject: SUBJECT, fromHash: ANCHOR, toHash: ANCHOR, beats: 1, difficulty: 1, k: 64, merkleRoot: ANCHOR };
    expect(() => challengeSeed({ ...base, difficulty: 2 ** 32 })).toThrow(RangeError);
    expect(() => challengeSeed({ ...base, k: -1 })).toThrow(RangeError);
  });
});

describe('deriveChallenges (protocol B3)', () => {
  it('matches the reference on one vector (W = 65 536, k = 64, N above 2^32)', async () => {
    const c0 = sha(Buffer.from('vector'));
    const n = 2 ** 40 + 15;
    const got = await deriveChallenges(new Uint8Array(c0), 65_536, 64, n, iterate);
    expect(got).toEqual(referenceChallenges(c0, 65_536, 64, n));
    expect(got).toHaveLength(64);
  });

  it('is deterministic, within [1, N] and equal to the reference for random inputs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 200 }),
        fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        async (c0, w, k, n) => {
          const a = await deriveChallenges(c0, w, k, n, iterate);
          expect(await deriveChallenges(c0, w, k, n, iterate)).toEqual(a);
          expect(a.every((i) => Number.isSafeInteger(i) && i >= 1 && i <= n)).toBe(true);
          expect(a).toEqual(referenceChallenges(Buffer.from(c0), w, k, n));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('N = 1 gives only index 1', async () => {
    expect(await deriveChallenges(new Uint8Array(32), 10, 64, 1, iterate)).toEqual(Array(64).fill(1));
  });

  it('refuses a bad c0, N or W', async () => {
    await expect(deriveChallenges(new Uint8Array(31), 1, 1, 1, iterate)).rejects.toThrow(RangeError);
    await expect(deriveChallenges(new Uint8Array(32), 1, 1, 0, iterate)).rejects.toThrow(RangeError);
    await expect(deriveChallenges(new Uint8Array(32), -1, 1, 1, iterate)).rejects.toThrow(RangeError);
  });
});

describe('buildProofV2 spot checks (protocol B3)', () => {
  it('are [1, N, i_0 … i_{k−1}] with the challenges recomputed independently', async () => {
    const engine = proverEngine(await loadProver());
    const n = 97;
    const proof = await buildProofV2({ anchor: { index: 3, hash: ANCHOR }, subject: SUBJECT, beats: n, difficulty: 2, mode: 'sampled', k: 70, challengeWork: 300, engine });
    const c0 = sha(
      Buffer.from('beats/v2/fs', 'ascii'), hex(ANCHOR), u64(3), hex(SUBJECT), hex(proof.from_hash), hex(proof.to_hash),
      u64(n), u32(2), u32(70), hex(proof.merkle_root!),
    );
    expect(proof.spot_checks!.map((c) => c.index)).toEqual([1, n, ...referenceChallenges(c0, 300, 70, n)]);
    expect(proof.spot_checks![0].prev).toBe(proof.from_hash);
    expect(proof.spot_checks![1].hash).toBe(proof.to_hash);
  });
});

describe('buildProofV2 chain (protocol B2)', () => {
  it('b_0 = from_hash, b_i = Beat(b_{i−1}, i, d, anchor_hash), checked against node:crypto', async () => {
    const engine = proverEngine(await loadProver());
    const proof = await buildProofV2({ anchor: { index: 9, hash: ANCHOR }, subject: SUBJECT, beats: 6, difficulty: 4, mode: 'full', engine });
    const expected: string[] = [];
    for (let i = 1; i <= 6; i++) expected.push(referenceBeat(expected.at(-1) ?? deriveFromHash(ANCHOR, 9, SUBJECT), i, 4, ANCHOR));
    expect(proof.from_hash).toBe(deriveFromHash(ANCHOR, 9, SUBJECT));
    expect(proof.beats).toEqual(expected);
    expect(proof.to_hash).toBe(expected[5]);
  });
});
