import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_SPAWN_EXPONENT, resyncRequiredBeats, spawnCost } from '../../shared/costs.js';

describe('spawnCost (peer-protocol §6)', () => {
  it.each([
    [0, 0, 1000], [0, 1, 1200], [1, 0, 1500], [1, 1, 1800], [2, 0, 2250], [2, 3, 3888],
  ])('depth %d, siblings %d -> %d', (depth, siblings, cost) => {
    expect(spawnCost(depth, siblings)).toBe(cost);
  });

  it('is exact where floating point is not', () => {
    expect(Math.floor(Math.floor(1000 * 1.5 ** 2) * 1.2 ** 3)).toBe(3887);
    expect(spawnCost(2, 3)).toBe(3888);
  });

  it('is monotone in depth and in siblings', () => {
    const small = fc.integer({ min: 0, max: 40 });
    fc.assert(fc.property(small, small, (depth, siblings) => {
      const cost = spawnCost(depth, siblings);
      expect(spawnCost(depth + 1, siblings)).toBeGreaterThanOrEqual(cost);
      expect(spawnCost(depth, siblings + 1)).toBeGreaterThanOrEqual(cost);
    }));
  });

  it('rejects invalid input and costs beyond safe integers', () => {
    expect(() => spawnCost(-1, 0)).toThrow(RangeError);
    expect(() => spawnCost(0, 1.5)).toThrow(RangeError);
    expect(() => spawnCost('1' as unknown as number, 0)).toThrow(TypeError);
    expect(() => spawnCost(MAX_SPAWN_EXPONENT + 1, 0)).toThrow(RangeError);
    expect(() => spawnCost(100, 0)).toThrow(RangeError);
  });
});

describe('resyncRequiredBeats (peer-protocol §6)', () => {
  it.each([[0, 0], [1, 100], [37, 3700], [100, 10_000], [101, 10_000], [1e6, 10_000]])('gap %d -> %d', (gap, beats) => {
    expect(resyncRequiredBeats(gap)).toBe(beats);
  });

  it('rejects a negative or fractional gap', () => {
    expect(() => resyncRequiredBeats(-1)).toThrow(RangeError);
    expect(() => resyncRequiredBeats(0.5)).toThrow(RangeError);
  });
});
