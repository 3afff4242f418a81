// A piscina pool of WASM provers for Node: chains and batches off the main thread, a bounded queue
// whose overflow is ProverQueueFullError, cancellation by AbortSignal, and a clean close().
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ProverCancelledError, ProverClosedError, ProverQueueFullError } from './errors.js';
import type { ProgressMessage, ProverTask, ProverTaskResult } from './messages.js';
import type { BatchParams, ChainParams, ChainResult } from './prover.js';

/** Every option of the pool, in one place. */
export interface ProverPoolOptions {
  /** Worker threads (PROVER_THREADS); default: the machine's available parallelism. */
  threads?: number;
  /** Tasks that may wait for a free worker; beyond it, run() rejects with ProverQueueFullError. Default threads × 16. */
  maxQueue?: number;
  /** Milliseconds an idle worker above the minimum lives. Default 30 000. */
  idleTimeout?: number;
  /** Which WASM build the workers load. Default 'auto'. */
  build?: 'auto' | 'simd' | 'scalar';
}

/** Options of one chain call. */
export interface ChainCallOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The worker pool. */
export class ProverPool {
  readonly threads: number;
  readonly maxQueue: number;
  private readonly piscina: Piscina<ProverTask, ProverTaskResult<unknown>>;
  private closed = false;

  constructor(options: ProverPoolOptions = {}) {
    this.threads = checkInteger(options.threads ?? availableParallelism(), 'threads', 1, 256);
    this.maxQueue = checkInteger(options.maxQueue ?? this.threads * 16, 'maxQueue', 0, 1_000_000);
    const idleTimeout = checkInteger(options.idleTimeout ?? 30_000, 'idleTimeout', 0, 86_400_000);
    const build = options.build ?? 'auto';
    if (!['auto', 'simd', 'scalar'].includes(build)) throw new TypeError(`"build" expected auto, simd or scalar, got ${build}`);
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: this.threads,
      maxThreads: this.threads,
      maxQueue: this.maxQueue,
      idleTimeout,
      workerData: { build },
    });
  }

  /** Tasks waiting for a worker. */
  get queueSize(): number {
    return this.piscina.queueSize;
  }

  /** Computes a chain in a worker, reporting progress until aborted; abort stops the worker within one segment. */
  async chain(params: Omit<ChainParams, 'onProgress' | 'shouldStop'>, options: ChainCallOptions = {}): Promise<ChainResult> {
    const { port1, port2 } = new MessageChannel();
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const queued = new AbortController();
    let started = false;
    let finished: () => void = () => {};
    // Two ports have no order between them: the result may overtake the last progress messages,
    // so a successful call also waits for the worker's 'finished', which comes after them all.
    const drained = new Promise<void>((resolve) => (finished = resolve));
    port1.on('message', (message: ProgressMessage) => {
      if (message.type === 'started') started = true;
      else if (message.type === 'finished') finished();
      // Once cancelled, progress still in flight from the worker is dropped: the caller hears no more of the chain.
      else if (!options.signal?.aborted) options.onProgress?.(message.done, message.total);
    });
    // Before a worker picks the task up, abort takes it off the queue; once it runs, the worker
    // sees the flag at its next segment and stops, so the thread is kept, not terminated.
    const onAbort = () => (started ? Atomics.store(cancel, 0, 1) : queued.abort());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw new ProverCancelledError();
      const result = await this.submit<ChainResult>({ kind: 'chain', params, port: port2, cancel }, [port2], queued.signal);
      await drained;
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      port1.close();
    }
  }

  /** Computes independent beats in a worker (SIMD lanes where available). */
  async batch(params: BatchParams, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return this.submit<Uint8Array>({ kind: 'batch', params }, [], options.signal);
  }

  /** SHA256^iterations of a 32-byte value, in a worker. */
  async sha256Iterate(input: Uint8Array, iterations: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return this.submit<Uint8Array>({ kind: 'iterate', input, iterations }, [], options.signal);
  }

  /** Waits for running and queued tasks, then ends every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.close();
  }

  private async submit<T>(task: ProverTask, transferList: MessagePort[], signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new ProverClosedError();
    if (this.piscina.queueSize >= this.maxQueue && this.piscina.idleThreads === 0) throw new ProverQueueFullError(this.maxQueue);
    let result: ProverTaskResult<T>;
    try {
      result = (await this.piscina.run(task, { transferList, signal })) as ProverTaskResult<T>;
    } catch (error) {
      throw translate(error, this.maxQueue);
    }
    if (result.ok) return result.value;
    throw rebuild(result);
  }
}

function translate(error: unknown, maxQueue: number): Error {
  const e = error as Error;
  if (e?.name === 'AbortError') return e.message === 'pool is closed' ? new ProverClosedError() : new ProverCancelledError();
  if (e?.message === 'Task queue is at limit') return new ProverQueueFullError(maxQueue);
  return e instanceof Error ? e : new Error(String(e));
}

function rebuild(failure: { code: string; name: string; message: string }): Error {
  if (failure.code === 'CANCELLED') return new ProverCancelledError(failure.message);
  const error = failure.name === 'RangeError' ? new RangeError(failure.message) : failure.name === 'TypeError' ? new TypeError(failure.message) : new Error(failure.message);
  return Object.assign(error, { code: failure.code });
}

function checkInteger(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`ProverPool option "${name}" expected an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** The compiled worker: next to this file in dist/, or dist's copy when running from sources. */
function workerFile(): string {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/prover-wasm/src/worker.js', here).href;
  return new URL('./worker.js', here).href;
}
