// The messages between the page and the prover Web Worker, in one place (as piscina's message
// types). Errors lose their class crossing the thread boundary, so failures travel as a code.

/** Compute beats fromIndex+1 … fromIndex+count after `from`, keeping every digest (ProvingEngine.chain). */
export interface ChainRequest {
  type: 'chain';
  id: number;
  from: string;
  fromIndex: number;
  count: number;
  difficulty: number;
  anchorHash: string;
}

/** SHA256^iterations of a 32-byte value (ProvingEngine.iterate). */
export interface IterateRequest {
  type: 'iterate';
  id: number;
  input: Uint8Array;
  iterations: number;
}

/** Stop request `id` at its next segment boundary. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

/** What the page sends to the worker. */
export type ToWorker = ChainRequest | IterateRequest | CancelRequest;

/** Why a request failed: cancelled, refused input (TypeError/RangeError), the WASM did not load, or a bug. */
export type WorkerFailureCode = 'CANCELLED' | 'INVALID_INPUT' | 'LOAD_FAILED' | 'INTERNAL';

/** What the worker sends back. */
export type FromWorker =
  /** The WASM core is instantiated; sent once, unprompted. */
  | { type: 'ready'; simd: boolean }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'chain-done'; id: number; toHash: string; beats: Uint8Array }
  | { type: 'iterate-done'; id: number; output: Uint8Array }
  /** `id` is null when loading failed before any request. */
  | { type: 'failed'; id: number | null; code: WorkerFailureCode; name: string; message: string };
