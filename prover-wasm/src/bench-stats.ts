// Order statistics, a millisecond clock and the machine line every benchmark table states (prover and service).
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** The machine and versions every benchmark table states. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  openssl: string;
  /** True when the WASM build runs batches in 4 SIMD lanes. */
  simd: boolean;
}

/** The machine this process runs on; `simd` from the loaded prover. */
export function describeMachine(simd: boolean): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    simd,
  };
}

/** Milliseconds from a monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** Milliseconds `fn` takes, awaited. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank `p`-th percentile of `values`, p in (0, 100]: the smallest value with p % of them at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = sortedCopy(values);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** `value` rounded to `digits` decimals, for reports. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function sortedCopy(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('"values" expected at least one sample, got length=0');
  return [...values].sort((a, b) => a - b);
}
