// Random tuples against the node:crypto reference (house style: a chained cross-test too).
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachProver } from '../helpers/prover-engines.js';
import { referenceBeat } from '../helpers/reference-beat.js';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const nonce = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }), // non-ASCII: multi-byte UTF-8, emoji, combining marks
  fc.string({ unit: 'binary', minLength: 100, maxLength: 3000 }), // long, any code point
);
const tuple = fc.record({
  prev: hash,
  index: fc.oneof(fc.nat(1000), fc.maxSafeNat(), fc.constant(Number.MAX_SAFE_INTEGER)),
  difficulty: fc.integer({ min: 1, max: 300 }),
  anchorHash: fc.option(hash, { nil: undefined }),
  nonce,
});

describeEachProver('cross-test against node:crypto', (engine, name) => {
  // The reference against itself would prove nothing: the WASM engines only.
  if (name !== 'reference') it('1000 random (prev, index ≤ 2^53−1, difficulty 1–300, anchor?, nonce?) tuples', async () => {
    const samples = fc.sample(tuple, { numRuns: 1000, seed: 20261122 });
    for (const t of samples) {
      expect(await engine().beat(t.prev, t.index, t.difficulty, t.anchorHash, t.nonce), JSON.stringify({ ...t, nonce: t.nonce?.slice(0, 20) })).toBe(
        referenceBeat(t.prev, t.index, t.difficulty, t.anchorHash, t.nonce),
      );
    }
  });

  it('chained: 256 beats, each continuing the last, equal beat by beat', async () => {
    const from = 'ab'.repeat(32);
    const anchor = 'cd'.repeat(32);
    const got = await engine().chain(from, 41, 256, 3, anchor, 'chained ✓');
    let prev = from;
    got.forEach((h, i) => {
      prev = referenceBeat(prev, 42 + i, 3, anchor, 'chained ✓');
      expect(h, `beat ${42 + i}`).toBe(prev);
    });
  });

  it('a 200 000-byte UTF-8 nonce', async () => {
    const long = 'ü✓'.repeat(40_000);
    expect(await engine().beat('01'.repeat(32), 7, 2, 'ef'.repeat(32), long)).toBe(referenceBeat('01'.repeat(32), 7, 2, 'ef'.repeat(32), long));
  });

  it("an empty anchor string means no weaving, as in the peer's computeBeat", async () => {
    expect(await engine().beat('02'.repeat(32), 3, 5, '')).toBe(referenceBeat('02'.repeat(32), 3, 5));
  });
});
