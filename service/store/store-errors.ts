// Typed store failures. The store knows nothing of HTTP: the service layer maps these codes to
// its own AppError where a request can cause them.

/** Codes of the failures the store itself raises. */
export type StoreErrorCode =
  | 'STORE_CLOSED'
  | 'TRANSACTION_FINISHED'
  | 'OUTER_HANDLE_IN_TRANSACTION'
  | 'TRANSACTION_ABORTED'
  | 'MIGRATION_UNKNOWN'
  | 'ANCHOR_CONFLICT';

/** A failure raised by the store layer, identified by `code`. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Why an anchor was refused: not head+1, prev_hash not the head's hash, or index/hash already stored. */
export type AnchorConflictReason = 'gap' | 'fork' | 'duplicate';

/** An anchor insert that would not extend the stored chain (protocol A2: never resets, never forks). */
export class AnchorConflictError extends StoreError {
  readonly reason: AnchorConflictReason;
  readonly beatIndex: number;

  constructor(reason: AnchorConflictReason, beatIndex: number, message: string) {
    super('ANCHOR_CONFLICT', message);
    this.name = 'AnchorConflictError';
    this.reason = reason;
    this.beatIndex = beatIndex;
  }
}

/** True when `error` is a PRIMARY KEY or UNIQUE violation from either engine. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL SQLSTATE 23505; better-sqlite3 exposes SQLite's extended result code names.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
