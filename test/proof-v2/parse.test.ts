// Every structural rule of parseProofV2 (protocol B5: malformed input is a 400 naming the field), on hand-made
// proofs: parsing checks shapes and bounds only, so the values need not be a real chain.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROOF_LIMITS, parseProofV2, type ProofLimits, type ProofV2, type SpotCheck } from '../../shared/proof-v2/index.js';

const LIMITS: ProofLimits = { ...DEFAULT_PROOF_LIMITS, minDifficulty: 1 };
const h = () => randomBytes(32).toString('hex');
const N = 1000;

function check(index: number): SpotCheck {
  return { index, prev: h(), hash: h(), prev_path: Array.from({ length: 10 }, h), hash_path: Array.from({ length: 10 }, h) };
}

/** A well-formed sampled proof: N = 1000, k = 64, d = 100, 66 distinct indices. */
function sampled(): Record<string, unknown> {
  return {
    version: 2, mode: 'sampled', subject: h(), from_hash: h(), to_hash: h(), beats_computed: N, difficulty: 100,
    anchor_index: 12, anchor_hash: h(), k: 64, challenge_work: 65_536, merkle_root: h(),
    spot_checks: [1, N, ...Array.from({ length: 64 }, (_, j) => 2 + j)].map(check),
  };
}

/** A well-formed full proof: N = 20, d = 100. */
function full(n = 20): Record<string, unknown> {
  return {
    version: 2, mode: 'full', subject: h(), from_hash: h(), to_hash: h(), beats_computed: n, difficulty: 100,
    anchor_index: 0, anchor_hash: h(), beats: Array.from({ length: n }, h),
  };
}

type Proof = Record<string, any>;
const fieldOf = (input: unknown, limits = LIMITS) => {
  const result = parseProofV2(input, limits);
  return result.ok ? 'ok' : result.field;
};
const edit = (base: Proof, change: (p: Proof) => void) => {
  change(base);
  return base;
};

describe('parseProofV2 accepts', () => {
  it('well-formed proofs of both modes, returning an equal copy', () => {
    for (const proof of [sampled(), full()]) {
      const result = parseProofV2(proof, LIMITS);
      expect(result).toEqual({ ok: true, proof });
      expect(result.ok && result.proof).not.toBe(proof);
    }
  });

  it('k and challenge_work left out in mode sampled, filled with the defaults', () => {
    const proof = edit(sampled(), (p) => {
      delete p.k;
      delete p.challenge_work;
    });
    const result = parseProofV2(proof, LIMITS);
    expect(result.ok && [result.proof.k, result.proof.challenge_work]).toEqual([64, 65_536]);
  });

  it('a difficulty below the minimum (the logic reason insufficient_difficulty, not a parse error)', () => {
    expect(fieldOf(edit(sampled(), (p) => (p.difficulty = 0)), DEFAULT_PROOF_LIMITS)).toBe('ok');
    expect(fieldOf(edit(full(), (p) => (p.difficulty = 99)), DEFAULT_PROOF_LIMITS)).toBe('ok');
  });

  it('repeated challenge indices, counted once for the work cap', () => {
    const proof = edit(sampled(), (p) => p.spot_checks.forEach((c: SpotCheck, j: number) => j >= 2 && (c.index = 5)));
    expect(fieldOf(proof)).toBe('ok');
  });
});

describe('parseProofV2 refuses, naming the field', () => {
  it.each([null, 'proof', 42, [], undefined])('a proof that is not an object (%s)', (input) => {
    expect(fieldOf(input)).toBe('');
  });

  const cases: Array<[string, () => unknown, string]> = [
    ['version 1', () => edit(sampled(), (p) => (p.version = 1)), 'version'],
    ['version "2"', () => edit(sampled(), (p) => (p.version = '2')), 'version'],
    ['an unknown mode', () => edit(sampled(), (p) => (p.mode = 'partial')), 'mode'],
    ['a missing subject', () => edit(sampled(), (p) => delete p.subject), 'subject'],
    ['an upper-case subject', () => edit(sampled(), (p) => (p.subject = p.subject.toUpperCase())), 'subject'],
    ['a 0x subject', () => edit(sampled(), (p) => (p.subject = '0x' + p.subject.slice(2))), 'subject'],
    ['a 63-char subject', () => edit(sampled(), (p) => (p.subject = p.subject.slice(1))), 'subject'],
    ['a numeric from_hash', () => edit(sampled(), (p) => (p.from_hash = 12)), 'from_hash'],
    ['a non-hex to_hash', () => edit(sampled(), (p) => (p.to_hash = 'g'.repeat(64))), 'to_hash'],
    ['a missing anchor_hash', () => edit(full(), (p) => delete p.anchor_hash), 'anchor_hash'],
    ['an upper-case anchor_hash', () => edit(full(), (p) => (p.anchor_hash = p.anchor_hash.toUpperCase())), 'anchor_hash'],
    ['beats_computed 0', () => edit(sampled(), (p) => (p.beats_computed = 0)), 'beats_computed'],
    ['beats_computed 1.5', () => edit(sampled(), (p) => (p.beats_computed = 1.5)), 'beats_computed'],
    ['beats_computed "1000"', () => edit(sampled(), (p) => (p.beats_computed = '1000')), 'beats_computed'],
    ['beats_computed above maxBeats.sampled', () => edit(sampled(), (p) => (p.beats_computed = 10_000_001)), 'beats_computed'],
    ['beats_computed above maxBeats.full in mode full', () => edit(full(), (p) => (p.beats_computed = 2049)), 'beats_computed'],
    ['a missing difficulty', () => edit(sampled(), (p) => delete p.difficulty), 'difficulty'],
    ['difficulty 100.5', () => edit(sampled(), (p) => (p.difficulty = 100.5)), 'difficulty'],
    ['difficulty above maxDifficulty', () => edit(full(), (p) => (p.difficulty = 100_001)), 'difficulty'],
    ['anchor_index −1', () => edit(sampled(), (p) => (p.anchor_index = -1)), 'anchor_index'],
    ['anchor_index 2^53', () => edit(sampled(), (p) => (p.anchor_index = 2 ** 53)), 'anchor_index'],
    ['k below k.min', () => edit(sampled(), (p) => (p.k = 63)), 'k'],
    ['k above k.max', () => edit(sampled(), (p) => (p.k = 257)), 'k'],
    ['k as a string', () => edit(sampled(), (p) => (p.k = '64')), 'k'],
    ['challenge_work below its min', () => edit(sampled(), (p) => (p.challenge_work = 65_535)), 'challenge_work'],
    ['challenge_work above its max', () => edit(sampled(), (p) => (p.challenge_work = 1_048_577)), 'challenge_work'],
    ['an unknown top-level field', () => edit(sampled(), (p) => (p.nonce = 'x')), 'nonce'],
    ['a missing merkle_root in mode sampled', () => edit(sampled(), (p) => delete p.merkle_root), 'merkle_root'],
    ['a null merkle_root', () => edit(sampled(), (p) => (p.merkle_root = null)), 'merkle_root'],
    ['missing spot_checks in mode sampled', () => edit(sampled(), (p) => delete p.spot_checks), 'spot_checks'],
    ['spot_checks as an object', () => edit(sampled(), (p) => (p.spot_checks = {})), 'spot_checks'],
    ['k + 1 spot checks', () => edit(sampled(), (p) => p.spot_checks.pop()), 'spot_checks'],
    ['k + 3 spot checks', () => edit(sampled(), (p) => p.spot_checks.push(check(5))), 'spot_checks'],
    ['k + 2 counted with the stated k', () => edit(sampled(), (p) => ((p.k = 65), p.spot_checks.pop())), 'spot_checks'],
    ['beats in mode sampled', () => edit(sampled(), (p) => (p.beats = [h()])), 'beats'],
    ['a spot check that is not an object', () => edit(sampled(), (p) => (p.spot_checks[3] = 'x')), 'spot_checks.3'],
    ['a spot check index 0', () => edit(sampled(), (p) => (p.spot_checks[3].index = 0)), 'spot_checks.3.index'],
    ['a spot check index above N', () => edit(sampled(), (p) => (p.spot_checks[3].index = N + 1)), 'spot_checks.3.index'],
    ['a fractional spot check index', () => edit(sampled(), (p) => (p.spot_checks[3].index = 2.5)), 'spot_checks.3.index'],
    ['an upper-case prev', () => edit(sampled(), (p) => (p.spot_checks[3].prev = p.spot_checks[3].prev.toUpperCase())), 'spot_checks.3.prev'],
    ['a missing hash', () => edit(sampled(), (p) => delete p.spot_checks[3].hash), 'spot_checks.3.hash'],
    ['a bad hex path node', () => edit(sampled(), (p) => (p.spot_checks[3].hash_path[2] = 'z'.repeat(64))), 'spot_checks.3.hash_path.2'],
    ['a numeric path node', () => edit(sampled(), (p) => (p.spot_checks[4].prev_path[0] = 7)), 'spot_checks.4.prev_path.0'],
    ['a path that is not an array', () => edit(sampled(), (p) => (p.spot_checks[3].prev_path = h())), 'spot_checks.3.prev_path'],
    ['a missing path', () => edit(sampled(), (p) => delete p.spot_checks[3].hash_path), 'spot_checks.3.hash_path'],
    ['a path longer than maxPathLength', () => edit(sampled(), (p) => (p.spot_checks[3].prev_path = Array.from({ length: 65 }, h))), 'spot_checks.3.prev_path'],
    ['an unknown spot check field', () => edit(sampled(), (p) => (p.spot_checks[3].nonce = '')), 'spot_checks.3.nonce'],
    ['k in mode full', () => edit(full(), (p) => (p.k = 64)), 'k'],
    ['challenge_work in mode full', () => edit(full(), (p) => (p.challenge_work = 65_536)), 'challenge_work'],
    ['merkle_root in mode full', () => edit(full(), (p) => (p.merkle_root = h())), 'merkle_root'],
    ['spot_checks in mode full', () => edit(full(), (p) => (p.spot_checks = [])), 'spot_checks'],
    ['missing beats in mode full', () => edit(full(), (p) => delete p.beats), 'beats'],
    ['N − 1 beats', () => edit(full(), (p) => p.beats.pop()), 'beats'],
    ['N + 1 beats', () => edit(full(), (p) => p.beats.push(h())), 'beats'],
    ['a bad beat', () => edit(full(), (p) => (p.beats[3] = p.beats[3].toUpperCase())), 'beats.3'],
  ];
  it.each(cases)('%s', (_, make, field) => {
    expect(fieldOf(make())).toBe(field);
  });

  it('a message with every refusal', () => {
    const result = parseProofV2(edit(sampled(), (p) => (p.k = 1)), LIMITS);
    expect(result.ok === false && result.message.length > 0).toBe(true);
  });
});

describe('the work cap (limits.maxVerifyIterations)', () => {
  it('sampled: distinct checks × (d + 1), reported on difficulty; the exact cap passes', () => {
    // 66 distinct checks: d + 1 = 31 775 gives 2 097 150 ≤ 2 097 152; d + 1 = 31 776 exceeds it.
    expect(fieldOf(edit(sampled(), (p) => (p.difficulty = 31_774)), DEFAULT_PROOF_LIMITS)).toBe('ok');
    expect(fieldOf(edit(sampled(), (p) => (p.difficulty = 31_775)), DEFAULT_PROOF_LIMITS)).toBe('difficulty');
    const exact = { ...DEFAULT_PROOF_LIMITS, maxVerifyIterations: 66 * 1000 };
    expect(fieldOf(edit(sampled(), (p) => (p.difficulty = 999)), exact)).toBe('ok');
    expect(fieldOf(edit(sampled(), (p) => (p.difficulty = 1000)), exact)).toBe('difficulty');
  });

  it('full: N × (d + 1), reported on beats_computed', () => {
    expect(fieldOf(edit(full(2048), (p) => (p.difficulty = 1023)), DEFAULT_PROOF_LIMITS)).toBe('ok');
    expect(fieldOf(edit(full(2048), (p) => (p.difficulty = 1024)), DEFAULT_PROOF_LIMITS)).toBe('beats_computed');
  });
});

describe('huge inputs are refused without reading them', () => {
  const timed = (input: unknown) => {
    const start = performance.now();
    const field = fieldOf(input);
    return { field, ms: performance.now() - start };
  };

  it('a 100 000-element spot_checks array', () => {
    const result = timed(edit(sampled(), (p) => (p.spot_checks = Array.from({ length: 100_000 }, () => ({ index: 1 })))));
    expect(result.field).toBe('spot_checks');
    expect(result.ms).toBeLessThan(100);
  });

  it('a 10^6-element beats array and a 10^6-element path', () => {
    const beats = timed(edit(full(), (p) => (p.beats = new Array(1_000_000).fill(0))));
    expect(beats.field).toBe('beats');
    expect(beats.ms).toBeLessThan(100);
    const path = timed(edit(sampled(), (p) => (p.spot_checks[0].hash_path = new Array(1_000_000).fill(0))));
    expect(path.field).toBe('spot_checks.0.hash_path');
    expect(path.ms).toBeLessThan(100);
  });
});
