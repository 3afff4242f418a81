// Section 2 of the registry benchmark: one dead man's switch sweep over a large registry. Agents are inserted
// initialized, a known share of them more than DEADLINE_ANCHORS behind; the services are opened on the store
// without their anchor clock (so no sweep runs but the timed ones), and the registry's own DeadMansSwitch —
// with the freezing steps and listeners the composition root registers — sweeps at the current anchor.
import { median, round, timeMs } from '../../prover-wasm/src/bench-stats.js';
import { DEADLINE_ANCHORS } from '../registry/standing.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openServices, type Services } from '../services.js';
import type { Engine } from '../store/database.js';
import { BENCH_DATABASE_URL, insertInitializedAgents, openBenchStore } from './registry-fixture.js';

/** The anchor every sweep runs at: far enough from 0 for every agent's last sync to be a valid anchor index. */
export const SWEEP_ANCHOR = 1_000_000;

/** Agents inserted per transaction. */
const AGENTS_PER_TRANSACTION = 10_000;

/** How to measure one engine. */
export interface SweepBenchOptions {
  engine: Engine;
  agents: number;
  /** Agent i is overdue when i mod 100 < overduePercent. */
  overduePercent: number;
  /** Timed sweeps, the agents re-armed between them. */
  runs: number;
}

/** Section 2, one engine. */
export interface SweepBenchResult {
  engine: Engine;
  agents: number;
  /** Agents more than DEADLINE_ANCHORS behind: what every sweep must freeze. */
  expectedFrozen: number;
  /** Agents each timed sweep froze (and the freezes rows it wrote). */
  frozen: number[];
  freezeRecords: number[];
  runs: number;
  /** The sweep that freezes `expectedFrozen` agents. */
  sweep: { medianMs: number; maxMs: number; samplesMs: number[] };
  /** The sweep right after, with nothing overdue left: the cost of every anchor's sweep in the steady state. */
  idleSweep: { medianMs: number; samplesMs: number[] };
  /** Seconds spent inserting the agents (not part of the sweep). */
  insertS: number;
  /** PostgreSQL: ANALYZE ran after the insert (autovacuum would have analysed the table within a minute). */
  analyzed: boolean;
}

/** Inserts the agents, times `runs` sweeps (each followed by an idle one) and removes the store. */
export async function measureSweep(options: SweepBenchOptions): Promise<SweepBenchResult> {
  const { engine, agents, overduePercent, runs } = options;
  const store = await openBenchStore(engine);
  let services: Services | undefined;
  try {
    const config = loadConfig({
      DATA_DIR: store.dataDir, LOG_LEVEL: 'silent', PROVER_THREADS: '1',
      ...(engine === 'postgres' ? { DATABASE_URL: BENCH_DATABASE_URL } : {}),
    });
    const isOverdue = (i: number) => i % 100 < overduePercent;
    // Overdue agents are 61 to 2 060 anchors behind, the others 0 to 60 (60 itself is not overdue: the switch freezes past 60).
    const lastSync = (i: number) => SWEEP_ANCHOR - (isOverdue(i) ? DEADLINE_ANCHORS + 1 + ((i * 7919) % 2000) : i % (DEADLINE_ANCHORS + 1));
    let expectedFrozen = 0;
    for (let i = 0; i < agents; i++) if (isOverdue(i)) expectedFrozen++;

    const placement = { now: Date.now(), difficulty: config.difficulty };
    const insertS = await timeMs(async () => {
      for (let done = 0; done < agents; done += AGENTS_PER_TRANSACTION) {
        await insertInitializedAgents(store.db, Math.min(AGENTS_PER_TRANSACTION, agents - done), (i) => lastSync(done + i), placement);
      }
    });
    const analyzed = engine === 'postgres';
    if (analyzed) await store.db.exec('ANALYZE agents; ANALYZE beat_chains');

    services = await openServices(config, createLogger(config), { db: store.db, startClock: false });
    const dms = services.registry.deadMansSwitch;
    const frozen: number[] = [];
    const freezeRecords: number[] = [];
    const samplesMs: number[] = [];
    const idleSamplesMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      if (run > 0) await rearm(store.db);
      let hashes: string[] = [];
      samplesMs.push(await timeMs(async () => (hashes = await dms.sweep(SWEEP_ANCHOR))));
      frozen.push(hashes.length);
      freezeRecords.push((await store.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM freezes WHERE frozen_at_anchor = $1', [SWEEP_ANCHOR]))?.n ?? 0);
      let idle: string[] = [];
      idleSamplesMs.push(await timeMs(async () => (idle = await dms.sweep(SWEEP_ANCHOR))));
      if (idle.length !== 0) throw new Error(`${engine}: a second sweep at the same anchor froze ${idle.length} more agents`);
    }
    return {
      engine, agents, expectedFrozen, frozen, freezeRecords, runs,
      sweep: { medianMs: round(median(samplesMs)), maxMs: round(Math.max(...samplesMs)), samplesMs: samplesMs.map((v) => round(v)) },
      idleSweep: { medianMs: round(median(idleSamplesMs)), samplesMs: idleSamplesMs.map((v) => round(v)) },
      insertS: round(insertS / 1000), analyzed,
    };
  } finally {
    await services?.close();
    await store.dispose();
  }
}

/** Ends every freeze: the agents are active again at their old last sync, so the next sweep freezes the same ones. */
async function rearm(db: Services['db']): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run("UPDATE beat_chains SET status = 'active', frozen_since = NULL, frozen_at_anchor = NULL WHERE status = 'frozen'");
    await tx.run('DELETE FROM freezes');
  });
}
