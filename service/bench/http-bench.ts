// Section 4 of the service benchmark: the real service started in this process (startService on SQLite in a
// temporary directory), valid v2 proofs prebuilt for its current anchor, and autocannon posting them to
// POST /api/v1/beat/work-proof from a worker thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { assuranceOf } from '../../shared/proof-v2/index.js';
import { loadConfig } from '../config.js';
import { startService, type RunningService } from '../main.js';
import { BENCH_K, benchSubject, buildSampledProof, proofBytes } from './proof-fixture.js';
import type { HttpLoadMessage, HttpLoadSummary, HttpLoadTask } from './http-load-worker.js';

/** The route under load. */
export const WORK_PROOF_PATH = '/api/v1/beat/work-proof';

/** How to load the service. */
export interface HttpBenchOptions {
  /** Builds the proofs, in this thread. */
  prover: Prover;
  /** Distinct proofs the requests rotate over. */
  proofs: number;
  /** N of each proof. */
  beats: number;
  connections: number;
  durationS: number;
  /** Every this-many-th answer is parsed and its receipt checked. */
  sampleEvery: number;
}

/** Section 4: what the service sustained and what it answered. */
export interface HttpBenchResult extends HttpLoadSummary {
  path: string;
  connections: number;
  proofs: number;
  beats: number;
  difficulty: number;
  k: number;
  /** Prover threads of the service (PROVER_THREADS, default the available parallelism). */
  proverThreads: number;
  /** Size of one proof as JSON (the work_proof object), in bytes. */
  proofBytes: number;
  /** Size of one request body ({"work_proof": …}), in bytes. */
  bodyBytes: number;
}

/** Starts the service, prebuilds valid proofs for its anchor, loads it with autocannon, then closes everything. */
export async function measureHttp(options: HttpBenchOptions): Promise<HttpBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beats-bench-'));
  let running: RunningService | undefined;
  try {
    const config = loadConfig({
      DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', RATE_LIMITS: 'off', LOG_LEVEL: 'silent',
      // One anchor a minute keeps the proofs' anchor within the grace window for the whole run.
      ANCHOR_INTERVAL_MS: '60000',
    });
    running = await startService(config);
    const head = await running.services.reader.head();
    if (!head) throw new Error('the service made no anchor at start');
    const anchor = { index: head.anchor.beat_index, hash: head.anchor.hash };

    const engine = proverEngine(options.prover);
    const proofs = [];
    for (let i = 0; i < options.proofs; i++) proofs.push(await buildSampledProof(engine, anchor, benchSubject(`http-${i}`), options.beats));
    const bodies = proofs.map((proof) => JSON.stringify({ work_proof: proof }));

    const url = running.url + WORK_PROOF_PATH;
    // One request first: a refused proof would make every figure below meaningless.
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] });
    const answer = (await first.json()) as { valid?: boolean; reason?: string; code?: string };
    if (!first.ok || answer.valid !== true) throw new Error(`the service refused the benchmark proof: ${first.status} ${answer.reason ?? answer.code ?? ''}`);

    const summary = await runLoadWorker({
      url, bodies, connections: options.connections, durationS: options.durationS, sampleEvery: options.sampleEvery,
      expect: { beatsVerified: options.beats, assurance: assuranceOf('sampled', BENCH_K) },
    });
    return {
      path: WORK_PROOF_PATH, connections: options.connections, proofs: options.proofs, beats: options.beats,
      difficulty: proofs[0].difficulty, k: BENCH_K, proverThreads: config.proverThreads,
      proofBytes: proofBytes(proofs[0]), bodyBytes: Buffer.byteLength(bodies[0]), ...summary,
    };
  } finally {
    running?.server.closeAllConnections();
    await running?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the load in a worker thread and resolves to its summary. */
function runLoadWorker(task: HttpLoadTask): Promise<HttpLoadSummary> {
  const worker = new Worker(loadWorkerFile(), { workerData: { httpLoad: task } });
  return new Promise<HttpLoadSummary>((resolve, reject) => {
    worker.once('message', (message: HttpLoadMessage) => (message.ok ? resolve(message.summary) : reject(new Error(message.message))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load worker stopped (exit code ${code}) before reporting`)));
  }).finally(() => worker.terminate());
}

/** The compiled worker: next to this file in dist/, or dist's copy when running from sources (as the prover pool does). */
function loadWorkerFile(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/service/bench/http-load-worker.js', here);
  return new URL('./http-load-worker.js', here);
}
