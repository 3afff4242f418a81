// The SHA-256 functions of FIPS 180-4 §4.1.2 on four i32x4 lanes, and the SWAR hex encoding of
// hex.ts lane-wise. WASM SIMD has no rotate: rotr is two shifts and an or.

// @ts-ignore: decorator
@inline export function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

/** Σ0 (FIPS 180-4 4.4). */
// @ts-ignore: decorator
@inline export function bigSigma0x4(x: v128): v128 {
  return v128.xor(v128.xor(rotr4(x, 2), rotr4(x, 13)), rotr4(x, 22));
}

/** Σ1 (FIPS 180-4 4.5). */
// @ts-ignore: decorator
@inline export function bigSigma1x4(x: v128): v128 {
  return v128.xor(v128.xor(rotr4(x, 6), rotr4(x, 11)), rotr4(x, 25));
}

/** σ0 (FIPS 180-4 4.6). */
// @ts-ignore: decorator
@inline export function smallSigma0x4(x: v128): v128 {
  return v128.xor(v128.xor(rotr4(x, 7), rotr4(x, 18)), i32x4.shr_u(x, 3));
}

/** σ1 (FIPS 180-4 4.7). */
// @ts-ignore: decorator
@inline export function smallSigma1x4(x: v128): v128 {
  return v128.xor(v128.xor(rotr4(x, 17), rotr4(x, 19)), i32x4.shr_u(x, 10));
}

/** hex.ts's hexWord16 in each lane: the big-endian message word of 4 hex chars of 16 bits. */
// @ts-ignore: decorator
@inline export function hexWord4(v: v128): v128 {
  let n = v128.and(v128.or(v, i32x4.shl(v, 8)), i32x4.splat(0x00ff00ff));
  n = v128.and(v128.or(n, i32x4.shl(n, 4)), i32x4.splat(0x0f0f0f0f));
  const letters = i32x4.shr_u(v128.and(i32x4.add(n, i32x4.splat(0x06060606)), i32x4.splat(0x10101010)), 4);
  return i32x4.add(i32x4.add(n, i32x4.splat(0x30303030)), i32x4.mul(letters, i32x4.splat(39)));
}
