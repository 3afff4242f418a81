// Typed errors of the client SDK: each carries the server's `code` (and retry hints) so callers
// branch on codes, never on message text.

/** A non-2xx answer from a Beats service or registry. */
export class BeatsApiError extends Error {
  override readonly name = 'BeatsApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
    /** Milliseconds to wait before retrying (from `retry_after_ms` or `Retry-After`), if given. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The anchor chain the service published does not verify (signature, hash or continuity). */
export class AnchorVerificationError extends Error {
  override readonly name = 'AnchorVerificationError';
  constructor(
    readonly code: 'ANCHOR_SIGNATURE' | 'ANCHOR_HASH' | 'ANCHOR_REGRESSION' | 'ANCHOR_FORK' | 'ANCHOR_CHAIN_BREAK' | 'ANCHOR_KEY_UNKNOWN',
    message: string,
  ) {
    super(message);
  }
}

/** A work proof the service refused (`{valid:false, reason}`). */
export class ProofRejectedError extends Error {
  override readonly name = 'ProofRejectedError';
  readonly code = 'PROOF_REJECTED';
  constructor(readonly reason: string) {
    super(`The Beats service refused the proof: ${reason}`);
  }
}

/** A receipt whose signature, key or fields do not verify. */
export class ReceiptVerificationError extends Error {
  override readonly name = 'ReceiptVerificationError';
  readonly code = 'RECEIPT_INVALID';
}
