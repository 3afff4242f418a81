// Work proof v1 (protocol A4): honest peer-shaped proofs pass, and every hole of peer-protocol §7
// that the protocol closes is closed, each by its own test.
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { AppError } from '../../service/errors.js';
import type { AnchorLookup } from '../../service/work-proof/anchor-window.js';
import { parseProofV1, type ProofV1 } from '../../service/work-proof/v1-parse.js';
import { verifyProofV1 } from '../../service/work-proof/v1-verify.js';

const ANCHOR = 'a1'.repeat(32);
const anchors: AnchorLookup = { headIndex: async () => 42, hashAt: async (i) => (i === 40 ? ANCHOR : i === 42 ? 'b2'.repeat(32) : null) };
const FROM = 'f0'.repeat(32);
const D = 100;

let prover: Prover;
let chain: string[]; // chain[i] = beat i, chain[0] = FROM
beforeAll(async () => {
  prover = await loadProver();
  const { beats } = prover.chain({ from: FROM, fromIndex: 0, count: 40, difficulty: D, anchorHash: ANCHOR, keepBeats: true });
  chain = [FROM, ...Array.from({ length: 40 }, (_, i) => bytesToHex(beats!.subarray(32 * i, 32 * i + 32)))];
});

/** A proof of beats first..last with checks at `indices`, as the peer's clients shape it. */
function proof(indices: number[], overrides: Partial<ProofV1> & Record<string, unknown> = {}): Record<string, unknown> {
  return {
    from_hash: chain[indices[0] - 1], to_hash: chain[indices.at(-1)!], beats_computed: indices.at(-1)! - indices[0] + 1,
    difficulty: D, anchor_index: 40, anchor_hash: ANCHOR,
    spot_checks: indices.map((i) => ({ index: i, hash: chain[i], prev: chain[i - 1] })),
    ...overrides,
  };
}

async function check(body: Record<string, unknown>) {
  return verifyProofV1(parseProofV1(body), { engine: proverEngine(prover), anchors });
}

function validationField(body: Record<string, unknown>): string | undefined {
  try {
    parseProofV1(body);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    return (error as AppError).details?.field as string;
  }
  return undefined;
}

describe('v1: honest proofs', () => {
  it('a proof shaped like the SDK\'s (checks 1, 10, 20, 40) passes and its receipt says what was checked', async () => {
    const out = await check(proof([1, 10, 20, 40]));
    expect(out).toEqual({
      valid: true,
      receipt: {
        type: 'work_proof', version: 1, mode: 'v1-spot', assurance: 'prover-chosen', subject: null, merkle_root: null,
        beats_verified: 40, difficulty: D, anchor_index: 40, anchor_hash: ANCHOR, from_hash: FROM, to_hash: chain[40],
      },
    });
  });

  it('a window that does not start at beat 1 (LocalBeatChain.getProof with lo) passes', async () => {
    expect((await check(proof([11, 20, 30]))).valid).toBe(true);
  });

  it('upper-case hex is lowered, as the peer does', async () => {
    const body = proof([1, 20, 40]);
    body.from_hash = (body.from_hash as string).toUpperCase();
    expect((await check(body)).valid).toBe(true);
  });
});

describe('v1: the holes of peer-protocol §7, closed', () => {
  it('#1 unbounded claim: beats_computed must equal the span of the checks (1e15 after 3 beats is refused)', async () => {
    expect(await check(proof([1, 2, 3], { beats_computed: 1e15 }))).toEqual({ valid: false, reason: 'count_mismatch' });
  });

  it('#1 three copies of one beat no longer pass: checks must be strictly increasing and distinct', async () => {
    const body = proof([5, 5, 5], { beats_computed: 1 });
    expect(await check(body)).toEqual({ valid: false, reason: 'spot_checks_unordered' });
  });

  it('#3 from_hash must be the first check\'s prev', async () => {
    expect(await check(proof([1, 20, 40], { from_hash: 'ee'.repeat(32) }))).toEqual({ valid: false, reason: 'endpoint_mismatch' });
  });

  it('#3 to_hash must be the last check\'s hash', async () => {
    expect(await check(proof([1, 20, 40], { to_hash: 'ee'.repeat(32) }))).toEqual({ valid: false, reason: 'endpoint_mismatch' });
  });

  it('#4 anchor_hash is required', () => {
    const body = proof([1, 20, 40]);
    delete body.anchor_hash;
    expect(validationField(body)).toBe('anchor_hash');
  });

  it('#4 anchor_hash must be the stored anchor at anchor_index (a fake anchor is refused)', async () => {
    const { beats } = prover.chain({ from: FROM, fromIndex: 0, count: 3, difficulty: D, anchorHash: 'cc'.repeat(32), keepBeats: true });
    const fake = [FROM, ...[0, 1, 2].map((i) => bytesToHex(beats!.subarray(32 * i, 32 * i + 32)))];
    const body = {
      from_hash: FROM, to_hash: fake[3], beats_computed: 3, difficulty: D, anchor_index: 40, anchor_hash: 'cc'.repeat(32),
      spot_checks: [1, 2, 3].map((i) => ({ index: i, hash: fake[i], prev: fake[i - 1] })),
    };
    expect(await check(body)).toEqual({ valid: false, reason: 'anchor_mismatch' });
  });

  it('#5 freshness fails closed: when the head cannot be read the proof is refused', async () => {
    const down: AnchorLookup = { headIndex: async () => { throw new Error('database unreachable'); }, hashAt: anchors.hashAt };
    expect(await verifyProofV1(parseProofV1(proof([1, 20, 40])), { engine: proverEngine(prover), anchors: down })).toEqual({ valid: false, reason: 'anchor_unavailable' });
  });

  it('#5 an anchor index beyond the head (999999) or older than the grace window is stale', async () => {
    expect(await check(proof([1, 20, 40], { anchor_index: 999_999 }))).toEqual({ valid: false, reason: 'stale_anchor' });
    expect(await check(proof([1, 20, 40], { anchor_index: 36 }))).toEqual({ valid: false, reason: 'stale_anchor' });
  });

  it('#7 a difficulty above the maximum is refused, never clamped and signed at the clamped value', async () => {
    expect(await check(proof([1, 20, 40], { difficulty: 6000 }))).toEqual({ valid: false, reason: 'difficulty_too_high' });
  });

  it('#7 the difficulty is taken only as a JSON integer: the string "100" and 100.5 are insufficient_difficulty', async () => {
    expect(await check(proof([1, 20, 40], { difficulty: '100' }))).toEqual({ valid: false, reason: 'insufficient_difficulty' });
    expect(await check(proof([1, 20, 40], { difficulty: 100.5 }))).toEqual({ valid: false, reason: 'insufficient_difficulty' });
  });

  it('#7 beats are verified at the stated difficulty: a chain made at 100 fails when the proof says 101', async () => {
    expect(await check(proof([1, 20, 40], { difficulty: 101 }))).toEqual({ valid: false, reason: 'spot_check_failed' });
  });

  it('spot checks that do not recompute fail', async () => {
    const body = proof([1, 20, 40]);
    (body.spot_checks as Array<{ hash: string }>)[1].hash = 'dd'.repeat(32);
    expect(await check(body)).toEqual({ valid: false, reason: 'spot_check_failed' });
  });

  it('fewer than 3 checks for a proof of 3 or more beats is insufficient_spot_checks', async () => {
    expect(await check(proof([1, 40]))).toEqual({ valid: false, reason: 'insufficient_spot_checks' });
  });
});

describe('v1: malformed input is 400 VALIDATION naming the field, in the peer\'s order', () => {
  it.each([
    ['from_hash', { from_hash: 'xyz' }],
    ['to_hash', { to_hash: 42 }],
    ['beats_computed', { beats_computed: 0 }],
    ['beats_computed', { beats_computed: '40' }],
    ['beats_computed', { beats_computed: 1e300 }],
    ['anchor_index', { anchor_index: -1 }],
    ['anchor_hash', { anchor_hash: '' }],
    ['spot_checks', { spot_checks: [] }],
    ['spot_checks', { spot_checks: 'all of them' }],
    ['spot_checks', { spot_checks: Array.from({ length: 26 }, () => ({})) }],
    ['spot_checks.0', { spot_checks: [null] }],
    ['spot_checks.0.index', { spot_checks: [{ index: 0, hash: FROM, prev: FROM }] }],
    ['spot_checks.0.hash', { spot_checks: [{ index: 1, hash: 'zz', prev: FROM }] }],
    ['spot_checks.0.prev', { spot_checks: [{ index: 1, hash: FROM }] }],
    ['spot_checks.0.nonce', { spot_checks: [{ index: 1, hash: FROM, prev: FROM, nonce: 'x'.repeat(257) }] }],
  ])('%s', (field, overrides) => {
    expect(validationField(proof([1, 20, 40], overrides as Partial<ProofV1>))).toBe(field);
  });
});
