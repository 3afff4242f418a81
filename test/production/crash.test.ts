// A crash under load: `beats serve` takes registrations, inits and heartbeats from several clients and is
// killed with SIGKILL mid-stream. After a restart on the same store every request that got a 2xx is
// there (each acknowledged agent, chain and heartbeat), the anchor chain verifies, and nothing is half
// written (each chain's counters agree with its heartbeat rows; no row without its owner).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../service/store/database.js';
import { openDatabase } from '../../service/store/open-database.js';
import { api, Cluster, CLUSTER_ADMIN_TOKEN, createTestDatabase, postgresUnavailable, skipWithoutPostgres, sleep, verifyAnchorChain } from './cluster.js';

const WORKERS = 6;

/** What the clients were told succeeded. */
interface Acknowledged {
  registered: Set<string>;
  initialized: Set<string>;
  heartbeats: Array<{ hash: string; anchor: number }>;
}

/** Clients registering, initializing and heartbeating as fast as they are answered, until `stopped()`. */
async function load(url: string, stopped: () => boolean): Promise<Acknowledged> {
  const acked: Acknowledged = { registered: new Set(), initialized: new Set(), heartbeats: [] };
  const worker = async (w: number) => {
    for (let round = 0; !stopped(); round++) {
      try {
        const reg = await api(url, 'POST', '/api/v1/register', { body: { name: `crash-${w}-${round}` } });
        if (reg.status !== 201) continue;
        const hash = reg.body.hash as string;
        const apiKey = reg.body.api_key as string;
        acked.registered.add(hash);
        if ((await api(url, 'POST', '/api/v1/agent/init', { bearer: apiKey })).status !== 201) continue;
        acked.initialized.add(hash);
        const sigil = await api(url, 'POST', '/api/v1/admin/sigil', {
          bearer: CLUSTER_ADMIN_TOKEN, body: { agent_hash: hash, sigil_name: 'c', principal: 'crash', tier: 'ind', identity_class: 'orchestrator' },
        });
        if (sigil.status !== 200) continue;
        for (let beat = 0; beat < 6 && !stopped(); beat++) {
          const hb = await api(url, 'POST', '/api/v1/agent/heartbeat', { bearer: apiKey, body: {} });
          if (hb.status === 200) acked.heartbeats.push({ hash, anchor: hb.body.anchor_index as number });
          await sleep(40);
        }
      } catch {
        // The process is gone (or going): nothing in flight was acknowledged.
        if (stopped()) return;
        await sleep(20);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return acked;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && skipWithoutPostgres)(`SIGKILL under load [${engine}]`, () => {
    let cluster: Cluster;
    beforeAll(() => {
      if (engine === 'postgres' && postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
    });
    afterEach(() => cluster.dispose());

    it('loses no acknowledged write and leaves nothing half-written', async () => {
      let storeEnv: Record<string, string>;
      cluster = new Cluster({ ANCHOR_INTERVAL_MS: '300' });
      if (engine === 'postgres') {
        const db = await createTestDatabase('crash');
        cluster.onDispose(db.drop);
        storeEnv = { DATABASE_URL: db.url };
      } else {
        storeEnv = { DATA_DIR: cluster.tempDir() };
      }
      const first = await cluster.start('first', storeEnv);
      let stop = false;
      const loading = load(first.url, () => stop);
      await sleep(1_500 + Math.floor(Math.random() * 1_000));
      first.child.kill('SIGKILL');
      stop = true;
      expect(await first.exited).toBeNull();
      const acked = await loading;
      expect(acked.registered.size).toBeGreaterThan(5);
      expect(acked.heartbeats.length).toBeGreaterThan(5);
      console.log(`crash [${engine}]: ${acked.registered.size} registrations, ${acked.initialized.size} inits, ${acked.heartbeats.length} heartbeats acknowledged before SIGKILL`);

      // Restarted on the same store: it serves every acknowledged agent and one verifying anchor chain.
      const second = await cluster.start('second', storeEnv);
      for (const hash of acked.registered) {
        const status = await api(second.url, 'GET', `/api/v1/status/${hash}`);
        expect(status.status, hash).toBe(200);
      }
      await verifyAnchorChain(second.url);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      // The store itself, row by row.
      const db: Database = await openDatabase(engine === 'postgres' ? { dataDir: cluster.tempDir(), databaseUrl: storeEnv.DATABASE_URL } : { dataDir: storeEnv.DATA_DIR });
      try {
        const agents = new Set((await db.query<{ hash: string }>('SELECT hash FROM agents')).map((r) => r.hash));
        for (const hash of acked.registered) expect(agents.has(hash), `agent ${hash}`).toBe(true);
        const chains = new Set((await db.query<{ agent_hash: string }>('SELECT agent_hash FROM beat_chains')).map((r) => r.agent_hash));
        for (const hash of acked.initialized) expect(chains.has(hash), `chain ${hash}`).toBe(true);
        const rows = new Set((await db.query<{ agent_hash: string; anchor_index: number }>('SELECT agent_hash, anchor_index FROM heartbeats'))
          .map((r) => `${r.agent_hash}@${r.anchor_index}`));
        for (const { hash, anchor } of acked.heartbeats) expect(rows.has(`${hash}@${anchor}`), `heartbeat ${hash}@${anchor}`).toBe(true);

        // Nothing half-written: each chain's counters are its heartbeat rows, and no row lacks its owner.
        const mismatched = await db.query(
          `SELECT c.agent_hash, c.total_heartbeats, c.last_checkin_beat, COUNT(h.anchor_index) AS rows, MAX(h.anchor_index) AS last
           FROM beat_chains c LEFT JOIN heartbeats h ON h.agent_hash = c.agent_hash
           GROUP BY c.agent_hash, c.total_heartbeats, c.last_checkin_beat
           HAVING c.total_heartbeats <> COUNT(h.anchor_index) OR COALESCE(c.last_checkin_beat, -1) <> COALESCE(MAX(h.anchor_index), -1)`,
        );
        expect(mismatched).toEqual([]);
        expect(await db.query('SELECT h.agent_hash FROM heartbeats h LEFT JOIN beat_chains c ON c.agent_hash = h.agent_hash WHERE c.agent_hash IS NULL')).toEqual([]);
        expect(await db.query('SELECT c.agent_hash FROM beat_chains c LEFT JOIN agents a ON a.hash = c.agent_hash WHERE a.hash IS NULL')).toEqual([]);
        const indices = (await db.query<{ beat_index: number }>('SELECT beat_index FROM anchors ORDER BY beat_index')).map((r) => r.beat_index);
        expect(indices).toEqual(indices.map((_, i) => i));
      } finally {
        await db.close();
      }
    });
  });
}
