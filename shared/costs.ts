// Beat costs the registry charges (peer-protocol §6 "Spawn cost", "Resync cost").
import { anumber } from '@noble/hashes/utils.js';

/** Beats a spawn costs at depth 0 with no siblings. */
export const SPAWN_BASE_COST = 1000;
/** Beats of resync owed per missed anchor. */
export const RESYNC_BEATS_PER_ANCHOR = 100;
/** Most beats a resync ever costs. */
export const RESYNC_MAX_BEATS = 10_000;
/** Largest depth or sibling count accepted: far beyond any safe-integer cost, and keeps the BigInt powers cheap. */
export const MAX_SPAWN_EXPONENT = 1024;

/**
 * Beats to spawn a child at `depth` when its parent already has `siblings` children:
 * floor(floor(1000 × 1.5^depth) × 1.2^siblings), exact (peer-protocol §6).
 * Integer arithmetic with 1.5^d = 3^d/2^d and 1.2^s = 6^s/5^s: floating point gives 3887 for (2, 3), not 3888.
 * Throws RangeError when the cost exceeds Number.MAX_SAFE_INTEGER.
 */
export function spawnCost(depth: number, siblings: number): number {
  assertExponent(depth, 'depth');
  assertExponent(siblings, 'siblings');
  const d = BigInt(depth);
  const s = BigInt(siblings);
  const base = (BigInt(SPAWN_BASE_COST) * 3n ** d) / 2n ** d; // BigInt division floors for non-negative values
  const cost = (base * 6n ** s) / 5n ** s;
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`spawn cost for depth=${depth}, siblings=${siblings} exceeds Number.MAX_SAFE_INTEGER`);
  }
  return Number(cost);
}

/** Beats a resync after `gapAnchors` missed anchors costs: min(gap × 100, 10 000) (peer-protocol §6). */
export function resyncRequiredBeats(gapAnchors: number): number {
  anumber(gapAnchors, 'gapAnchors');
  return Math.min(gapAnchors * RESYNC_BEATS_PER_ANCHOR, RESYNC_MAX_BEATS);
}

function assertExponent(value: number, title: string): void {
  anumber(value, title);
  if (value > MAX_SPAWN_EXPONENT) throw new RangeError(`"${title}" expected integer <= ${MAX_SPAWN_EXPONENT}, got ${value}`);
}
