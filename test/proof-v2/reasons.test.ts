// Each reason code of verifyProofV2, triggered by one change to an honest proof or its context (protocol B5),
// and the order in which the verifier reports them.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { poolEngine, proverEngine } from '../../prover-wasm/src/engines.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import {
  buildProofV2,
  REASONS,
  verifyProofV2,
  mustParseProofV2,
  type AnchorSource,
  type ProofLimits,
  type ProofV2,
  type VerifyContext,
} from '../../shared/proof-v2/index.js';
import { anchorChain, brokenChainEngine, FAST_LIMITS, randomHex, type AnchorChain, type Engine } from './fixtures.js';

const N = 200;
const D = 5;
const ANCHOR = 17;

let prover: Prover;
let engine: Engine;
let anchors: AnchorChain;
let sampled: ProofV2;
let full: ProofV2;

beforeAll(async () => {
  prover = await loadProver();
  engine = proverEngine(prover);
  anchors = anchorChain(20);
  const params = { anchor: { index: ANCHOR, hash: anchors.hashes.get(ANCHOR)! }, subject: randomHex(), beats: N, difficulty: D, engine, challengeWork: 1024 };
  sampled = await buildProofV2({ ...params, mode: 'sampled' });
  full = await buildProofV2({ ...params, mode: 'full' });
});

const tamper = (proof: ProofV2, change: (p: ProofV2) => void): ProofV2 => {
  const copy = structuredClone(proof);
  change(copy);
  return copy;
};
const verify = (proof: ProofV2, ctx: Partial<VerifyContext> = {}) =>
  verifyProofV2(mustParseProofV2(proof, FAST_LIMITS), { limits: FAST_LIMITS, engine, anchors, ...ctx });
/** A hex value differing from `hex` in its last digit. */
const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
const withHead = (head: number): AnchorSource => ({ headIndex: async () => head, hashAt: (i) => anchors.hashAt(i) });

describe.each(['sampled', 'full'] as const)('mode %s', (mode) => {
  const proof = () => (mode === 'sampled' ? sampled : full);

  it('the untouched proof passes', async () => {
    expect((await verify(proof())).valid).toBe(true);
  });

  it('insufficient_difficulty: d below the minimum, checked before anything else', async () => {
    const limits: ProofLimits = { ...FAST_LIMITS, minDifficulty: D + 1 };
    expect(await verify(proof(), { limits })).toEqual({ valid: false, reason: REASONS.INSUFFICIENT_DIFFICULTY });
    const unavailable: AnchorSource = { headIndex: () => Promise.reject(new Error('down')), hashAt: async () => null };
    expect(await verify(proof(), { limits, anchors: unavailable })).toEqual({ valid: false, reason: 'insufficient_difficulty' });
    expect(await verify(tamper(proof(), (p) => (p.difficulty = 0)))).toEqual({ valid: false, reason: 'insufficient_difficulty' });
  });

  it('anchor_unavailable: the head cannot be read, or the anchor store fails', async () => {
    const down: AnchorSource = { headIndex: () => Promise.reject(new Error('db down')), hashAt: (i) => anchors.hashAt(i) };
    expect(await verify(proof(), { anchors: down })).toEqual({ valid: false, reason: REASONS.ANCHOR_UNAVAILABLE });
    const broken: AnchorSource = { headIndex: async () => 20, hashAt: () => Promise.reject(new Error('db down')) };
    expect(await verify(proof(), { anchors: broken })).toEqual({ valid: false, reason: 'anchor_unavailable' });
  });

  it('stale_anchor: older than head − grace, or ahead of the head; the window edges pass', async () => {
    const grace = FAST_LIMITS.anchorGraceWindow;
    expect(await verify(proof(), { anchors: withHead(ANCHOR + grace + 1) })).toEqual({ valid: false, reason: REASONS.STALE_ANCHOR });
    expect(await verify(proof(), { anchors: withHead(ANCHOR - 1) })).toEqual({ valid: false, reason: 'stale_anchor' });
    expect((await verify(proof(), { anchors: withHead(ANCHOR + grace) })).valid).toBe(true);
    expect((await verify(proof(), { anchors: withHead(ANCHOR) })).valid).toBe(true);
  });

  it('anchor_mismatch: the stored anchor differs, or there is none', async () => {
    const other: AnchorSource = { headIndex: async () => 20, hashAt: async () => randomHex() };
    expect(await verify(proof(), { anchors: other })).toEqual({ valid: false, reason: REASONS.ANCHOR_MISMATCH });
    const missing: AnchorSource = { headIndex: async () => 20, hashAt: async () => null };
    expect(await verify(proof(), { anchors: missing })).toEqual({ valid: false, reason: 'anchor_mismatch' });
    const changed = tamper(proof(), (p) => (p.anchor_hash = flip(p.anchor_hash)));
    expect(await verify(changed)).toEqual({ valid: false, reason: 'anchor_mismatch' });
  });

  it('seed_mismatch: another subject, or another from_hash (protocol B1)', async () => {
    expect(await verify(tamper(proof(), (p) => (p.subject = randomHex())))).toEqual({ valid: false, reason: REASONS.SEED_MISMATCH });
    expect(await verify(tamper(proof(), (p) => (p.from_hash = flip(p.from_hash))))).toEqual({ valid: false, reason: 'seed_mismatch' });
  });

  it('endpoint_mismatch: to_hash is not the last beat', async () => {
    expect(await verify(tamper(proof(), (p) => (p.to_hash = flip(p.to_hash))))).toEqual({ valid: false, reason: REASONS.ENDPOINT_MISMATCH });
  });
});

describe('mode sampled', () => {
  const refused = (reason: string) => ({ valid: false, reason });

  it('endpoint_mismatch: the first check does not start at from_hash, or the second does not end at to_hash', async () => {
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![0].prev = randomHex())))).toEqual(refused('endpoint_mismatch'));
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![1].hash = randomHex())))).toEqual(refused('endpoint_mismatch'));
  });

  it('challenge_mismatch: two challenged checks swapped', async () => {
    const checks = sampled.spot_checks!;
    const j = checks.findIndex((c, i) => i >= 2 && c.index !== checks[2].index);
    const swapped = tamper(sampled, (p) => ([p.spot_checks![2], p.spot_checks![j]] = [p.spot_checks![j], p.spot_checks![2]]));
    expect(await verify(swapped)).toEqual(refused('challenge_mismatch'));
  });

  it('swapping the checks at 1 and N is caught at the endpoints', async () => {
    const swapped = tamper(sampled, (p) => ([p.spot_checks![0], p.spot_checks![1]] = [p.spot_checks![1], p.spot_checks![0]]));
    // The endpoints are checked first: the first check's prev is then b_{N−1}.
    expect(await verify(swapped)).toEqual(refused('endpoint_mismatch'));
  });

  it('challenge_mismatch: another merkle_root, challenge_work, difficulty or N changes every challenge', async () => {
    expect(await verify(tamper(sampled, (p) => (p.merkle_root = randomHex())))).toEqual(refused('challenge_mismatch'));
    expect(await verify(tamper(sampled, (p) => (p.challenge_work = 1025)))).toEqual(refused('challenge_mismatch'));
    expect(await verify(tamper(sampled, (p) => (p.difficulty = D + 1)))).toEqual(refused('challenge_mismatch'));
    // A larger N keeps the checks' indices in range; check N's index still says 200.
    expect(await verify(tamper(sampled, (p) => (p.beats_computed = N + 1)))).toEqual(refused('challenge_mismatch'));
  });

  it('challenge_mismatch: one challenged index changed', async () => {
    const changed = tamper(sampled, (p) => {
      const c = p.spot_checks![10];
      c.index = c.index === N ? N - 1 : c.index + 1;
    });
    expect(await verify(changed)).toEqual(refused('challenge_mismatch'));
  });

  it('path_invalid: one node of one audit path changed', async () => {
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![5].hash_path[2] = flip(p.spot_checks![5].hash_path[2]))))).toEqual(
      refused('path_invalid'),
    );
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![40].prev_path[0] = randomHex())))).toEqual(refused('path_invalid'));
  });

  it('path_invalid: a path one node short or one node long', async () => {
    expect(await verify(tamper(sampled, (p) => p.spot_checks![7].hash_path.pop()))).toEqual(refused('path_invalid'));
    expect(await verify(tamper(sampled, (p) => p.spot_checks![7].prev_path.push(randomHex())))).toEqual(refused('path_invalid'));
  });

  it('path_invalid: a middle check whose beat is not the committed one', async () => {
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![9].hash = randomHex())))).toEqual(refused('path_invalid'));
    expect(await verify(tamper(sampled, (p) => (p.spot_checks![9].prev = randomHex())))).toEqual(refused('path_invalid'));
  });

  it('spot_check_failed: a committed chain whose link 1 is broken (index 1 is always checked)', async () => {
    for (const broken of [1, N]) {
      const anchor = { index: ANCHOR, hash: anchors.hashes.get(ANCHOR)! };
      const proof = await buildProofV2({
        anchor, subject: randomHex(), beats: N, difficulty: D, mode: 'sampled', challengeWork: 1024,
        engine: brokenChainEngine(prover, new Set([broken])),
      });
      expect(await verify(proof)).toEqual(refused('spot_check_failed'));
    }
  });

  it('the first failing check decides: a bad path and a broken beat give path_invalid', async () => {
    const anchor = { index: ANCHOR, hash: anchors.hashes.get(ANCHOR)! };
    const proof = await buildProofV2({
      anchor, subject: randomHex(), beats: N, difficulty: D, mode: 'sampled', challengeWork: 1024,
      engine: brokenChainEngine(prover, new Set([1])),
    });
    expect(await verify(tamper(proof, (p) => (p.spot_checks![3].hash_path[0] = randomHex())))).toEqual(refused('path_invalid'));
  });
});

describe('mode full', () => {
  it.each([1, 100, N - 1])('spot_check_failed: beat %d changed', async (i) => {
    expect(await verify(tamper(full, (p) => (p.beats![i - 1] = randomHex())))).toEqual({ valid: false, reason: REASONS.SPOT_CHECK_FAILED });
  });

  it('endpoint_mismatch: the last beat changed (before the beats are checked)', async () => {
    expect(await verify(tamper(full, (p) => (p.beats![N - 1] = randomHex())))).toEqual({ valid: false, reason: 'endpoint_mismatch' });
  });

  it('spot_check_failed: a chain continued honestly after one broken link', async () => {
    const anchor = { index: ANCHOR, hash: anchors.hashes.get(ANCHOR)! };
    const proof = await buildProofV2({
      anchor, subject: randomHex(), beats: N, difficulty: D, mode: 'full', engine: brokenChainEngine(prover, new Set([123])),
    });
    expect(await verify(proof)).toEqual({ valid: false, reason: 'spot_check_failed' });
  });
});

describe('through the pool', () => {
  it('the same reasons, and honest proofs pass', async () => {
    const pool = new ProverPool({ threads: 2 });
    try {
      const ctx = { engine: poolEngine(pool) };
      expect((await verify(sampled, ctx)).valid).toBe(true);
      expect((await verify(full, ctx)).valid).toBe(true);
      expect(await verify(tamper(full, (p) => (p.beats![50] = randomHex())), ctx)).toEqual({ valid: false, reason: 'spot_check_failed' });
      const anchor = { index: ANCHOR, hash: anchors.hashes.get(ANCHOR)! };
      const broken = await buildProofV2({
        anchor, subject: randomHex(), beats: N, difficulty: D, mode: 'sampled', challengeWork: 1024,
        engine: brokenChainEngine(prover, new Set([N])),
      });
      expect(await verify(broken, ctx)).toEqual({ valid: false, reason: 'spot_check_failed' });
    } finally {
      await pool.close();
    }
  });
});

describe('misuse', () => {
  it('a proof that does not parse never reaches the verifier: mustParseProofV2 throws a TypeError naming the field', () => {
    expect(() => verify(tamper(sampled, (p) => p.spot_checks!.pop()))).toThrow(/^"proof\.spot_checks" /);
    expect(() => verify({ ...full, beats: undefined })).toThrow(TypeError);
  });

  it('an engine failure rejects and leaves no unhandled rejection behind', async () => {
    const failing: Engine = { ...engine, batch: () => Promise.reject(new Error('worker died')) };
    await expect(verify(sampled, { engine: failing })).rejects.toThrow('worker died');
    // The challenges fail first here, and the batch rejection is still handled.
    expect(await verify(tamper(sampled, (p) => (p.merkle_root = randomHex())), { engine: failing })).toEqual({
      valid: false,
      reason: 'challenge_mismatch',
    });
  });
});
