// Four independent beats side by side in i32x4 lanes: the verifier's engine. Lane l of every v128
// holds beat l's value. Seeds differ per lane (prev, index) and are hashed one lane at a time;
// the `difficulty` hex iterations, where the time goes, run in all four lanes at once.
//
// Rounds stay rolled: unrolled, 24 live v128 values spill (see perf-baselines.md).
import { INITIAL_STATE, PADDING_BLOCK_WK, ROUND_K } from './generated/rounds';
import { writePrefix, writeSuffix } from './seed';
import { hashInto, loadDigest } from './sha256';

const SCHEDULE: usize = memory.data(64 * 16, 16); // W[0..63], one v128 per word
const LANE_STATE: usize = memory.data(32, 16);
const LANES: usize = memory.data(4 * 32, 16); // word-major: word i of lane l at 16i + 4l

// @ts-ignore: decorator
@inline function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

// @ts-ignore: decorator
@inline function hexWord4(v: v128): v128 {
  let n = v128.and(v128.or(v, i32x4.shl(v, 8)), i32x4.splat(0x00ff00ff));
  n = v128.and(v128.or(n, i32x4.shl(n, 4)), i32x4.splat(0x0f0f0f0f));
  const letters = i32x4.shr_u(v128.and(i32x4.add(n, i32x4.splat(0x06060606)), i32x4.splat(0x10101010)), 4);
  return i32x4.add(i32x4.add(n, i32x4.splat(0x30303030)), i32x4.mul(letters, i32x4.splat(39)));
}

// @ts-ignore: decorator
@inline function storeHexWords(s: v128, i: usize): void {
  v128.store(SCHEDULE + (i << 5), hexWord4(i32x4.shr_u(s, 16)));
  v128.store(SCHEDULE + (i << 5), hexWord4(v128.and(s, i32x4.splat(0xffff))), 16);
}

/** Applies `iterations` hex iterations (protocol A1) to the four lanes' digests at LANES. */
function hexChain4(iterations: u32): void {
  let s0 = v128.load(LANES, 0), s1 = v128.load(LANES, 16), s2 = v128.load(LANES, 32), s3 = v128.load(LANES, 48);
  let s4 = v128.load(LANES, 64), s5 = v128.load(LANES, 80), s6 = v128.load(LANES, 96), s7 = v128.load(LANES, 112);
  for (let it: u32 = 0; it < iterations; it++) {
    storeHexWords(s0, 0); storeHexWords(s1, 1); storeHexWords(s2, 2); storeHexWords(s3, 3);
    storeHexWords(s4, 4); storeHexWords(s5, 5); storeHexWords(s6, 6); storeHexWords(s7, 7);
    for (let t: usize = 16; t < 64; t++) {
      const w2 = v128.load(SCHEDULE + ((t - 2) << 4));
      const w15 = v128.load(SCHEDULE + ((t - 15) << 4));
      const sig1 = v128.xor(v128.xor(rotr4(w2, 17), rotr4(w2, 19)), i32x4.shr_u(w2, 10));
      const sig0 = v128.xor(v128.xor(rotr4(w15, 7), rotr4(w15, 18)), i32x4.shr_u(w15, 3));
      const w = i32x4.add(i32x4.add(sig1, v128.load(SCHEDULE + ((t - 7) << 4))), i32x4.add(sig0, v128.load(SCHEDULE + ((t - 16) << 4))));
      v128.store(SCHEDULE + (t << 4), w);
    }
    const iv0 = i32x4.splat(unchecked(INITIAL_STATE[0])), iv1 = i32x4.splat(unchecked(INITIAL_STATE[1]));
    const iv2 = i32x4.splat(unchecked(INITIAL_STATE[2])), iv3 = i32x4.splat(unchecked(INITIAL_STATE[3]));
    const iv4 = i32x4.splat(unchecked(INITIAL_STATE[4])), iv5 = i32x4.splat(unchecked(INITIAL_STATE[5]));
    const iv6 = i32x4.splat(unchecked(INITIAL_STATE[6])), iv7 = i32x4.splat(unchecked(INITIAL_STATE[7]));
    let a = iv0, b = iv1, c = iv2, d = iv3, e = iv4, f = iv5, g = iv6, h = iv7;
    for (let t = 0; t < 64; t++) {
      const big1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
      const t1 = i32x4.add(i32x4.add(h, big1), i32x4.add(v128.bitselect(f, g, e),
        i32x4.add(v128.load(SCHEDULE + (<usize>t << 4)), i32x4.splat(unchecked(ROUND_K[t])))));
      const big0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
      const t2 = i32x4.add(big0, v128.bitselect(b, a, v128.xor(a, c)));
      h = g; g = f; f = e; e = i32x4.add(d, t1); d = c; c = b; b = a; a = i32x4.add(t1, t2);
    }
    a = i32x4.add(a, iv0); b = i32x4.add(b, iv1); c = i32x4.add(c, iv2); d = i32x4.add(d, iv3);
    e = i32x4.add(e, iv4); f = i32x4.add(f, iv5); g = i32x4.add(g, iv6); h = i32x4.add(h, iv7);
    s0 = a; s1 = b; s2 = c; s3 = d; s4 = e; s5 = f; s6 = g; s7 = h;
    for (let t = 0; t < 64; t++) {
      const big1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
      const t1 = i32x4.add(i32x4.add(h, big1), i32x4.add(v128.bitselect(f, g, e), i32x4.splat(unchecked(PADDING_BLOCK_WK[t]))));
      const big0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
      const t2 = i32x4.add(big0, v128.bitselect(b, a, v128.xor(a, c)));
      h = g; g = f; f = e; e = i32x4.add(d, t1); d = c; c = b; b = a; a = i32x4.add(t1, t2);
    }
    s0 = i32x4.add(s0, a); s1 = i32x4.add(s1, b); s2 = i32x4.add(s2, c); s3 = i32x4.add(s3, d);
    s4 = i32x4.add(s4, e); s5 = i32x4.add(s5, f); s6 = i32x4.add(s6, g); s7 = i32x4.add(s7, h);
  }
  v128.store(LANES, s0, 0); v128.store(LANES, s1, 16); v128.store(LANES, s2, 32); v128.store(LANES, s3, 48);
  v128.store(LANES, s4, 64); v128.store(LANES, s5, 80); v128.store(LANES, s6, 96); v128.store(LANES, s7, 112);
}

/**
 * Same contract as batchScalar: `count` independent beats, four at a time. A last group of fewer
 * than four fills its idle lanes with copies of its first beat (cheaper than scalar code).
 */
export function batchSimd(
  count: u32, prevsPtr: usize, indicesPtr: usize, difficulty: u32,
  anchorPtr: usize, noncePtr: usize, nonceLen: usize, outPtr: usize,
): void {
  const seedTail = nonceLen + writeSuffix(anchorPtr, noncePtr, nonceLen);
  for (let base: usize = 0; base < <usize>count; base += 4) {
    const live = min<usize>(4, <usize>count - base);
    for (let l: usize = 0; l < 4; l++) {
      const j = base + (l < live ? l : 0);
      loadDigest(prevsPtr + (j << 5), LANE_STATE);
      const start = writePrefix(LANE_STATE, <u64>load<f64>(indicesPtr + (j << 3)), noncePtr);
      hashInto(start, noncePtr + seedTail - start, LANE_STATE);
      for (let i: usize = 0; i < 8; i++) store<u32>(LANES + (i << 4) + (l << 2), load<u32>(LANE_STATE + (i << 2)));
    }
    hexChain4(difficulty);
    for (let l: usize = 0; l < live; l++) {
      const out = outPtr + ((base + l) << 5);
      for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(LANES + (i << 4) + (l << 2))));
    }
  }
}
