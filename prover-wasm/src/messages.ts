// What crosses the thread boundary between the pool and its workers: plain data only. Errors
// lose their class in transit, so a worker answers `{ ok: false, code }` instead of throwing.
import type { MessagePort } from 'node:worker_threads';
import type { BatchParams, ChainParams } from './prover.js';

/** A chain task; progress goes to `port`, cancellation comes through `cancel[0] != 0`. */
export interface ChainTask {
  kind: 'chain';
  params: Omit<ChainParams, 'onProgress' | 'shouldStop'>;
  port?: MessagePort;
  cancel?: Int32Array;
}

/** A batch of independent beats. */
export interface BatchTask {
  kind: 'batch';
  params: BatchParams;
}

/** SHA256^iterations of a 32-byte value. */
export interface IterateTask {
  kind: 'iterate';
  input: Uint8Array;
  iterations: number;
}

/** Any task the worker runs. */
export type ProverTask = ChainTask | BatchTask | IterateTask;

/** A worker's answer. */
export type ProverTaskResult<T> = { ok: true; value: T } | { ok: false; code: string; name: string; message: string };

/** Messages on a chain task's progress port. */
export type ProgressMessage = { type: 'started' } | { type: 'progress'; done: number; total: number } | { type: 'finished' };
