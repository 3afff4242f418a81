// How the page writes numbers, hashes and durations: one place, so every panel reads alike.

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatInt(value: number): string {
  return INTEGER.format(value);
}

/** A 64-hex hash shortened to its head and tail: "bbb27be0…55ce4b0" (the full value goes in a title). */
export function shortHash(hash: string, head = 8, tail = 6): string {
  const prefix = hash.startsWith('0x') ? '0x' : '';
  const body = prefix ? hash.slice(2) : hash;
  return body.length <= head + tail + 1 ? hash : `${prefix}${body.slice(0, head)}…${body.slice(-tail)}`;
}

/** Milliseconds as a short human duration: "0.4 s", "48 s", "3 min 05 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const clamped = Math.max(0, ms);
  if (clamped < 10_000) return `${(clamped / 1000).toFixed(1)} s`;
  const seconds = Math.round(clamped / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A rate in iterations per second: "3.21 M it/s". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '— it/s';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M it/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k it/s`;
  return `${perSecond.toFixed(0)} it/s`;
}

/** A 0–1 score as a percentage: 0.953 → "95.3 %". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** An ISO timestamp or epoch milliseconds as a UTC date and time: "2026-02-12 14:03:07 UTC". */
export function formatUtc(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A count with its noun: 1 anchor, 2 anchors, 1,000 beats. */
export function plural(count: number, noun: string): string {
  return `${formatInt(count)} ${noun}${count === 1 ? '' : 's'}`;
}
