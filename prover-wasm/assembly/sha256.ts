// SHA-256 of an arbitrary byte string (FIPS 180-4): whole blocks straight from memory, the tail and
// the padding (0x80, zeros, 64-bit big-endian bit length) through a 128-byte scratch block.
import { compressBlock, INITIAL_STATE } from './generated/rounds';

const TAIL: usize = memory.data(128, 16);

/** Sets the eight state words at `st` to the SHA-256 initial value H(0). */
export function resetState(st: usize): void {
  for (let i = 0; i < 8; i++) store<u32>(st + (<usize>i << 2), unchecked(INITIAL_STATE[i]));
}

/** Hashes `len` bytes at `ptr`; leaves the digest as eight u32 state words at `st`. */
export function hashInto(ptr: usize, len: usize, st: usize): void {
  resetState(st);
  let off: usize = 0;
  while (len - off >= 64) {
    compressBlock(st, ptr + off);
    off += 64;
  }
  const rest = len - off;
  memory.copy(TAIL, ptr + off, rest);
  store<u8>(TAIL + rest, 0x80);
  const blocks: usize = rest + 9 <= 64 ? 1 : 2;
  const end = blocks << 6;
  memory.fill(TAIL + rest + 1, 0, end - rest - 1);
  store<u64>(TAIL + end - 8, bswap<u64>(<u64>len << 3));
  compressBlock(st, TAIL);
  if (blocks == 2) compressBlock(st, TAIL + 64);
}

/** Loads a 32-byte digest at `bytes` as eight big-endian state words at `st`. */
export function loadDigest(bytes: usize, st: usize): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(st + (i << 2), bswap<u32>(load<u32>(bytes + (i << 2))));
}

/** Stores the eight state words at `st` as the 32 digest bytes at `out`. */
export function storeDigest(st: usize, out: usize): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(st + (i << 2))));
}
