// The beat seed of protocol A1, built around the nonce where it already lies in memory so that a
// long nonce is never copied:
//
//   noncePtr - PREFIX_ROOM       noncePtr          noncePtr + nonceLen
//   | ... "<hex prev>:<index>:" | nonce bytes ... | ":<hex anchor>" |
//
// The suffix depends only on the anchor and is written once per call; the prefix is rewritten for
// every beat, right-aligned against the nonce.
import { writeStateHex } from './hex';
import { loadDigest } from './sha256';

/** Bytes the caller leaves free before the nonce: 64 hex + ':' + up to 20 digits + ':' (86), rounded. */
export const PREFIX_ROOM: usize = 96;
/** Bytes the caller leaves free after the nonce: ':' + 64 hex (65), rounded. */
export const SUFFIX_ROOM: usize = 72;

const ANCHOR_STATE: usize = memory.data(32, 16);

/** Writes ":<hex anchor>" after the nonce when `anchorPtr` is not 0; returns the suffix length. */
export function writeSuffix(anchorPtr: usize, noncePtr: usize, nonceLen: usize): usize {
  if (anchorPtr == 0) return 0;
  const at = noncePtr + nonceLen;
  store<u8>(at, 0x3a);
  loadDigest(anchorPtr, ANCHOR_STATE);
  writeStateHex(ANCHOR_STATE, at + 1);
  return 65;
}

/** Writes "<hex of state st>:<index>:" ending at `noncePtr`; returns where the seed starts. */
export function writePrefix(st: usize, index: u64, noncePtr: usize): usize {
  let p = noncePtr - 1;
  store<u8>(p, 0x3a);
  do {
    p--;
    store<u8>(p, 0x30 + <u8>(index % 10));
    index /= 10;
  } while (index != 0);
  p--;
  store<u8>(p, 0x3a);
  p -= 64;
  writeStateHex(st, p);
  return p;
}
