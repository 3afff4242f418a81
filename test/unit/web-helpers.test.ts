// The page's pure helpers, in Node: number, hash and duration formats, subject and agent-hash
// normalisation, and the lenient reading of seed 001's check-ins.
import { describe, expect, it } from 'vitest';
import { normalizeCheckins } from '../../service/web/checkin-chart.js';
import { formatDuration, formatInt, formatRate, plural, shortHash } from '../../service/web/format.js';
import { normalizeSubject, randomSubject } from '../../service/web/prove.js';
import { normalizeAgentHash } from '../../service/web/registry-lookup.js';

describe('web helpers', () => {
  it('formats numbers, hashes, durations and rates', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(plural(1, 'anchor')).toBe('1 anchor');
    expect(plural(1000, 'beat')).toBe('1,000 beats');
    expect(shortHash('ab'.repeat(32))).toBe('abababab…ababab');
    expect(shortHash(`0x${'cd'.repeat(32)}`, 4, 4)).toBe('0xcdcd…cdcd');
    expect(formatDuration(400)).toBe('0.4 s');
    expect(formatDuration(48_000)).toBe('48 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_800_000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatRate(3_210_000)).toBe('3.21 M it/s');
    expect(formatRate(0)).toBe('— it/s');
  });

  it('normalises subjects and agent hashes, refusing anything else', () => {
    const hex = 'AB'.repeat(32);
    expect(normalizeSubject(`0x${hex}`)).toBe(hex.toLowerCase());
    expect(normalizeSubject(` ${hex} `)).toBe(hex.toLowerCase());
    expect(() => normalizeSubject('0x1234')).toThrow(TypeError);
    expect(randomSubject()).toMatch(/^[0-9a-f]{64}$/);
    expect(randomSubject()).not.toBe(randomSubject());
    expect(normalizeAgentHash(hex)).toBe(`0x${hex.toLowerCase()}`);
    expect(normalizeAgentHash(`0X${hex}`)).toBe(`0x${hex.toLowerCase()}`);
    expect(normalizeAgentHash(`0x${'g'.repeat(64)}`)).toBeUndefined();
  });

  it('reads check-ins leniently: numbers, anchor indices, times, beat counts; oldest first', () => {
    expect(normalizeCheckins(undefined)).toEqual([]);
    expect(normalizeCheckins([12, 10])).toEqual([{ anchor: 10 }, { anchor: 12 }]);
    // The registry's shape (service/registry/status-service.ts): { anchor_index, at }.
    const at = '2026-02-12T12:00:00.000Z';
    expect(normalizeCheckins([{ anchor_index: 7, at }, { junk: true }, null])).toEqual([{ anchor: 7, time: Date.parse(at), beats: undefined }]);
    expect(normalizeCheckins([{ global_anchor: 3, beats: 120 }])).toEqual([{ anchor: 3, time: undefined, beats: 120 }]);
  });
});
