// The verifier of work proof v2 (protocol B3 "Verifier", B4, B5): anchor, binding, endpoints, challenges,
// audit paths, then the beats themselves, all recomputed in one engine batch. Each refusal is one reason code.
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../bytes.js';
import { hexToBytes } from '../hex.js';
import { hashLeaf, leafData, verifyAuditPath, type HashFn } from '../merkle.js';
import type { VerifyingEngine } from '../proof-engine.js';
import { challengeSeed, deriveChallenges, deriveFromHash } from './derivation.js';
import type { ProofLimits } from './limits.js';
import { assuranceOf } from './build.js';
import { REASONS, type ParsedProofV2, type ProofV2, type ProofV2Reason, type ReceiptFieldsV2, type SpotCheck, type VerifyResultV2 } from './types.js';

/** The verifier's view of the anchor chain (protocol A2). */
export interface AnchorSource {
  /** Index of the newest anchor; throwing means the head is unknown and the proof is refused. */
  headIndex(): Promise<number>;
  /** Hash of the anchor at `index`, or null when there is none. */
  hashAt(index: number): Promise<string | null>;
}

/** What verifyProofV2 needs besides the proof. */
export interface VerifyContext {
  limits: ProofLimits;
  engine: VerifyingEngine;
  anchors: AnchorSource;
  /** Hash of the Merkle tree (default @noble/hashes sha256). */
  hash?: HashFn;
}

/**
 * Verifies a proof that passed parseProofV2 with `ctx.limits` (the type says so: the work it may cost was bounded
 * there). Resolves to the receipt fields to sign, or to the first failing reason in
 * protocol order: insufficient_difficulty, anchor_unavailable, stale_anchor, anchor_mismatch, seed_mismatch,
 * endpoint_mismatch, challenge_mismatch, path_invalid, spot_check_failed. Engine failures reject.
 */
export async function verifyProofV2(p: ParsedProofV2, ctx: VerifyContext): Promise<VerifyResultV2> {
  if (p.difficulty < ctx.limits.minDifficulty) return refuse(REASONS.INSUFFICIENT_DIFFICULTY);
  const anchorRefusal = await checkAnchor(p, ctx);
  if (anchorRefusal) return refuse(anchorRefusal);
  // Protocol B1: the chain must start from the value bound to this anchor and subject.
  if (p.from_hash !== deriveFromHash(p.anchor_hash, p.anchor_index, p.subject)) return refuse(REASONS.SEED_MISMATCH);

  const refusal = p.mode === 'sampled' ? await checkSampled(p, ctx) : await checkFull(p, ctx);
  if (refusal) return refuse(refusal);
  return { valid: true, receipt: receiptOf(p) };
}

/** Anchor known, within the grace window of the head and matching (protocol A4 rules, reused by B5). */
async function checkAnchor(p: ProofV2, { anchors, limits }: VerifyContext): Promise<ProofV2Reason | null> {
  let head: number;
  try {
    head = await anchors.headIndex();
  } catch {
    return REASONS.ANCHOR_UNAVAILABLE; // never waved through (protocol A4)
  }
  if (!Number.isSafeInteger(head)) return REASONS.ANCHOR_UNAVAILABLE;
  if (p.anchor_index > head || p.anchor_index < head - limits.anchorGraceWindow) return REASONS.STALE_ANCHOR;
  let stored: string | null;
  try {
    stored = await anchors.hashAt(p.anchor_index);
  } catch {
    return REASONS.ANCHOR_UNAVAILABLE;
  }
  return stored === p.anchor_hash ? null : REASONS.ANCHOR_MISMATCH;
}

/** Protocol B3: endpoints, challenges, audit paths, then every distinct checked beat in one batch. */
async function checkSampled(p: ParsedProofV2, ctx: VerifyContext): Promise<ProofV2Reason | null> {
  const checks = p.spot_checks!;
  const n = p.beats_computed;
  const k = p.k!;
  if (checks[0].prev !== p.from_hash || checks[1].hash !== p.to_hash) return REASONS.ENDPOINT_MISMATCH;

  // The challenge derivation (SHA256^W) and the beats are independent work: both start now so the engine can
  // overlap them (the pool runs them on different workers); reasons are still reported in protocol order.
  const c0 = challengeSeed({
    anchorHash: p.anchor_hash, anchorIndex: p.anchor_index, subject: p.subject, fromHash: p.from_hash,
    toHash: p.to_hash, beats: n, difficulty: p.difficulty, k, merkleRoot: p.merkle_root!,
  });
  const challenges = deriveChallenges(c0, p.challenge_work!, k, n, ctx.engine.iterate);
  const distinct = distinctChecks(checks);
  const beats = recomputeBeats(ctx.engine, p, distinct.map((c) => c.prev), distinct.map((c) => c.index));
  // A refusal may return before awaiting one of them; its rejection must not go unhandled.
  challenges.catch(() => undefined);
  beats.catch(() => undefined);

  const expected = [1, n, ...(await challenges)];
  if (!checks.every((check, j) => check.index === expected[j])) return REASONS.CHALLENGE_MISMATCH;

  const hash = ctx.hash ?? sha256;
  const root = hexToBytes(p.merkle_root!);
  for (const check of checks) {
    // Leaves index−1 and index of the tree over D_i = u64be(i) ‖ b_i, size N+1 (protocol B3).
    const prevOk = pathLeads(check.index - 1, check.prev, check.prev_path, n + 1, root, hash);
    if (!prevOk || !pathLeads(check.index, check.hash, check.hash_path, n + 1, root, hash)) return REASONS.PATH_INVALID;
  }

  const computed = await beats;
  return distinct.every((c, j) => equalBytes(computed.subarray(32 * j, 32 * j + 32), hexToBytes(c.hash)))
    ? null
    : REASONS.SPOT_CHECK_FAILED;
}

/** Protocol B4: the last beat is to_hash, and every b_i is Beat(b_{i−1}, i, d, anchor_hash), b_0 = from_hash. */
async function checkFull(p: ParsedProofV2, ctx: VerifyContext): Promise<ProofV2Reason | null> {
  const beats = p.beats!;
  if (beats[beats.length - 1] !== p.to_hash) return REASONS.ENDPOINT_MISMATCH;
  const prevs = [p.from_hash, ...beats.slice(0, -1)];
  const computed = await recomputeBeats(ctx.engine, p, prevs, beats.map((_, j) => j + 1));
  return beats.every((b, j) => equalBytes(computed.subarray(32 * j, 32 * j + 32), hexToBytes(b)))
    ? null
    : REASONS.SPOT_CHECK_FAILED;
}

/** All the beats in one engine call, so the pool spreads them over its workers and SIMD lanes. */
async function recomputeBeats(engine: VerifyingEngine, p: ProofV2, prevs: string[], indices: number[]): Promise<Uint8Array> {
  const packed = new Uint8Array(prevs.length * 32);
  prevs.forEach((prev, j) => packed.set(hexToBytes(prev), 32 * j));
  const out = await engine.batch({ prevs: packed, indices, difficulty: p.difficulty, anchorHash: p.anchor_hash });
  if (!(out instanceof Uint8Array) || out.length !== packed.length) {
    throw new TypeError(`"engine.batch" expected to return Uint8Array of length ${packed.length}`);
  }
  return out;
}

/** The first check at each index: checks at one index carry the same leaves once their paths hold. */
function distinctChecks(checks: SpotCheck[]): SpotCheck[] {
  const seen = new Map<number, SpotCheck>();
  for (const check of checks) if (!seen.has(check.index)) seen.set(check.index, check);
  return [...seen.values()];
}

function pathLeads(index: number, beat: string, path: string[], size: number, root: Uint8Array, hash: HashFn): boolean {
  const leaf = hashLeaf(leafData(index, hexToBytes(beat)), hash);
  return verifyAuditPath(leaf, index, size, path.map(hexToBytes), root, hash);
}

function receiptOf(p: ProofV2): ReceiptFieldsV2 {
  return {
    type: 'work_proof',
    version: 2,
    mode: p.mode,
    assurance: assuranceOf(p.mode, p.k),
    subject: p.subject,
    beats_verified: p.beats_computed,
    difficulty: p.difficulty,
    anchor_index: p.anchor_index,
    anchor_hash: p.anchor_hash,
    from_hash: p.from_hash,
    to_hash: p.to_hash,
    merkle_root: p.mode === 'sampled' ? p.merkle_root! : null,
  };
}

function refuse(reason: ProofV2Reason): VerifyResultV2 {
  return { valid: false, reason };
}
