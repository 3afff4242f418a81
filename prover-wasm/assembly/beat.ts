// The beat chain of protocol A1, scalar: one beat = SHA256(seed) then `difficulty` hex iterations.
import { hexChain } from './generated/rounds';
import { hexChainVectorSchedule } from './generated/rounds-vs';
import { writePrefix, writeSuffix } from './seed';
import { hashInto, loadDigest, storeDigest } from './sha256';

const STATE: usize = memory.data(32, 16);

/** Computes one beat from the previous digest held as state words at `st`, in place. */
// @ts-ignore: decorator
@inline export function beatInPlace(st: usize, index: u64, difficulty: u32, noncePtr: usize, seedTail: usize): void {
  const start = writePrefix(st, index, noncePtr);
  hashInto(start, noncePtr + seedTail - start, st);
  if (ASC_FEATURE_SIMD) hexChainVectorSchedule(st, difficulty);
  else hexChain(st, difficulty);
}

/**
 * Computes `count` consecutive beats with indices startIndex, startIndex+1, … from the 32-byte
 * digest at `prevPtr`. Writes the last beat's digest to `outPtr`, and every beat's digest to
 * `keepPtr` (32 bytes each) unless it is 0. `anchorPtr` 0 means no anchor.
 */
export function chainScalar(
  prevPtr: usize, startIndex: u64, count: u32, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, keepPtr: usize, outPtr: usize,
): void {
  const seedTail = nonceLen + writeSuffix(anchorPtr, noncePtr, nonceLen);
  loadDigest(prevPtr, STATE);
  let index = startIndex;
  for (let i: u32 = 0; i < count; i++) {
    beatInPlace(STATE, index, difficulty, noncePtr, seedTail);
    if (keepPtr != 0) storeDigest(STATE, keepPtr + (<usize>i << 5));
    index++;
  }
  storeDigest(STATE, outPtr);
}

/**
 * Computes `count` independent beats: beat j from the digest at prevsPtr + 32j with the index
 * at indicesPtr + 8j (f64), written to outPtr + 32j. One difficulty, anchor and nonce for all.
 */
export function batchScalar(
  count: u32, prevsPtr: usize, indicesPtr: usize, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, outPtr: usize,
): void {
  const seedTail = nonceLen + writeSuffix(anchorPtr, noncePtr, nonceLen);
  for (let j: usize = 0; j < <usize>count; j++) {
    loadDigest(prevsPtr + (j << 5), STATE);
    beatInPlace(STATE, <u64>load<f64>(indicesPtr + (j << 3)), difficulty, noncePtr, seedTail);
    storeDigest(STATE, outPtr + (j << 5));
  }
}
