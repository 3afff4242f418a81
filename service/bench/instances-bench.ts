// Section 3 of the registry benchmark: heartbeats on PostgreSQL through one and through two `beats serve`
// processes on one database, autocannon's connections spread over the instances, and the CPU each part used
// while it ran (the instances, the PostgreSQL server's processes, the load generator) — so the table says
// where the bottleneck is. On a 2-core machine the parts share the cores, so little scaling is expected.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../store/open-database.js';
import { measureCpu, pidsNamed } from './process-cpu.js';
import { BENCH_DATABASE_URL, insertInitializedAgents } from './registry-fixture.js';
import { assertAllFirstHeartbeats, HEARTBEAT_PATH, insertAgentsInTransactions, runLoadWorker } from './registry-heartbeat-bench.js';
import type { RegistryLoadSummary } from './registry-load-worker.js';
import { createScratchDatabase } from './scratch-database.js';
import { startServiceProcess, type ServiceProcess } from './service-processes.js';

/** How to load one row of the section. */
export interface InstancesBenchOptions {
  instances: number;
  connections: number;
  warmupAgents: number;
  /** The measured round has about warm-up rate × targetS agents, within [minAgents, maxAgents]. */
  targetS: number;
  minAgents: number;
  maxAgents: number;
}

/** One row: what `instances` processes sustained, and the CPU (in cores) each part used meanwhile. */
export interface InstancesBenchResult extends RegistryLoadSummary {
  instances: number;
  connections: number;
  agents: number;
  /** Cores busy on average during the measured round, per part: `instance 1`…, `postgres`, `load generator`. */
  cpuCores: Record<string, number>;
  /** Cores busy on the whole machine meanwhile (the parts, the kernel, anything else running). */
  machineBusyCores: number;
  /** The machine's cores. */
  machineCores: number;
}

/** Starts `instances` processes on a fresh database, loads them with two rounds of first heartbeats, then stops and drops everything. */
export async function measureInstances(options: InstancesBenchOptions, machineCores: number): Promise<InstancesBenchResult> {
  const db = await createScratchDatabase(BENCH_DATABASE_URL, 'bench_instances');
  const dataDirs: string[] = [];
  const processes: ServiceProcess[] = [];
  const store = await openDatabase({ dataDir: tmpdir(), databaseUrl: db.url });
  try {
    // Every instance shares the root seed, as a cluster must (the keys in the database were made from it).
    const seed = randomBytes(32).toString('hex');
    for (let i = 0; i < options.instances; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'beats-bench-instance-'));
      dataDirs.push(dataDir);
      processes.push(await startServiceProcess({
        DATABASE_URL: db.url, DATA_DIR: dataDir, BEATS_SIGNING_SEED: seed, RATE_LIMITS: 'off', LOG_LEVEL: 'warn', PROVER_THREADS: '1',
      }));
    }
    const head = await (await fetch(`${processes[0].url}/api/v1/beat/anchor`)).json() as { anchor: { beat_index: number } };
    const anchor = head.anchor.beat_index;
    const placement = { now: Date.now(), difficulty: 1000 };
    const urls = processes.map((p) => p.url + HEARTBEAT_PATH);
    const load = (agents: Array<{ hash: string; apiKey: string }>) => runLoadWorker({
      urls, apiKeys: agents.map((a) => a.apiKey), agentHashes: agents.map((a) => a.hash), connections: options.connections, fromAnchor: anchor,
    });

    const warm = await load(await insertInitializedAgents(store, options.warmupAgents, () => anchor, placement));
    assertAllFirstHeartbeats(warm, 'postgres', `${options.instances} instance(s) warm-up`);
    const count = Math.min(options.maxAgents, Math.max(options.minAgents, Math.round(warm.requestsPerSecond * options.targetS)));
    const agents = await insertAgentsInTransactions(store, count, anchor, placement);

    const groups = () => ({
      ...Object.fromEntries(processes.map((p, i) => [`instance ${i + 1}`, [p.pid]])),
      postgres: pidsNamed('postgres'),
      'load generator': [process.pid],
    });
    const { result, cores, machineBusyCores } = await measureCpu(groups, () => load(agents));
    assertAllFirstHeartbeats(result, 'postgres', `${options.instances} instance(s)`);
    return { instances: options.instances, connections: options.connections, agents: count, ...result, cpuCores: cores, machineBusyCores, machineCores };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await store.close();
    await db.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}
