// The bounds the service puts on v2 proofs (GET /api/v1/beat/work-proof), so the form refuses a
// proof the service would refuse before any hashing. Falls back to the protocol defaults.
import { DEFAULT_PROOF_LIMITS } from '../../shared/proof-v2/limits.js';
import { requestJson } from '../../shared/sdk/index.js';

/** The largest N the page offers in sampled mode (the service accepts more; the page's chain lives in memory). */
export const PAGE_MAX_BEATS = 100_000;

/** What the form checks. */
export interface ProofLimitsView {
  maxBeatsFull: number;
  minDifficulty: number;
  maxDifficulty: number;
  /** Cap on beat work per request in SHA-256 calls: N × (d+1) in full mode, (k+2) × (d+1) sampled. */
  maxVerifyIterations: number;
  k: number;
  /** How many anchors behind the head a proof's anchor may be when it arrives. */
  graceWindow: number;
}

/** The protocol defaults (shared/proof-v2/limits.ts). */
export const DEFAULT_LIMITS_VIEW: ProofLimitsView = {
  maxBeatsFull: DEFAULT_PROOF_LIMITS.maxBeats.full,
  minDifficulty: DEFAULT_PROOF_LIMITS.minDifficulty,
  maxDifficulty: DEFAULT_PROOF_LIMITS.maxDifficulty,
  maxVerifyIterations: DEFAULT_PROOF_LIMITS.maxVerifyIterations,
  k: DEFAULT_PROOF_LIMITS.k.default,
  graceWindow: DEFAULT_PROOF_LIMITS.anchorGraceWindow,
};

interface Described {
  v2?: {
    min_difficulty?: number;
    max_difficulty?: number;
    max_beats?: { full?: number };
    max_verify_iterations?: number;
    k?: { default?: number };
    anchor_grace_window?: number;
  };
}

/** The service's limits, or the defaults when it does not describe them. */
export async function fetchProofLimits(baseUrl: string): Promise<ProofLimitsView> {
  try {
    const { v2 } = await requestJson<Described>({ baseUrl, timeoutMs: 10_000, retries503: 0 }, 'GET', '/api/v1/beat/work-proof');
    const pick = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : fallback);
    const d = DEFAULT_LIMITS_VIEW;
    return {
      maxBeatsFull: pick(v2?.max_beats?.full, d.maxBeatsFull),
      minDifficulty: pick(v2?.min_difficulty, d.minDifficulty),
      maxDifficulty: pick(v2?.max_difficulty, d.maxDifficulty),
      maxVerifyIterations: pick(v2?.max_verify_iterations, d.maxVerifyIterations),
      k: pick(v2?.k?.default, d.k),
      graceWindow: pick(v2?.anchor_grace_window, d.graceWindow),
    };
  } catch {
    return DEFAULT_LIMITS_VIEW;
  }
}
