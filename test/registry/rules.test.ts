// The pure rules behind status and liveness: standingOf's first-match table and the v1 liveness
// arithmetic. No store is involved, so these run once rather than per engine.
import { describe, expect, it } from 'vitest';
import { livenessScoreV1 } from '../../service/registry/liveness.js';
import { standingOf, type StandingInput } from '../../service/registry/standing.js';

const chain = (behind: number, fields: Partial<NonNullable<StandingInput['chain']>> = {}) => ({
  status: 'active' as const, last_global_sync: 1000 - behind, total_heartbeats: 3, ...fields,
});
const at = (input: Partial<StandingInput>): StandingInput => ({ refused: false, hasSigil: true, chain: chain(0), currentAnchor: 1000, ...input });

describe('standingOf', () => {
  it.each<[string, Partial<StandingInput>, string, string, number | null, number | null]>([
    ['refused outranks everything', { refused: true, chain: chain(90, { status: 'frozen' }) }, 'refused', 'REFUSED', 90, 0],
    ['no chain', { chain: undefined }, 'registered', 'GOOD', null, null],
    ['frozen', { chain: chain(61, { status: 'frozen' }) }, 'frozen', 'FROZEN', 61, 0],
    ['60 behind, SIGIL', { chain: chain(60) }, 'stale', 'STALE', 60, 0],
    ['60 behind, no SIGIL', { hasSigil: false, chain: chain(60) }, 'stale', 'OVERDUE', 60, 0],
    ['75 behind, not yet swept', { chain: chain(75) }, 'stale', 'STALE', 75, 0],
    ['59 behind', { chain: chain(59) }, 'warning', 'WARNING', 59, 1],
    ['45 behind', { chain: chain(45) }, 'warning', 'WARNING', 45, 15],
    ['45 behind, never heartbeated', { chain: chain(45, { total_heartbeats: 0 }) }, 'warning', 'WARNING', 45, 15],
    ['44 behind', { chain: chain(44) }, 'active', 'GOOD', 44, 16],
    ['never heartbeated', { chain: chain(3, { total_heartbeats: 0 }) }, 'registered', 'GOOD', 3, 57],
    ['synced ahead of the head read', { chain: chain(-2) }, 'active', 'GOOD', 0, 60],
  ])('%s → %s / %s', (_label, input, status, standing, behind, untilFreeze) => {
    expect(standingOf(at(input))).toEqual({ status, standing, behind, untilFreeze });
  });
});

describe('livenessScoreV1', () => {
  it('is 1 when every gap is under 60 anchors', () => {
    expect(livenessScoreV1({ windowStart: 0, current: 99, longGaps: [], freezes: [] })).toBe(1);
  });

  it('counts anchors ≥ 60 behind the latest sync, up to the next sync', () => {
    // Sync at 0, next at 100: anchors 60..99 are bad (40 of 101).
    expect(livenessScoreV1({ windowStart: 0, current: 100, longGaps: [{ a: 0, next_a: 100 }], freezes: [] })).toBe(Math.floor((61 / 101) * 1e4) / 1e4);
  });

  it('counts a freeze still open up to the current anchor, and never an anchor twice', () => {
    const score = livenessScoreV1({
      windowStart: 0, current: 99, longGaps: [{ a: 0, next_a: 100 }], freezes: [{ frozen_at_anchor: 61, ended_at_anchor: null }],
    });
    expect(score).toBe(0.6); // bad = 60..99
  });

  it('clips to the window and rounds down', () => {
    // Window 50..149; gap from sync 0 to 120 → bad 60..119 (60 anchors) inside the window.
    expect(livenessScoreV1({ windowStart: 50, current: 149, longGaps: [{ a: 0, next_a: 120 }], freezes: [] })).toBe(0.4);
    expect(livenessScoreV1({ windowStart: 0, current: 2, longGaps: [], freezes: [{ frozen_at_anchor: 2, ended_at_anchor: null }] })).toBe(0.6666);
  });
});
