// The liveness score, algorithm "v1" (seed 002 `liveness_score`, `liveness_algorithm`).
//
// Definition (v1). Let `current` be the newest anchor and W the anchor window of the score: from the
// later of (a) the agent's init anchor and (b) the first anchor made within the last 30 days, to
// `current`, both inclusive. An anchor `i` of W is *good* when, at `i`, the agent stood within its
// deadline: it was not frozen, and `i − s < 60`, where `s` is the agent's latest sync at or before `i`
// (a sync is the init, a heartbeat, or the resync that ended a freeze; each is recorded at its anchor).
// Every other anchor is *bad*: the anchors from `s + 60` up to the next sync (exclusive), and the
// anchors from a freeze's `frozen_at_anchor` up to the anchor of the resync that ended it (exclusive;
// still frozen: up to `current`, inclusive). The score is (good anchors) / |W|, rounded DOWN to 4
// decimal places, so any bad anchor keeps it below 1. It is null — and `liveness_algorithm` with
// it — while the agent has no beat chain, during the 7 days after its registration (grace), and for
// SIGIL tier `sbx` (sandbox). It is computed at request time from the stored heartbeats and freezes.
import { DEADLINE_ANCHORS } from './standing.js';

/** The algorithm name served as `liveness_algorithm`. */
export const LIVENESS_ALGORITHM = 'v1';
/** The rolling window of the score. */
export const LIVENESS_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** No score during the first 7 days after registration. */
export const LIVENESS_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** What the v1 score is computed from. */
export interface LivenessInput {
  /** First anchor of the window W. */
  windowStart: number;
  /** The newest anchor (last of W). */
  current: number;
  /** Consecutive syncs `a` → `next_a` more than 60 anchors apart (the last sync's `next_a` is current + 1). */
  longGaps: ReadonlyArray<{ a: number; next_a: number }>;
  /** Freezes overlapping W. */
  freezes: ReadonlyArray<{ frozen_at_anchor: number; ended_at_anchor: number | null }>;
}

/** The v1 score of `input` (see the file header), in [0, 1] with 4 decimals. */
export function livenessScoreV1(input: LivenessInput): number {
  const { windowStart, current } = input;
  const total = current - windowStart + 1;
  if (total <= 0) return 1;
  // Bad anchors as inclusive intervals, clipped to W, then merged so no anchor counts twice.
  const bad: Array<[number, number]> = [];
  const add = (from: number, to: number) => {
    const lo = Math.max(from, windowStart);
    const hi = Math.min(to, current);
    if (lo <= hi) bad.push([lo, hi]);
  };
  for (const gap of input.longGaps) add(gap.a + DEADLINE_ANCHORS, gap.next_a - 1);
  for (const f of input.freezes) add(f.frozen_at_anchor, f.ended_at_anchor === null ? current : f.ended_at_anchor - 1);
  bad.sort((x, y) => x[0] - y[0]);
  let badCount = 0;
  let end = -Infinity;
  for (const [lo, hi] of bad) {
    const from = Math.max(lo, end + 1);
    if (hi >= from) badCount += hi - from + 1;
    end = Math.max(end, hi);
  }
  return Math.floor(((total - badCount) / total) * 10_000) / 10_000;
}
