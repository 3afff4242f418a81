// The part of autocannon 8's API the load generators use, typed once (the package ships no types),
// and its loader. `C` is the per-connection context autocannon passes to request hooks.
import { createRequire } from 'node:module';

/** One request template; hooks may rewrite it per request and see each answer. */
export interface AutocannonRequest<C = object> {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: AutocannonRequest<C>, context: C) => AutocannonRequest<C>;
  onResponse?: (status: number, body: string, context: C, headers: Record<string, string>) => void;
}

/** A run: for `duration` seconds or `amount` requests, optionally at `overallRate` requests/s. */
export interface AutocannonOptions<C = object> {
  /** With several, connection i goes to url[i % count]. */
  url: string | string[];
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  /** With a rate: record latencies as measured (autocannon's correction assumes a 1 ms interval). */
  ignoreCoordinatedOmission?: boolean;
  requests: AutocannonRequest<C>[];
}

/** A run's result, aggregated. */
export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number };
  requests: { total: number; average: number };
}

/** What a run resolves to: aggregated on the main thread, raw (histograms still encoded) in a worker thread. */
export type AutocannonRunResult = AutocannonResult | { latencies: string };

/** autocannon itself. */
export interface Autocannon {
  <C>(options: AutocannonOptions<C>): Promise<AutocannonRunResult>;
  aggregateResult(results: AutocannonRunResult[], options: { url: string; connections: number }): AutocannonResult;
}

/** Loads autocannon (a devDependency: benchmarks and load tests only). */
export function loadAutocannon(): Autocannon {
  return createRequire(import.meta.url)('autocannon') as Autocannon;
}

/** What both load workers report of a run: counts, rate and latency (autocannon's histogram, 1 ms resolution). */
export interface LoadFigures {
  durationS: number;
  requests: number;
  /** Answers per second over `durationS`. */
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * The figures of `run` (aggregated first when it ran in a worker thread) over `durationS`, or over autocannon's own
 * duration when not given.
 */
export function loadFiguresOf(autocannon: Autocannon, run: AutocannonRunResult, target: { url: string; connections: number }, durationS?: number): LoadFigures {
  const result = 'latency' in run ? run : autocannon.aggregateResult([run], target);
  const { latency } = result;
  const seconds = durationS ?? result.duration;
  return {
    durationS: Math.round(seconds * 100) / 100,
    requests: result.requests.total,
    requestsPerSecond: Math.round((result.requests.total / seconds) * 10) / 10,
    latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, mean: latency.mean, max: latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}
