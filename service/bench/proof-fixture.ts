// The proofs the service benchmark verifies: v2 `sampled` proofs at the protocol's defaults (k = 64,
// W = 65 536, protocol B3) built in-thread, a synthetic anchor to bind them to, and the peer's way of
// computing a beat (protocol A1 on node:crypto) to compare the verifier with.
import crypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from '../../shared/base64.js';
import { bytesToHex } from '../../shared/hex.js';
import type { ProvingEngine } from '../../shared/proof-engine.js';
import { buildProofV2, DEFAULT_PROOF_LIMITS, type AnchorSource, type ProofV2, type SpotCheck } from '../../shared/proof-v2/index.js';

/** Difficulty d of every benchmarked beat (the service's default DIFFICULTY). */
export const BENCH_DIFFICULTY = 1000;
/** Challenges k (protocol B3 default). */
export const BENCH_K = DEFAULT_PROOF_LIMITS.k.default;
/** W of the challenge derivation SHA256^W (protocol B3 default). */
export const BENCH_CHALLENGE_WORK = DEFAULT_PROOF_LIMITS.challengeWork.default;

/** An anchor that no service made: index 42, hash SHA256("beats/bench/anchor"). */
export function syntheticAnchor(): { index: number; hash: string } {
  return { index: 42, hash: bytesToHex(sha256(utf8Encode('beats/bench/anchor'))) };
}

/** An anchor chain whose head is `anchor` and which holds nothing else. */
export function anchorSourceOf(anchor: { index: number; hash: string }): AnchorSource {
  return {
    headIndex: async () => anchor.index,
    hashAt: async (index) => (index === anchor.index ? anchor.hash : null),
  };
}

/** A distinct 32-byte subject per `label` (64 hex). */
export function benchSubject(label: string): string {
  return bytesToHex(sha256(utf8Encode(`beats/bench/subject/${label}`)));
}

/** A `sampled` proof of `beats` beats at BENCH_DIFFICULTY, k = BENCH_K, W = BENCH_CHALLENGE_WORK. */
export function buildSampledProof(engine: ProvingEngine, anchor: { index: number; hash: string }, subject: string, beats: number): Promise<ProofV2> {
  return buildProofV2({
    anchor, subject, beats, difficulty: BENCH_DIFFICULTY, mode: 'sampled', k: BENCH_K, challengeWork: BENCH_CHALLENGE_WORK, engine,
  });
}

/** The first check at each index, in proof order: the beats a verifier recomputes. */
export function distinctChecks(proof: ProofV2): SpotCheck[] {
  const seen = new Map<number, SpotCheck>();
  for (const check of proof.spot_checks ?? []) if (!seen.has(check.index)) seen.set(check.index, check);
  return [...seen.values()];
}

/** Size of the proof as JSON on the wire, in bytes. */
export function proofBytes(proof: ProofV2): number {
  return Buffer.byteLength(JSON.stringify(proof));
}

/**
 * Beat(prev, index, d, anchor) as the peer computes it (protocol A1): a createHash().update().digest('hex') loop
 * over hex strings, the seed `prev:index::anchor` (empty nonce) then d rehashes of the hex.
 */
export function peerBeat(prev: string, index: number, difficulty: number, anchorHash: string): string {
  let h = crypto.createHash('sha256').update(`${prev}:${index}::${anchorHash}`).digest('hex');
  for (let i = 0; i < difficulty; i++) h = crypto.createHash('sha256').update(h).digest('hex');
  return h;
}
