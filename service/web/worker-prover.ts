// The page's side of the prover Web Worker: a ProvingEngine (shared/proof-engine.ts) whose chain
// and iterate run in the worker. Cancelling posts a cancel message, which the worker sees between
// segments; if it has not answered within `cancelGraceMs`, the worker is terminated and replaced.
import { ProverCancelledError } from '../../prover-wasm/src/errors.js';
import type { ChainFn, IterateFn, ProvingEngine } from '../../shared/proof-engine.js';
import type { FromWorker, ToWorker, WorkerFailureCode } from './worker-messages.js';

/** The worker's state, for the page to show. */
export type WorkerStatus = { state: 'loading' } | { state: 'ready'; simd: boolean } | { state: 'failed'; message: string };

/** A failure the worker reported (load, internal), with its code. */
export class WorkerProverError extends Error {
  override readonly name = 'WorkerProverError';
  constructor(readonly code: WorkerFailureCode | 'WORKER_CRASHED' | 'WORKER_RESTARTED', message: string) {
    super(message);
  }
}

/** Options of a WorkerProver. */
export interface WorkerProverOptions {
  /** How long a cancelled request may run on before the worker is terminated (default 750 ms). */
  cancelGraceMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: (done: number, total: number) => void;
  cancelTimer?: ReturnType<typeof setTimeout>;
}

type Request = Omit<Extract<ToWorker, { type: 'chain' }>, 'id'> | Omit<Extract<ToWorker, { type: 'iterate' }>, 'id'>;

/** A WASM prover in a dedicated Web Worker, started on first use (or by `start()`). */
export class WorkerProver {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(status: WorkerStatus) => void>();
  private current: WorkerStatus = { state: 'loading' };

  constructor(
    private readonly scriptUrl: string | URL,
    private readonly options: WorkerProverOptions = {},
  ) {}

  /** The engine over this worker, for buildProofV2 and proveWork. */
  readonly engine: ProvingEngine = {
    chain: (params) => this.chain(params),
    iterate: (input, iterations) => this.iterate(input, iterations),
  };

  /** The worker's last reported state. */
  get status(): WorkerStatus {
    return this.current;
  }

  /** Calls `listener` with every state change (and now, with the current one). */
  onStatus(listener: (status: WorkerStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** Starts the worker now, so the WASM is compiled before the first request. */
  start(): void {
    this.ensureWorker();
  }

  /** Stops the worker; pending requests reject. */
  terminate(): void {
    this.replaceWorker(new WorkerProverError('WORKER_RESTARTED', 'The prover worker was stopped'));
  }

  private readonly chain: ChainFn = async (params) => {
    const { onProgress, signal, ...request } = params;
    const result = (await this.request({ type: 'chain', ...request }, signal, onProgress)) as { toHash: string; beats: Uint8Array };
    return result;
  };

  private readonly iterate: IterateFn = async (input, iterations) => {
    // A copy: the worker takes ownership of what it is sent.
    return (await this.request({ type: 'iterate', input: input.slice(), iterations })) as Uint8Array;
  };

  private request(message: Request, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new ProverCancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      const entry: Pending = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onProgress,
      };
      this.pending.set(id, entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      const transfer = message.type === 'iterate' ? [message.input.buffer as ArrayBuffer] : [];
      worker.postMessage({ ...message, id } satisfies ToWorker, transfer);
    });
  }

  private cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry || !this.worker) return;
    this.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
    entry.cancelTimer = setTimeout(() => {
      // The worker did not stop at a segment boundary in time: stop it the hard way.
      if (!this.pending.has(id)) return;
      this.settle(id, (p) => p.reject(new ProverCancelledError()));
      this.replaceWorker(new WorkerProverError('WORKER_RESTARTED', 'The prover worker was restarted after a cancel'));
      this.ensureWorker();
    }, this.options.cancelGraceMs ?? 750);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptUrl, { name: 'beats-prover' });
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => this.onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      const message = event.message || 'the prover worker could not start';
      this.setStatus({ state: 'failed', message });
      this.replaceWorker(new WorkerProverError('WORKER_CRASHED', message));
    });
    this.worker = worker;
    this.setStatus({ state: 'loading' });
    return worker;
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.setStatus({ state: 'ready', simd: message.simd });
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.done, message.total);
        return;
      case 'chain-done':
        this.settle(message.id, (p) => p.resolve({ toHash: message.toHash, beats: message.beats }));
        return;
      case 'iterate-done':
        this.settle(message.id, (p) => p.resolve(message.output));
        return;
      case 'failed': {
        if (message.id === null) {
          this.setStatus({ state: 'failed', message: message.message });
          return;
        }
        this.settle(message.id, (p) => p.reject(rebuildError(message.code, message.name, message.message)));
        return;
      }
    }
  }

  private settle(id: number, action: (pending: Pending) => void): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.cancelTimer);
    action(entry);
  }

  /** Terminates the worker and rejects what it still had; the next request starts a new one. */
  private replaceWorker(reason: Error): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(reason));
    if (this.current.state !== 'failed') this.setStatus({ state: 'loading' });
  }

  private setStatus(status: WorkerStatus): void {
    this.current = status;
    for (const listener of this.listeners) listener(status);
  }
}

function rebuildError(code: WorkerFailureCode, name: string, message: string): Error {
  if (code === 'CANCELLED') return new ProverCancelledError();
  if (code === 'INVALID_INPUT') return name === 'RangeError' ? new RangeError(message) : new TypeError(message);
  return new WorkerProverError(code, message);
}
