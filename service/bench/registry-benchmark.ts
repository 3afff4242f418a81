// The registry benchmark (Node only), three sections in one run: heartbeats per second and their latency against
// the real service at 16 connections and the dead man's switch's sweep over 100 000 agents, each on SQLite and on
// PostgreSQL; then heartbeats through one and through two `beats serve` processes on one PostgreSQL database, with
// the CPU each part used. PostgreSQL runs in a private schema or database dropped afterwards; when the server does
// not answer its rows say so and the run goes on.
import { createRequire } from 'node:module';
import type { MachineInfo } from '../../prover-wasm/src/bench-stats.js';
import type { Engine } from '../store/database.js';
import { BENCH_DATABASE_URL, probePostgres, sqliteVersion } from './registry-fixture.js';
import { measureHeartbeats, type HeartbeatBenchResult } from './registry-heartbeat-bench.js';
import { measureInstances, type InstancesBenchResult } from './instances-bench.js';
import { measureSweep, type SweepBenchResult } from './registry-sweep-bench.js';

/** Sizes and durations of one run. */
export interface RegistryBenchmarkSettings {
  /** Section 1: autocannon connections, warm-up heartbeats, and the measured round's length and bounds (agents). */
  connections: number;
  warmupAgents: number;
  targetS: number;
  minAgents: number;
  maxAgents: number;
  /** Section 2: agents, the share overdue (percent) and the timed sweeps. */
  sweepAgents: number;
  overduePercent: number;
  sweepRuns: number;
  /** Section 3: instance counts, each loaded like section 1 (connections, warm-up, length and bounds above). */
  instanceCounts: number[];
}

/** The full run: issue 4's sizes. */
export const FULL_SETTINGS: Readonly<RegistryBenchmarkSettings> = Object.freeze({
  connections: 16, warmupAgents: 3000, targetS: 12, minAgents: 8000, maxAgents: 60_000,
  sweepAgents: 100_000, overduePercent: 10, sweepRuns: 5, instanceCounts: [1, 2],
});

/** --quick: both sections, small and short (tests). */
export const QUICK_SETTINGS: Readonly<RegistryBenchmarkSettings> = Object.freeze({
  connections: 16, warmupAgents: 320, targetS: 1, minAgents: 320, maxAgents: 4000,
  sweepAgents: 10_000, overduePercent: 10, sweepRuns: 3, instanceCounts: [1, 2],
});

/** Issue 4's targets. */
export const REGISTRY_TARGETS = Object.freeze({ heartbeatsPerSecond: 1500, heartbeatP99Ms: 50, sweepMs: 1000 });

/** How to run the registry benchmark. */
export interface RegistryBenchmarkOptions {
  /** The machine the tables state. */
  machine: MachineInfo;
  /** QUICK_SETTINGS instead of FULL_SETTINGS. */
  quick?: boolean;
  /** Told each step as it starts. */
  onStep?: (step: string) => void;
}

/** A section's row for an engine that could not be measured. */
export interface EngineUnavailable {
  engine: Engine;
  available: false;
  reason: string;
}

/** The whole run: the machine, the engines' versions, the settings and one row per engine and section. */
export interface RegistryBenchmarkReport {
  machine: MachineInfo;
  engines: { sqlite: string; betterSqlite3: string; postgres: string | null; postgresUrl: string };
  quick: boolean;
  settings: RegistryBenchmarkSettings;
  targets: typeof REGISTRY_TARGETS;
  heartbeats: Array<({ available: true } & HeartbeatBenchResult) | EngineUnavailable>;
  sweeps: Array<({ available: true } & SweepBenchResult) | EngineUnavailable>;
  /** Section 3, PostgreSQL only: one row per instance count (or one row saying why not). */
  instances: Array<({ available: true } & InstancesBenchResult) | EngineUnavailable>;
}

/** Runs both sections on both engines; every service and store is closed and removed before it resolves. */
export async function runRegistryBenchmark(options: RegistryBenchmarkOptions): Promise<RegistryBenchmarkReport> {
  const settings = { ...(options.quick ? QUICK_SETTINGS : FULL_SETTINGS) };
  const step = options.onStep ?? (() => {});
  assertAutocannon();
  const postgres = await probePostgres();
  const engines: Engine[] = ['sqlite', 'postgres'];
  const unavailable = (engine: Engine): EngineUnavailable | undefined =>
    engine === 'postgres' && !postgres.ok ? { engine, available: false, reason: `PostgreSQL unreachable: ${postgres.reason}` } : undefined;

  const heartbeats: RegistryBenchmarkReport['heartbeats'] = [];
  for (const engine of engines) {
    const down = unavailable(engine);
    if (down) {
      heartbeats.push(down);
      continue;
    }
    step(`1. heartbeats on ${engine}: ${settings.warmupAgents} warm-up, then ~${settings.targetS} s at ${settings.connections} connections`);
    heartbeats.push({ available: true, ...(await measureHeartbeats({ engine, ...settings })) });
  }
  const sweeps: RegistryBenchmarkReport['sweeps'] = [];
  for (const engine of engines) {
    const down = unavailable(engine);
    if (down) {
      sweeps.push(down);
      continue;
    }
    step(`2. dead man's switch on ${engine}: ${settings.sweepAgents} agents, ${settings.overduePercent} % overdue, ${settings.sweepRuns} sweeps`);
    sweeps.push({
      available: true,
      ...(await measureSweep({ engine, agents: settings.sweepAgents, overduePercent: settings.overduePercent, runs: settings.sweepRuns })),
    });
  }
  const instances: RegistryBenchmarkReport['instances'] = [];
  const down = unavailable('postgres');
  if (down) instances.push(down);
  else {
    for (const count of settings.instanceCounts) {
      step(`3. heartbeats through ${count} \`beats serve\` process(es) on one PostgreSQL database, ~${settings.targetS} s at ${settings.connections} connections`);
      instances.push({ available: true, ...(await measureInstances({ instances: count, ...settings }, options.machine.cores)) });
    }
  }
  const versions = {
    sqlite: await sqliteVersion(),
    betterSqlite3: createRequire(import.meta.url)('better-sqlite3/package.json').version as string,
    postgres: postgres.ok ? postgres.version : null,
    postgresUrl: displayUrl(BENCH_DATABASE_URL),
  };
  return {
    machine: options.machine, engines: versions, quick: options.quick === true, settings, targets: REGISTRY_TARGETS, heartbeats, sweeps, instances,
  };
}

/** The PostgreSQL URL as reported: without its password. */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** autocannon is a devDependency: fail before any work rather than after the stores are filled. */
function assertAutocannon(): void {
  try {
    createRequire(import.meta.url).resolve('autocannon');
  } catch {
    throw new Error('the registry benchmark needs autocannon, a devDependency: install the package with its dev dependencies');
  }
}
