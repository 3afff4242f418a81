// The service benchmark of issue 3 (Node only), four sections in one run: one v2 verification on one worker
// and where its time goes, v2 proofs per second on the whole pool, spot-check beats per second per core
// against the peer's createHash loop, and POST /api/v1/beat/work-proof under autocannon.
import { createRequire } from 'node:module';
import os from 'node:os';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { describeMachine, type MachineInfo } from '../../prover-wasm/src/bench-stats.js';
import { measureHttp, type HttpBenchResult } from './http-bench.js';
import { anchorSourceOf, benchSubject, buildSampledProof, syntheticAnchor } from './proof-fixture.js';
import {
  measurePoolThroughput,
  measureSingleVerify,
  measureSpotCheckRate,
  type PoolThroughputResult,
  type SingleVerifyResult,
  type SpotCheckRateResult,
} from './verify-bench.js';

/** Sizes and durations of one run. */
export interface ServiceBenchmarkSettings {
  /** N of the proof of sections 1–3. */
  beats: number;
  /** Timed runs of section 1 (at least 15 in a full run). */
  runs: number;
  /** Section 2: verifications in flight, and windows of windowMs whose rates give the median. */
  concurrency: number;
  windows: number;
  windowMs: number;
  /** Section 3: samples per method, each of about spotTargetMs. */
  spotRepeats: number;
  spotTargetMs: number;
  /** Section 4: proofs rotated over, their N, autocannon connections and seconds. */
  httpProofs: number;
  httpBeats: number;
  httpConnections: number;
  httpDurationS: number;
}

/** The full run: issue 3's sizes. */
export const FULL_SETTINGS: Readonly<ServiceBenchmarkSettings> = Object.freeze({
  beats: 10_000, runs: 21, concurrency: 8, windows: 5, windowMs: 1000, spotRepeats: 7, spotTargetMs: 250,
  httpProofs: 8, httpBeats: 1000, httpConnections: 8, httpDurationS: 10,
});

/** --quick: every section, small and short (tests). */
export const QUICK_SETTINGS: Readonly<ServiceBenchmarkSettings> = Object.freeze({
  beats: 1000, runs: 3, concurrency: 8, windows: 1, windowMs: 1000, spotRepeats: 3, spotTargetMs: 50,
  httpProofs: 2, httpBeats: 1000, httpConnections: 8, httpDurationS: 1,
});

/** How to run the service benchmark. */
export interface ServiceBenchmarkOptions {
  /** The in-thread prover that builds the proofs. */
  prover: Prover;
  /** QUICK_SETTINGS instead of FULL_SETTINGS. */
  quick?: boolean;
  /** Told each step as it starts. */
  onStep?: (step: string) => void;
}

/** The whole run: the machine, the settings and one result per section. */
export interface ServiceBenchmarkReport {
  machine: MachineInfo;
  quick: boolean;
  settings: ServiceBenchmarkSettings;
  singleVerify: SingleVerifyResult;
  poolThroughput: PoolThroughputResult;
  spotCheckRate: SpotCheckRateResult;
  http: HttpBenchResult;
}

/** Beats per batch call in section 3: a proof's k challenges, whole groups of 4 SIMD lanes. */
const SPOT_CHECK_BATCH = 64;
/** Every this-many-th HTTP answer is parsed and its receipt checked. */
const HTTP_SAMPLE_EVERY = 10;

/** Runs the four sections one after the other; every pool and the service are closed before it resolves. */
export async function runServiceBenchmark(options: ServiceBenchmarkOptions): Promise<ServiceBenchmarkReport> {
  const { prover } = options;
  const settings = { ...(options.quick ? QUICK_SETTINGS : FULL_SETTINGS) };
  const step = options.onStep ?? (() => {});
  assertAutocannon();
  prover.warmUp();

  const anchor = syntheticAnchor();
  const anchors = anchorSourceOf(anchor);
  step(`building a sampled proof of N = ${settings.beats} beats (d = 1000) in this thread`);
  const proof = await buildSampledProof(proverEngine(prover), anchor, benchSubject('verify'), settings.beats);

  const oneWorker = new ProverPool({ threads: 1 });
  let singleVerify: SingleVerifyResult;
  let spotCheckRate: SpotCheckRateResult;
  try {
    step(`1. verifying it ${settings.runs} times on one worker, with its parts`);
    singleVerify = await measureSingleVerify(proof, anchors, oneWorker, settings.runs);
    step('3. spot-check beats per second: SIMD batch on one worker vs the peer loop');
    spotCheckRate = await measureSpotCheckRate(proof, oneWorker, {
      beatsPerCall: SPOT_CHECK_BATCH, repeats: settings.spotRepeats, targetMs: settings.spotTargetMs,
    });
  } finally {
    await oneWorker.close();
  }

  const threads = os.availableParallelism();
  step(`2. ${settings.concurrency} verifications in flight on ${threads} workers for ${settings.windows} × ${settings.windowMs} ms`);
  const poolThroughput = await measurePoolThroughput(proof, anchors, {
    threads, concurrency: settings.concurrency, windows: settings.windows, windowMs: settings.windowMs,
  });

  step(`4. HTTP: the service, ${settings.httpProofs} proofs of N = ${settings.httpBeats}, ${settings.httpConnections} connections for ${settings.httpDurationS} s`);
  const http = await measureHttp({
    prover, proofs: settings.httpProofs, beats: settings.httpBeats, connections: settings.httpConnections,
    durationS: settings.httpDurationS, sampleEvery: HTTP_SAMPLE_EVERY,
  });

  return { machine: describeMachine(prover.hasSimd), quick: options.quick === true, settings, singleVerify, poolThroughput, spotCheckRate, http };
}

/** autocannon is a devDependency: fail before a minute of work rather than at the last section. */
function assertAutocannon(): void {
  try {
    createRequire(import.meta.url).resolve('autocannon');
  } catch {
    throw new Error('the service benchmark needs autocannon, a devDependency: install the package with its dev dependencies');
  }
}
