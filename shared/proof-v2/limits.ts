// The bounds a verifier puts on work proofs v2 (protocol B3, B4, B5; A4 for the grace window). The service
// advertises them at GET /api/v1/beat/work-proof; tests lower them to stay fast.

/** An integer setting with its allowed range and the value taken when a proof leaves it out. */
export interface BoundedSetting {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** Every limit a verifier applies to a v2 proof. */
export interface ProofLimits {
  /** Lowest accepted difficulty d; below it a proof is refused with `insufficient_difficulty`. */
  readonly minDifficulty: number;
  /** Highest difficulty a proof may state; above it the proof is malformed. */
  readonly maxDifficulty: number;
  /** Number of challenged spot checks k (protocol B3). */
  readonly k: BoundedSetting;
  /** Iterations W of the challenge derivation SHA256^W (protocol B3). */
  readonly challengeWork: BoundedSetting;
  /** Largest beats_computed N per mode (protocol B3 "any N", B4 "N ≤ 2 048"). */
  readonly maxBeats: { readonly sampled: number; readonly full: number };
  /** Cap on beat work per request, in SHA-256 calls: distinct checks × (d+1) sampled, N × (d+1) full. */
  readonly maxVerifyIterations: number;
  /** How many anchors behind the head a proof's anchor may be (protocol A4: 5). */
  readonly anchorGraceWindow: number;
  /** Longest audit path accepted (a tree of 2^64 leaves has paths of 64 nodes). */
  readonly maxPathLength: number;
}

/** The service's limits (protocol B3 defaults k = 64, W = 65 536; B4 N ≤ 2 048). */
export const DEFAULT_PROOF_LIMITS: ProofLimits = Object.freeze({
  minDifficulty: 100,
  maxDifficulty: 100_000,
  k: Object.freeze({ min: 64, max: 256, default: 64 }),
  challengeWork: Object.freeze({ min: 65_536, max: 1_048_576, default: 65_536 }),
  maxBeats: Object.freeze({ sampled: 10_000_000, full: 2048 }),
  maxVerifyIterations: 2_097_152,
  anchorGraceWindow: 5,
  maxPathLength: 64,
});
