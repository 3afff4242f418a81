// Lowercase hex encoding of state words straight into SHA-256 message words, in registers (SWAR).
// A 16-bit value n3n2n1n0 is spread to one nibble per byte (0n3 0n2 0n1 0n0), then each byte b
// becomes '0'+b, plus 39 more when b >= 10 ('a' - '0' - 10 = 39): bit 4 of b+6 tells which.

/** Both message words of `s` at once (64-bit SWAR): the high word in the top 32 bits. */
// @ts-ignore: decorator
@inline export function hexWords(s: u32): u64 {
  let n = <u64>s;
  n = (n | (n << 16)) & 0x0000ffff0000ffff;
  n = (n | (n << 8)) & 0x00ff00ff00ff00ff;
  n = (n | (n << 4)) & 0x0f0f0f0f0f0f0f0f;
  return n + 0x3030303030303030 + (((n + 0x0606060606060606) & 0x1010101010101010) >> 4) * 39;
}

/** The big-endian message word holding the hex of the high 16 bits of `s` (4 ASCII chars). */
// @ts-ignore: decorator
@inline export function hexWordHigh(s: u32): u32 {
  return hexWord16(s >>> 16);
}

/** The big-endian message word holding the hex of the low 16 bits of `s` (4 ASCII chars). */
// @ts-ignore: decorator
@inline export function hexWordLow(s: u32): u32 {
  return hexWord16(s & 0xffff);
}

// @ts-ignore: decorator
@inline function hexWord16(v: u32): u32 {
  let n = (v | (v << 8)) & 0x00ff00ff;
  n = (n | (n << 4)) & 0x0f0f0f0f;
  return n + 0x30303030 + (((n + 0x06060606) & 0x10101010) >>> 4) * 39;
}

/** Writes the 64 hex characters of the eight state words at `st` to `out`. */
export function writeStateHex(st: usize, out: usize): void {
  for (let i: usize = 0; i < 8; i++) {
    const s = load<u32>(st + (i << 2));
    store<u32>(out + (i << 3), bswap<u32>(hexWordHigh(s)));
    store<u32>(out + (i << 3), bswap<u32>(hexWordLow(s)), 4);
  }
}
