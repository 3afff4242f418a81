// Wire types of work proof v2: the request's `work_proof` object (protocol B5), its spot checks (B3), the
// receipt payload a valid proof earns (B5) and the stable reason codes of logic failures.

import type { ReceiptFieldsV2 } from '../work-proof-receipt.js';

/** How a proof shows its beats: Fiat–Shamir sampled spot checks (protocol B3) or every beat (protocol B4). */
export type ProofMode = 'sampled' | 'full';

/** One challenged beat with its predecessor and their RFC 6962 audit paths (protocol B3). */
export interface SpotCheck {
  /** Beat index i in [1, N]. */
  index: number;
  /** b_{i−1}, 64 lowercase hex. */
  prev: string;
  /** b_i, 64 lowercase hex. */
  hash: string;
  /** Audit path of leaf i−1 in the tree of N+1 leaves, bottom-up. */
  prev_path: string[];
  /** Audit path of leaf i in the tree of N+1 leaves, bottom-up. */
  hash_path: string[];
}

/** The `work_proof` object of a v2 request (protocol B5); 32-byte values are 64 lowercase hex. */
export interface ProofV2 {
  version: 2;
  mode: ProofMode;
  /** Whose work this is (the registry's agent hash without 0x) (protocol B1). */
  subject: string;
  from_hash: string;
  to_hash: string;
  /** N. */
  beats_computed: number;
  /** d. */
  difficulty: number;
  anchor_index: number;
  anchor_hash: string;
  /** Sampled only: number of challenges (default from the verifier's limits). */
  k?: number;
  /** Sampled only: W of SHA256^W (default from the verifier's limits). */
  challenge_work?: number;
  /** Sampled only: the RFC 6962 root over the N+1 leaves u64be(i) ‖ b_i. */
  merkle_root?: string;
  /** Sampled only: checks at [1, N, i_0, …, i_{k−1}]. */
  spot_checks?: SpotCheck[];
  /** Full only: b_1 … b_N. */
  beats?: string[];
}

declare const PARSED: unique symbol;

/**
 * A proof that passed parseProofV2 (its k and challenge_work filled in for mode sampled): the only input
 * verifyProofV2 takes, so that the bounds on its work are checked once, by the type, not again at run time.
 */
export type ParsedProofV2 = ProofV2 & { readonly [PARSED]: true };

/** What a receipt states it checked: every beat, or k Fiat–Shamir challenges (protocol B5). */
export type AssuranceV2 = ReceiptFieldsV2['assurance'];

/** The receipt payload of a valid v2 proof, minus utc, kid and signature (protocol B5). */
export type { ReceiptFieldsV2 };

/** Stable reason codes of a refused v2 proof, in the order the verifier checks them (protocol B5). */
export const REASONS = Object.freeze({
  INSUFFICIENT_DIFFICULTY: 'insufficient_difficulty',
  ANCHOR_UNAVAILABLE: 'anchor_unavailable',
  STALE_ANCHOR: 'stale_anchor',
  ANCHOR_MISMATCH: 'anchor_mismatch',
  SEED_MISMATCH: 'seed_mismatch',
  ENDPOINT_MISMATCH: 'endpoint_mismatch',
  CHALLENGE_MISMATCH: 'challenge_mismatch',
  PATH_INVALID: 'path_invalid',
  SPOT_CHECK_FAILED: 'spot_check_failed',
} as const);

/** One of the reason codes in REASONS. */
export type ProofV2Reason = (typeof REASONS)[keyof typeof REASONS];

/** The verifier's answer: a receipt payload to sign, or a reason code. */
export type VerifyResultV2 = { valid: true; receipt: ReceiptFieldsV2 } | { valid: false; reason: ProofV2Reason };
