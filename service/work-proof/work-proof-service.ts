// Checks work proofs of either version and, for /work-proof, signs a receipt saying what was
// checked. Logic failures are the peer's 200 {valid:false, reason}; malformed input is AppError
// VALIDATION; a full prover queue is 503 OVERLOADED with a retry hint instead of an unbounded wait.
import { DEFAULT_PROOF_LIMITS, parseProofV2, verifyProofV2, type ProofLimits } from '../../shared/proof-v2/index.js';
import type { VerifyingEngine } from '../../shared/proof-engine.js';
import { AppError } from '../errors.js';
import type { AnchorLookup } from './anchor-window.js';
import type { WorkProofReceipt, WorkProofReceiptFields } from '../../shared/work-proof-receipt.js';
import type { ReceiptSigner } from './receipt-signer.js';
import { nodeSha256 } from './node-sha256.js';
import { V1_LIMITS } from './v1-limits.js';
import { parseProofV1 } from './v1-parse.js';
import { verifyProofV1 } from './v1-verify.js';

/** How long a client should wait when the prover pool's queue is full. */
export const OVERLOAD_RETRY_MS = 1000;

/** What checking a proof found. */
export type CheckOutcome = { valid: true; receipt: WorkProofReceiptFields } | { valid: false; reason: string };
/** What submitting a proof answers. */
export type SubmitOutcome = { valid: true; receipt: WorkProofReceipt } | { valid: false; reason: string };

/** The work-proof rules over an engine, the anchors and a receipt signer. */
export class WorkProofService {
  readonly limits: ProofLimits;

  constructor(private readonly deps: { engine: VerifyingEngine; anchors: AnchorLookup; signer: ReceiptSigner; limits?: ProofLimits }) {
    this.limits = deps.limits ?? DEFAULT_PROOF_LIMITS;
  }

  /** Checks the proof in `body` ({work_proof:{…}} or flat) and signs a receipt when it holds. */
  async submit(body: unknown): Promise<SubmitOutcome> {
    const outcome = await this.check(body);
    if (!outcome.valid) return outcome;
    return { valid: true, receipt: await this.deps.signer.sign(outcome.receipt) };
  }

  /** Checks the proof in `body` without signing anything (POST /verify). */
  async check(body: unknown): Promise<CheckOutcome> {
    const proof = unwrap(body);
    const { engine, anchors } = this.deps;
    try {
      if (proof.version === 2) {
        const parsed = parseProofV2(proof, this.limits);
        if (!parsed.ok) throw new AppError('VALIDATION', parsed.message, { field: `work_proof.${parsed.field}` });
        return await verifyProofV2(parsed.proof, { limits: this.limits, engine, anchors, hash: nodeSha256 });
      }
      if (proof.version !== undefined && proof.version !== 1) {
        throw new AppError('VALIDATION', 'version must be 1 or 2', { field: 'version' });
      }
      return await verifyProofV1(parseProofV1(proof), { engine, anchors });
    } catch (error) {
      throw overloadOr(error);
    }
  }

  /** Every limit a client needs, for GET /work-proof (the peer's `public_caps` and ours). */
  describe(bodyLimitBytes: number): Record<string, unknown> {
    const l = this.limits;
    return {
      public_caps: {
        min_difficulty: V1_LIMITS.minDifficulty, max_difficulty: V1_LIMITS.maxDifficulty,
        min_spot_checks: V1_LIMITS.minSpotChecks, max_spot_checks: V1_LIMITS.maxSpotChecks, anchor_grace_window: V1_LIMITS.anchorGraceWindow,
      },
      v2: {
        modes: ['sampled', 'full'], min_difficulty: l.minDifficulty, max_difficulty: l.maxDifficulty,
        k: l.k, challenge_work: l.challengeWork, max_beats: l.maxBeats, max_verify_iterations: l.maxVerifyIterations,
        anchor_grace_window: l.anchorGraceWindow, max_path_length: l.maxPathLength,
      },
      body_limit_bytes: bodyLimitBytes,
      signing_context: 'beats:work-proof:v1',
      receipt_format: {
        signature: 'base64 Ed25519 over the canonical JSON (top-level keys sorted) of every other field, with the work-proof key (GET /api/v1/beat/key, by kid)',
        fields: ['type', 'version', 'mode', 'assurance', 'subject', 'beats_verified', 'difficulty', 'anchor_index', 'anchor_hash', 'from_hash', 'to_hash', 'merkle_root', 'utc', 'kid'],
        assurance: { full: 'every beat recomputed', 'fs-<k>': 'k Fiat–Shamir spot checks over a Merkle commitment', 'prover-chosen': 'v1: spot checks chosen by the prover; the count is a claim' },
      },
    };
  }
}

function unwrap(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppError('VALIDATION', 'the body must be a JSON object', { field: 'body' });
  const inner = (body as Record<string, unknown>).work_proof;
  if (inner === undefined) return body as Record<string, unknown>;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new AppError('VALIDATION', 'work_proof must be an object', { field: 'work_proof' });
  return inner as Record<string, unknown>;
}

/** A full or closed prover pool becomes 503 with Retry-After; anything else passes unchanged. */
function overloadOr(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code === 'QUEUE_FULL') return new AppError('OVERLOADED', 'The verifier is busy; retry shortly', { retry_after_ms: OVERLOAD_RETRY_MS });
  if (code === 'CLOSED') return new AppError('SHUTTING_DOWN', undefined, { retry_after_ms: OVERLOAD_RETRY_MS });
  return error;
}
