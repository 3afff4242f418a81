// A crash under load: `beats serve` takes registrations, inits, heartbeats and spawns from several
// clients and is killed with SIGKILL mid-stream. After a restart on the same store every request that
// got a 2xx is there (each acknowledged agent, chain, heartbeat, spawn authorization and child), the
// anchor chain verifies, and nothing is half written (each chain's counters agree with its heartbeat
// rows; no row without its owner; an authorization is used exactly when its child exists, under its
// parent and name; each authorization's receipt is spent and each spawn receipt spent paid for one;
// each parent's children_spawned is its children).
//
// The spawns pay with real receipts: every other round a worker's fresh agent proves 1 000 beats at
// difficulty 100 (its first child's price) against the service's current anchor, posts it to
// POST /work-proof, and then spawns (step 5), registers (6), initializes and finalizes (7) the child.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../service/store/database.js';
import { openDatabase } from '../../service/store/open-database.js';
import {
  api, Cluster, CLUSTER_ADMIN_TOKEN, createTestDatabase, postgresUnavailable, skipWithoutPostgres, sleep, spawnAuthorizationId,
  verifyAnchorChain, workReceipt,
} from './cluster.js';

const WORKERS = 6;

/** What the clients were told succeeded. */
interface Acknowledged {
  registered: Set<string>;
  initialized: Set<string>;
  heartbeats: Array<{ hash: string; anchor: number }>;
  /** Spawn authorizations answered 200 (step 5): the row id the token names. */
  authorizations: Array<{ id: string; parent: string; childName: string }>;
  /** Children answered 201 by POST /register with an authorization (step 6). */
  children: Array<{ hash: string; parent: string; name: string; authorizationId: string }>;
  /** Children whose lineage the finalize (step 7) answered 200. */
  finalized: Set<string>;
}

/** A fresh (initialized, SIGIL-holding) agent spawns one child, acknowledging each step that got a 2xx; returns the child's key, if registered. */
async function spawnChild(url: string, parent: { hash: string; apiKey: string }, name: string, acked: Acknowledged): Promise<{ hash: string; apiKey: string } | undefined> {
  const receipt = await workReceipt(url, parent.hash, 1000);
  const paid = await api(url, 'POST', '/api/v1/agent/spawn', { bearer: parent.apiKey, body: { child_name: name, beats_receipt: receipt } });
  if (paid.status !== 200) return undefined;
  const authorizationId = spawnAuthorizationId(paid.body.spawn_authorization as string);
  acked.authorizations.push({ id: authorizationId, parent: parent.hash, childName: name });
  const reg = await api(url, 'POST', '/api/v1/register', { bearer: parent.apiKey, body: { name, spawn_authorization: paid.body.spawn_authorization } });
  if (reg.status !== 201) return undefined;
  const child = { hash: reg.body.hash as string, apiKey: reg.body.api_key as string };
  acked.registered.add(child.hash);
  acked.children.push({ hash: child.hash, parent: parent.hash, name, authorizationId });
  if ((await api(url, 'POST', '/api/v1/agent/init', { bearer: child.apiKey })).status !== 201) return undefined;
  acked.initialized.add(child.hash);
  const finalized = await api(url, 'POST', '/api/v1/agent/spawn', { bearer: parent.apiKey, body: { child_hash: child.hash } });
  if (finalized.status === 200) acked.finalized.add(child.hash);
  return child;
}

/** Clients registering, initializing, spawning and heartbeating as fast as they are answered, until `stopped()`. */
async function load(url: string, stopped: () => boolean): Promise<Acknowledged> {
  const acked: Acknowledged = { registered: new Set(), initialized: new Set(), heartbeats: [], authorizations: [], children: [], finalized: new Set() };
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
        // Half the rounds (alternating between workers, so spawns and plain rounds overlap) spawn a child.
        const child = (round + w) % 2 === 0 ? await spawnChild(url, { hash, apiKey }, `kid-${w}-${round}`, acked) : undefined;
        for (let beat = 0; beat < 6 && !stopped(); beat++) {
          for (const agent of child ? [{ hash, apiKey }, child] : [{ hash, apiKey }]) {
            const hb = await api(url, 'POST', '/api/v1/agent/heartbeat', { bearer: agent.apiKey, body: {} });
            if (hb.status === 200) acked.heartbeats.push({ hash: agent.hash, anchor: hb.body.anchor_index as number });
          }
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
      expect(acked.children.length).toBeGreaterThan(0);
      console.log(
        `crash [${engine}]: ${acked.registered.size} registrations, ${acked.initialized.size} inits, ${acked.heartbeats.length} heartbeats, ` +
        `${acked.authorizations.length} spawn authorizations, ${acked.children.length} children, ${acked.finalized.size} finalizes acknowledged before SIGKILL`,
      );

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

        // Every acknowledged spawn: its authorization (paid by a receipt), its child under its parent, used by that child.
        type AuthorizationRow = { id: string; parent_hash: string; child_name: string; required_beats: number; receipt_based: boolean; receipt_id: string | null; used_at: number | null; child_hash: string | null };
        const authorizations = new Map((await db.query<AuthorizationRow>(
          'SELECT id, parent_hash, child_name, required_beats, receipt_based, receipt_id, used_at, child_hash FROM spawn_authorizations',
        )).map((r) => [r.id, r]));
        for (const { id, parent, childName } of acked.authorizations) {
          const row = authorizations.get(id);
          expect(row, `authorization ${id}`).toBeDefined();
          expect(row).toMatchObject({ parent_hash: parent, child_name: childName, receipt_based: true });
          expect(Number(row!.required_beats)).toBe(1000);
        }
        const children = new Map((await db.query<{ hash: string; name: string; type: string; parent_hash: string | null; depth: number; lineage_finalized_at: number | null }>(
          'SELECT hash, name, type, parent_hash, depth, lineage_finalized_at FROM agents WHERE parent_hash IS NOT NULL',
        )).map((r) => [r.hash, r]));
        for (const { hash, parent, name, authorizationId } of acked.children) {
          expect(children.get(hash), `child ${hash}`).toMatchObject({ name, type: 'agent', parent_hash: parent, depth: 1 });
          expect(authorizations.get(authorizationId), `authorization of ${hash}`).toMatchObject({ child_hash: hash });
          expect(authorizations.get(authorizationId)!.used_at).not.toBeNull();
        }
        for (const hash of acked.finalized) expect(children.get(hash)!.lineage_finalized_at, `lineage of ${hash}`).not.toBeNull();

        // Nothing half-written in spawns: an authorization is used exactly when it names its child, and that
        // child exists under its parent and name; every child has its used authorization; every
        // receipt-paid authorization's receipt is spent by its parent for a spawn, and every receipt spent
        // for a spawn paid for an authorization; each parent's children_spawned counts its children.
        expect(await db.query('SELECT id FROM spawn_authorizations WHERE (used_at IS NULL) <> (child_hash IS NULL)')).toEqual([]);
        expect(await db.query(
          `SELECT s.id FROM spawn_authorizations s LEFT JOIN agents c ON c.hash = s.child_hash
           WHERE s.used_at IS NOT NULL AND (c.hash IS NULL OR c.parent_hash <> s.parent_hash OR c.name <> s.child_name)`,
        )).toEqual([]);
        expect(await db.query(
          `SELECT a.hash FROM agents a WHERE a.type = 'agent'
           AND (SELECT COUNT(*) FROM spawn_authorizations s WHERE s.child_hash = a.hash AND s.used_at IS NOT NULL) <> 1`,
        )).toEqual([]);
        expect(await db.query(
          `SELECT s.id FROM spawn_authorizations s LEFT JOIN consumed_receipts r ON r.receipt_id = s.receipt_id
           WHERE s.receipt_based = TRUE AND (r.receipt_id IS NULL OR r.agent_hash <> s.parent_hash OR r.purpose <> 'spawn')`,
        )).toEqual([]);
        expect(await db.query(
          `SELECT r.receipt_id FROM consumed_receipts r WHERE r.purpose = 'spawn'
           AND NOT EXISTS (SELECT 1 FROM spawn_authorizations s WHERE s.receipt_id = r.receipt_id)`,
        )).toEqual([]);
        expect(await db.query('SELECT s.id FROM spawn_authorizations s LEFT JOIN agents p ON p.hash = s.parent_hash WHERE p.hash IS NULL')).toEqual([]);
        expect(await db.query(
          'SELECT p.hash FROM agents p WHERE p.children_spawned <> (SELECT COUNT(*) FROM agents c WHERE c.parent_hash = p.hash)',
        )).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });
}
