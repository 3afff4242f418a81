// The prover's export list, the same in both builds (beats-simd.wasm, beats-scalar.wasm).
//
// Memory layout. Static data (fixed buffers: state words, padding tail, SIMD schedule) lies below
// `arenaBase()`. Above it is the caller's arena, which the TypeScript side lays out per call and
// grows with `ensureArena(bytes)`; nothing is allocated inside WASM. A call that takes a nonce needs
// PREFIX_ROOM (96) free bytes before the nonce and SUFFIX_ROOM (72) after it: the seed is built
// around the nonce in place. Digests cross the boundary as 32 raw bytes; indices as f64 (integers
// up to 2^53 - 1, as in JavaScript).
import { binChain } from './generated/rounds';
import { batchScalar, chainScalar } from './beat';
import { batchSimd } from './simd';
import { hashInto, loadDigest, storeDigest } from './sha256';

const STATE: usize = memory.data(32, 16);

/** First byte of the caller's arena (16-byte aligned). */
export function arenaBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Grows memory so that the arena holds at least `bytes`; returns false when memory cannot grow. */
export function ensureArena(bytes: usize): bool {
  const end = arenaBase() + bytes;
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  return memory.grow(<i32>((end - have + 0xffff) >>> 16)) >= 0;
}

/** True in the build whose batch path uses 128-bit SIMD lanes. */
export function hasSimd(): bool {
  return ASC_FEATURE_SIMD;
}

/** SHA-256 of `len` bytes at `ptr`, written as 32 bytes to `outPtr` (FIPS 180-4). */
export function sha256(ptr: usize, len: usize, outPtr: usize): void {
  hashInto(ptr, len, STATE);
  storeDigest(STATE, outPtr);
}

/** SHA256^iterations of the 32 bytes at `inPtr` (binary digests, one block each), to `outPtr`. */
export function sha256Iterate(inPtr: usize, iterations: u32, outPtr: usize): void {
  loadDigest(inPtr, STATE);
  binChain(STATE, iterations);
  storeDigest(STATE, outPtr);
}

/** A beat chain segment; see chainScalar. `startIndex` is an integer-valued f64. */
export function chain(
  prevPtr: usize, startIndex: f64, count: u32, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, keepPtr: usize, outPtr: usize,
): void {
  chainScalar(prevPtr, <u64>startIndex, count, difficulty, anchorPtr, noncePtr, nonceLen, keepPtr, outPtr);
}

/** Independent beats (the verifier's path): SIMD lanes when built with SIMD, scalar otherwise. */
export function batch(
  count: u32, prevsPtr: usize, indicesPtr: usize, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, outPtr: usize,
): void {
  if (ASC_FEATURE_SIMD) batchSimd(count, prevsPtr, indicesPtr, difficulty, anchorPtr, noncePtr, nonceLen, outPtr);
  else batchScalar(count, prevsPtr, indicesPtr, difficulty, anchorPtr, noncePtr, nonceLen, outPtr);
}

/** Scalar batch in either build, so the two paths can be compared in one module. */
export function batchScalarPath(
  count: u32, prevsPtr: usize, indicesPtr: usize, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, outPtr: usize,
): void {
  batchScalar(count, prevsPtr, indicesPtr, difficulty, anchorPtr, noncePtr, nonceLen, outPtr);
}
