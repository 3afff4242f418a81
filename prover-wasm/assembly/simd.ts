// Four independent beats side by side in i32x4 lanes: the verifier's engine. Lane l of every v128
// holds beat l's value. Seeds differ per lane (prev, index) and are hashed one lane at a time;
// the `difficulty` hex iterations, where the time goes, run in all four lanes at once.
//
// The rounds are generated (generated/rounds4.ts): a loop of 8 unrolled rounds, W+K from memory.
import { hexChain4 } from './generated/rounds4';
import { writePrefix, writeSuffix } from './seed';
import { hashInto, loadDigest } from './sha256';

const LANE_STATE: usize = memory.data(32, 16);
const LANES: usize = memory.data(4 * 32, 16); // word-major: word i of lane l at 16i + 4l

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
    hexChain4(LANES, difficulty);
    for (let l: usize = 0; l < live; l++) {
      const out = outPtr + ((base + l) << 5);
      for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(LANES + (i << 4) + (l << 2))));
    }
  }
}
