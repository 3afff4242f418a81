// Section 1 of the registry benchmark: the real service (startService on a fresh store of one engine), agents
// inserted ready to heartbeat, and autocannon in a worker thread sending each agent's first heartbeat at the
// current anchor — a warm-up round, then a measured round sized from the warm-up's rate to last about targetS.
import { Worker } from 'node:worker_threads';
import { nowMs } from '../../prover-wasm/src/bench-stats.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startService, type RunningService } from '../main.js';
import type { Database, Engine } from '../store/database.js';
import { BENCH_DATABASE_URL, insertInitializedAgents, openBenchStore, type BenchAgent } from './registry-fixture.js';
import type { RegistryLoadMessage, RegistryLoadSummary, RegistryLoadTask } from './registry-load-worker.js';

/** The route under load. */
export const HEARTBEAT_PATH = '/api/v1/agent/heartbeat';

/** How to load one engine. */
export interface HeartbeatBenchOptions {
  engine: Engine;
  connections: number;
  /** Heartbeats of the warm-up round (not reported, except its rate). */
  warmupAgents: number;
  /** The measured round has about warm-up rate × targetS agents, within [minAgents, maxAgents]. */
  targetS: number;
  minAgents: number;
  maxAgents: number;
}

/** Section 1, one engine: what the service sustained and what it answered. */
export interface HeartbeatBenchResult extends RegistryLoadSummary {
  engine: Engine;
  path: string;
  connections: number;
  /** Agents of the measured round: one heartbeat each. */
  agents: number;
  /** The warm-up round: heartbeats and their rate. */
  warmup: { requests: number; requestsPerSecond: number; non2xx: number };
  /** The anchor the agents were synced at. */
  anchorIndex: number;
  /** Seconds spent inserting the measured round's agents (not part of the load). */
  insertS: number;
}

/** Starts the service on a fresh store, loads it with two rounds of first heartbeats, then closes and removes everything. */
export async function measureHeartbeats(options: HeartbeatBenchOptions): Promise<HeartbeatBenchResult> {
  const store = await openBenchStore(options.engine);
  let running: RunningService | undefined;
  try {
    const config = loadConfig({
      DATA_DIR: store.dataDir, HOST: '127.0.0.1', PORT: '0', RATE_LIMITS: 'off', LOG_LEVEL: 'silent',
      ...(options.engine === 'postgres' ? { DATABASE_URL: BENCH_DATABASE_URL } : {}),
    });
    running = await startService(config, createLogger(config), { db: store.db });
    const head = await running.services.registry.anchors.current();
    const url = running.url + HEARTBEAT_PATH;
    const placement = { now: Date.now(), difficulty: config.difficulty };
    const load = async (agents: BenchAgent[]) => runLoadWorker({
      urls: [url], apiKeys: agents.map((a) => a.apiKey), agentHashes: agents.map((a) => a.hash), connections: options.connections,
      fromAnchor: head.index,
    });

    const warmupAgents = await insertInitializedAgents(store.db, options.warmupAgents, () => head.index, placement);
    const warm = await load(warmupAgents);
    assertAllFirstHeartbeats(warm, options.engine, 'warm-up');

    const count = Math.min(options.maxAgents, Math.max(options.minAgents, Math.round(warm.requestsPerSecond * options.targetS)));
    const t0 = nowMs();
    const agents = await insertAgentsInTransactions(store.db, count, head.index, placement);
    const insertS = (nowMs() - t0) / 1000;
    const summary = await load(agents);
    return {
      engine: options.engine, path: HEARTBEAT_PATH, connections: options.connections, agents: count,
      warmup: { requests: warm.requests, requestsPerSecond: warm.requestsPerSecond, non2xx: warm.non2xx },
      anchorIndex: head.index, insertS: Math.round(insertS * 100) / 100, ...summary,
    };
  } finally {
    running?.server.closeAllConnections();
    await running?.close();
    await store.dispose();
  }
}

/** Agents synced at `anchor`, 10 000 per transaction. */
export async function insertAgentsInTransactions(db: Database, count: number, anchor: number, placement: { now: number; difficulty: number }): Promise<BenchAgent[]> {
  const agents: BenchAgent[] = [];
  for (let done = 0; done < count; done += 10_000) {
    agents.push(...(await insertInitializedAgents(db, Math.min(10_000, count - done), () => anchor, placement)));
  }
  return agents;
}

/** A warm-up that did not heartbeat cleanly makes every figure after it meaningless: stop with what was answered. */
export function assertAllFirstHeartbeats(summary: RegistryLoadSummary, engine: Engine, round: string): void {
  if (summary.firstHeartbeats === summary.requests && summary.errors === 0) return;
  throw new Error(
    `${engine} ${round}: ${summary.requests - summary.firstHeartbeats} of ${summary.requests} heartbeats refused ` +
      `(${summary.errors} errors), e.g. ${summary.rejected[0] ?? 'none'}`,
  );
}

/** Runs the load in a worker thread and resolves to its summary. */
export function runLoadWorker(task: RegistryLoadTask): Promise<RegistryLoadSummary> {
  const worker = new Worker(loadWorkerFile(), { workerData: { registryLoad: task } });
  return new Promise<RegistryLoadSummary>((resolve, reject) => {
    worker.once('message', (message: RegistryLoadMessage) => (message.ok ? resolve(message.summary) : reject(new Error(message.message))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load worker stopped (exit code ${code}) before reporting`)));
  }).finally(() => worker.terminate());
}

/** The compiled worker: next to this file in dist/, or dist's copy when running from sources (as the prover pool does). */
function loadWorkerFile(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/service/bench/registry-load-worker.js', here);
  return new URL('./registry-load-worker.js', here);
}
