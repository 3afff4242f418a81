// The logic checks of a v1 proof (protocol A4): the peer's 200 {valid:false, reason} cases plus the
// holes of peer-protocol §7 closed — ordered distinct checks that span exactly beats_computed and
// start at from_hash and end at to_hash (#1, #3), the anchor known and matching (#4, #5), the
// difficulty taken as given only within [min, max] and verified at that value (#7).
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import type { VerifyingEngine } from '../../shared/proof-engine.js';
import type { ReceiptFieldsV1 } from '../../shared/work-proof-receipt.js';
import { checkAnchor, type AnchorLookup } from './anchor-window.js';
import { V1_LIMITS } from './v1-limits.js';
import type { ProofV1 } from './v1-parse.js';

/** Outcome of checking a v1 proof. */
export type V1Outcome = { valid: true; receipt: ReceiptFieldsV1 } | { valid: false; reason: string };

/** Checks a parsed v1 proof; the beats of its spot checks run on `engine` (SIMD batch). */
export async function verifyProofV1(proof: ProofV1, ctx: { engine: VerifyingEngine; anchors: AnchorLookup }): Promise<V1Outcome> {
  const d = proof.difficulty;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < V1_LIMITS.minDifficulty) return { valid: false, reason: 'insufficient_difficulty' };
  if (d > V1_LIMITS.maxDifficulty) return { valid: false, reason: 'difficulty_too_high' };
  const checks = proof.spot_checks;
  if (checks.length < Math.min(V1_LIMITS.minSpotChecks, proof.beats_computed)) return { valid: false, reason: 'insufficient_spot_checks' };
  for (let i = 1; i < checks.length; i++) {
    if (checks[i].index <= checks[i - 1].index) return { valid: false, reason: 'spot_checks_unordered' };
  }
  const first = checks[0];
  const last = checks[checks.length - 1];
  if (last.index - first.index + 1 !== proof.beats_computed) return { valid: false, reason: 'count_mismatch' };
  if (first.prev !== proof.from_hash || last.hash !== proof.to_hash) return { valid: false, reason: 'endpoint_mismatch' };
  const anchorProblem = await checkAnchor(ctx.anchors, proof.anchor_index, proof.anchor_hash, V1_LIMITS.anchorGraceWindow);
  if (anchorProblem) return { valid: false, reason: anchorProblem };
  if (!(await beatsHold(proof, d, ctx.engine))) return { valid: false, reason: 'spot_check_failed' };
  return {
    valid: true,
    receipt: {
      type: 'work_proof', version: 1, mode: 'v1-spot', assurance: 'prover-chosen', subject: null, merkle_root: null,
      beats_verified: proof.beats_computed, difficulty: d, anchor_index: proof.anchor_index, anchor_hash: proof.anchor_hash,
      from_hash: proof.from_hash, to_hash: proof.to_hash,
    },
  };
}

/** Recomputes every spot check, one engine batch per distinct nonce (usually one). */
async function beatsHold(proof: ProofV1, difficulty: number, engine: VerifyingEngine): Promise<boolean> {
  const byNonce = new Map<string | undefined, typeof proof.spot_checks>();
  for (const check of proof.spot_checks) byNonce.set(check.nonce, [...(byNonce.get(check.nonce) ?? []), check]);
  for (const [nonce, group] of byNonce) {
    const prevs = new Uint8Array(group.length * 32);
    group.forEach((c, j) => prevs.set(hexToBytes(c.prev), 32 * j));
    const out = await engine.batch({ prevs, indices: group.map((c) => c.index), difficulty, anchorHash: proof.anchor_hash, nonce });
    for (let j = 0; j < group.length; j++) {
      if (bytesToHex(out.subarray(32 * j, 32 * j + 32)) !== group[j].hash) return false;
    }
  }
  return true;
}
