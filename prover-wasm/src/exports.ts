// The WASM module's export list (prover-wasm/assembly/index.ts), as TypeScript sees it.

/** Raw exports of beats-simd.wasm and beats-scalar.wasm; pointers are byte offsets into `memory`. */
export interface ProverExports {
  readonly memory: WebAssembly.Memory;
  arenaBase(): number;
  ensureArena(bytes: number): number;
  hasSimd(): number;
  sha256(ptr: number, len: number, outPtr: number): void;
  sha256Iterate(inPtr: number, iterations: number, outPtr: number): void;
  chain(
    prevPtr: number, startIndex: number, count: number, difficulty: number,
    anchorPtr: number, noncePtr: number, nonceLen: number, keepPtr: number, outPtr: number,
  ): void;
  batch(
    count: number, prevsPtr: number, indicesPtr: number, difficulty: number,
    anchorPtr: number, noncePtr: number, nonceLen: number, outPtr: number,
  ): void;
  batchScalarPath(
    count: number, prevsPtr: number, indicesPtr: number, difficulty: number,
    anchorPtr: number, noncePtr: number, nonceLen: number, outPtr: number,
  ): void;
}

/** Free bytes the core needs before a nonce (seed prefix "<hex>:<index>:"), see seed.ts. */
export const PREFIX_ROOM = 96;
/** Free bytes the core needs after a nonce (seed suffix ":<hex anchor>"), see seed.ts. */
export const SUFFIX_ROOM = 72;
