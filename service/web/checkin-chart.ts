// Recent check-ins as a small SVG timeline. Seed 001 leaves the entries' shape open
// (`recent_checkins: []`), so entries are read leniently: a number is an anchor index; an object
// may carry an anchor index, a time and a beat count under the names registries commonly use.
import { h, s } from './dom.js';
import { formatInt, formatUtc } from './format.js';

/** One check-in, normalised. */
export interface CheckinPoint {
  /** The global anchor index it synced to, when given. */
  anchor?: number;
  /** Epoch milliseconds, when given. */
  time?: number;
  /** Beats it carried, when given. */
  beats?: number;
}

const ANCHOR_FIELDS = ['global_anchor', 'anchor_index', 'global_beat', 'last_global_sync', 'beat_index', 'beat', 'index'];
const TIME_FIELDS = ['at', 'utc', 'timestamp', 'created_at', 'checked_in_at', 'time'];
const BEATS_FIELDS = ['beats', 'beats_count', 'beat_count', 'count', 'total_beats'];

/** The check-ins of a beat-status payload, oldest first; entries with neither index nor time are dropped. */
export function normalizeCheckins(raw: unknown): CheckinPoint[] {
  if (!Array.isArray(raw)) return [];
  const points: CheckinPoint[] = [];
  for (const entry of raw) {
    if (typeof entry === 'number' && Number.isFinite(entry)) {
      points.push({ anchor: entry });
      continue;
    }
    if (entry === null || typeof entry !== 'object') continue;
    const record = entry as Record<string, unknown>;
    const anchor = firstNumber(record, ANCHOR_FIELDS);
    const time = firstTime(record, TIME_FIELDS);
    const beats = firstNumber(record, BEATS_FIELDS);
    if (anchor === undefined && time === undefined) continue;
    points.push({ anchor, time, beats });
  }
  const key = (p: CheckinPoint) => p.time ?? p.anchor ?? 0;
  return points.sort((a, b) => key(a) - key(b));
}

/** A timeline of `points` (x: time when every point has one, else anchor index; stem height: beats). */
export function checkinChart(points: CheckinPoint[]): HTMLElement {
  if (points.length === 0) return h('p', { class: 'hint' }, 'No check-ins yet.');
  const byTime = points.every((p) => p.time !== undefined);
  const xs = points.map((p) => (byTime ? p.time! : p.anchor ?? 0));
  const label = (p: CheckinPoint) => (byTime ? formatUtc(p.time!) : `anchor ${formatInt(p.anchor ?? 0)}`);
  const maxBeats = Math.max(0, ...points.map((p) => p.beats ?? 0));
  const width = 320;
  const height = 96;
  const left = 8;
  const right = width - 8;
  const base = 64;
  const min = Math.min(...xs);
  const span = Math.max(...xs) - min || 1;
  const x = (v: number) => (points.length === 1 ? (left + right) / 2 : left + ((v - min) / span) * (right - left));
  const stem = (p: CheckinPoint) => (maxBeats > 0 && p.beats !== undefined ? 8 + (p.beats / maxBeats) * 44 : 28);
  const summary = `${points.length} check-in${points.length === 1 ? '' : 's'} from ${label(points[0])} to ${label(points[points.length - 1])}`;
  const describe = (p: CheckinPoint) => [label(p), p.anchor !== undefined && byTime ? `anchor ${formatInt(p.anchor)}` : '', p.beats !== undefined ? `${formatInt(p.beats)} beats` : ''].filter(Boolean).join(', ');

  const chart = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary },
    s('line', { class: 'axis', x1: left, x2: right, y1: base, y2: base }),
    ...points.map((p, i) => {
      const cx = x(xs[i]).toFixed(1);
      const top = (base - stem(p)).toFixed(1);
      return s('g', {},
        s('title', {}, describe(p)),
        s('line', { class: 'stem', x1: cx, x2: cx, y1: base, y2: top }),
        s('circle', { class: 'dot', cx, cy: top, r: 3.5 }),
      );
    }),
    s('text', { class: 'label', x: left, y: base + 18 }, label(points[0])),
    points.length > 1 ? s('text', { class: 'label', x: right, y: base + 18, 'text-anchor': 'end' }, label(points[points.length - 1])) : null,
  );
  return h('div', {},
    chart,
    h('details', {}, h('summary', {}, 'Check-ins as a list'), h('ol', {}, ...points.map((p) => h('li', {}, describe(p))))),
  );
}

function firstNumber(record: Record<string, unknown>, fields: string[]): number | undefined {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function firstTime(record: Record<string, unknown>, fields: string[]): number | undefined {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string') {
      const parsed = Date.parse(value);
      if (!Number.isNaN(parsed)) return parsed;
    }
  }
  return undefined;
}
