// What proof building and checking need from a hashing engine. The service passes the WASM pool
// (SIMD lanes across workers), a browser a Web Worker, tests an in-thread Prover: one
// implementation of the proof logic over any of them (protocol B).

/** Computes beats fromIndex+1 … fromIndex+count after `from`, keeping every digest (32 bytes each). */
export type ChainFn = (params: {
  from: string;
  fromIndex: number;
  count: number;
  difficulty: number;
  anchorHash: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}) => Promise<{ toHash: string; beats: Uint8Array }>;

/** Independent beats: beat j continues prevs[32j..32j+32) at index indices[j]; 32 bytes out per beat. */
export type BatchFn = (params: { prevs: Uint8Array; indices: number[]; difficulty: number; anchorHash: string; nonce?: string }) => Promise<Uint8Array>;

/** SHA256 applied `iterations` times to a 32-byte value (protocol B3's SHA256^W). */
export type IterateFn = (input: Uint8Array, iterations: number) => Promise<Uint8Array>;

/** The engine a prover needs. */
export interface ProvingEngine {
  chain: ChainFn;
  iterate: IterateFn;
}

/** The engine a verifier needs. */
export interface VerifyingEngine {
  batch: BatchFn;
  iterate: IterateFn;
}
