// Typed prover errors. Errors thrown inside a worker lose their class crossing the thread
// boundary, so workers return `{ ok: false, code }` and the pool rebuilds these.

/** A computation stopped because its caller cancelled it. */
export class ProverCancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor(message = 'The computation was cancelled') {
    super(message);
    this.name = 'ProverCancelledError';
  }
}

/** The pool's queue is full: the caller should retry later (the service answers 503). */
export class ProverQueueFullError extends Error {
  readonly code = 'QUEUE_FULL';
  constructor(readonly maxQueue: number) {
    super(`The prover pool's queue is full (${maxQueue} tasks waiting)`);
    this.name = 'ProverQueueFullError';
  }
}

/** The pool was closed before or while the task ran. */
export class ProverClosedError extends Error {
  readonly code = 'CLOSED';
  constructor() {
    super('The prover pool is closed');
    this.name = 'ProverClosedError';
  }
}
