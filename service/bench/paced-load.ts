// An open-loop load at a fixed rate: request i is due at start + i/rate and is sent then, whatever
// happened to earlier ones, over keep-alive connections; its latency runs from when it was due (not when
// it was sent), so a stalled server or a late generator shows in the figures instead of hiding in them.
// This is what autocannon's `overallRate` is not: it lets each connection send its share of a second
// back to back at the start of each second (bursts of `rate` requests), and it corrects for coordinated
// omission with an expected interval of ceil(1/rate) = 1 ms, which adds hundreds of synthetic samples
// per slow answer. autocannon stays the tool for closed-loop throughput (service/bench).
import http from 'node:http';
import { percentile, round } from '../../prover-wasm/src/bench-stats.js';

/** One request of the load. */
export interface PacedRequest {
  /** Groups the figures (e.g. 'heartbeat'). */
  kind: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A run: `rate` requests per second for `durationS` seconds against `url`. */
export interface PacedLoadOptions {
  url: string;
  rate: number;
  durationS: number;
  /** Request number `i` (0, 1, …), built when it is due. */
  request: (i: number) => PacedRequest;
  /** False marks a 2xx answer as wrong (counted in `bad`); default: every 2xx is right. */
  check?: (request: PacedRequest, status: number, body: string) => boolean;
  /** Most connections kept open (default 64); more in flight wait for one, and their wait counts. */
  maxSockets?: number;
  /** A request unanswered this long is a timeout (default 10 000 ms). */
  timeoutMs?: number;
}

/** Latency figures in milliseconds (nearest-rank percentiles over every answered request). */
export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What a run measured. */
export interface PacedLoadResult {
  rate: number;
  durationS: number;
  sent: number;
  answered: number;
  /** Connection failures. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers that `check` refused. */
  bad: number;
  statusCodes: Record<string, number>;
  /** Every answered request, from when it was due to its last byte. */
  latencyMs: LatencyFigures;
  byKind: Record<string, LatencyFigures>;
  /** How late the generator sent requests (due → written): large values mean the load machine, not the server, was busy. */
  sendLagMs: { p99: number; max: number };
}

/** Runs the load and resolves once every request was answered or failed. */
export async function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const { url, rate, durationS } = options;
  if (!(rate > 0) || !(durationS > 0)) throw new RangeError(`"rate" and "durationS" expected > 0, got ${rate} and ${durationS}`);
  const total = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const base = new URL(url);

  const latencies: Array<{ kind: string; ms: number }> = [];
  const lags: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let bad = 0;
  const inFlight: Promise<void>[] = [];

  const send = (i: number, dueAt: number): Promise<void> => {
    const request = options.request(i);
    lags.push(performance.now() - dueAt);
    return new Promise<void>((resolve) => {
      let timedOut = false;
      const req = http.request({
        agent, host: base.hostname, port: base.port, method: request.method, path: request.path,
        headers: { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          latencies.push({ kind: request.kind, ms: performance.now() - dueAt });
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (status < 200 || status >= 300) non2xx++;
          else if (options.check && !options.check(request, status, Buffer.concat(chunks).toString('utf8'))) bad++;
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      });
      req.setTimeout(timeoutMs, () => {
        timedOut = true;
        timeouts++;
        req.destroy();
      });
      req.on('error', () => {
        if (!timedOut) errors++;
        resolve();
      });
      req.end(request.body);
    });
  };

  const start = performance.now();
  for (let i = 0; i < total; ) {
    // Everything due by now goes out at once (a late timer never thins the load); then sleep to the next one.
    const now = performance.now();
    while (i < total && start + i * intervalMs <= now) {
      inFlight.push(send(i, start + i * intervalMs));
      i++;
    }
    if (i < total) await sleepUntil(start + i * intervalMs);
  }
  await Promise.all(inFlight);
  agent.destroy();

  const kinds = [...new Set(latencies.map((l) => l.kind))].sort();
  return {
    rate, durationS, sent: total, answered: latencies.length, errors, timeouts, non2xx, bad, statusCodes,
    latencyMs: figures(latencies.map((l) => l.ms)),
    byKind: Object.fromEntries(kinds.map((kind) => [kind, figures(latencies.filter((l) => l.kind === kind).map((l) => l.ms))])),
    sendLagMs: { p99: round(percentile(lags, 99)), max: round(Math.max(...lags)) },
  };
}

function figures(values: number[]): LatencyFigures {
  if (values.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: values.length,
    p50: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p99: round(percentile(values, 99)),
    max: round(Math.max(...values)),
  };
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}
