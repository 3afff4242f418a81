// Ordered schema migrations, applied at open (architecture.md, Storage: "Migrations run at boot").
// Append new migrations at the end; never edit or reorder one that has shipped.

import type { Database, Engine } from './database.js';
import { StoreError } from './store-errors.js';

/** One migration: SQL shared by both engines, or one script per engine where the dialects differ. */
export interface Migration {
  /** Stable, unique, sortable id, e.g. `001_beats_service`. */
  id: string;
  sql: string | Record<Engine, string>;
}

/** Every migration, in the order it is applied. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '001_beats_service',
    // Timestamps are BIGINT epoch milliseconds; hashes, keys and entropy are lowercase hex TEXT.
    sql: `
      CREATE TABLE anchors (
        beat_index BIGINT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        prev_hash TEXT NOT NULL,
        utc BIGINT NOT NULL,
        difficulty INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        entropy TEXT NOT NULL,
        signature TEXT NOT NULL,
        kid TEXT NOT NULL
      );
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        use TEXT NOT NULL CHECK (use IN ('anchor', 'work_proof')),
        public_key_hex TEXT NOT NULL,
        derivation TEXT NOT NULL,
        valid_from BIGINT NOT NULL,
        valid_until BIGINT NULL
      );
      CREATE TABLE issued_receipts (
        receipt_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NULL,
        beats_verified BIGINT NOT NULL,
        difficulty INTEGER NOT NULL,
        anchor_index BIGINT NOT NULL,
        mode TEXT NOT NULL,
        assurance TEXT NOT NULL,
        kid TEXT NOT NULL,
        issued_at BIGINT NOT NULL
      );
      CREATE INDEX issued_receipts_issued_at ON issued_receipts (issued_at);
      -- The primary key is what makes a receipt single-use (protocol C): two concurrent
      -- consumers both try to insert, the database lets exactly one through.
      CREATE TABLE consumed_receipts (
        receipt_id TEXT PRIMARY KEY,
        agent_hash TEXT NOT NULL,
        purpose TEXT NOT NULL,
        beats BIGINT NOT NULL,
        consumed_at BIGINT NOT NULL
      );
      CREATE INDEX consumed_receipts_agent_hash ON consumed_receipts (agent_hash);
    `,
  },
  {
    id: '002_registry',
    // The agent registry (seed pages 000-002). Hashes are `0x` + 64 hex; the API key is kept only as
    // the hex SHA-256 of the key. Booleans are BOOLEAN (mapped to JS booleans on both engines).
    sql: `
      CREATE TABLE agents (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('root', 'agent')),
        parent_hash TEXT NULL REFERENCES agents (hash),
        depth INTEGER NOT NULL CHECK (depth >= 0),
        metadata TEXT NULL,
        api_key_digest TEXT NOT NULL UNIQUE,
        registered_at BIGINT NOT NULL,
        registered_by TEXT NULL,
        children_spawned INTEGER NOT NULL DEFAULT 0,
        sigil_name TEXT NULL,
        sigil_principal TEXT NULL,
        sigil_tier TEXT NULL CHECK (sigil_tier IN ('sov', 'org', 'ind', 'eph', 'sbx')),
        identity_class TEXT NULL CHECK (identity_class IN ('narrow_task', 'autonomous', 'orchestrator')),
        sigil_issued_at BIGINT NULL,
        birth_tx TEXT NULL,
        refused BOOLEAN NOT NULL DEFAULT FALSE,
        refused_reason TEXT NULL
      );
      CREATE INDEX agents_parent_hash ON agents (parent_hash);
      -- One beat chain per agent, created by POST /agent/init; the primary key makes init idempotent.
      CREATE TABLE beat_chains (
        agent_hash TEXT PRIMARY KEY REFERENCES agents (hash),
        genesis_hash TEXT NOT NULL,
        genesis_prev TEXT NOT NULL,
        genesis_at BIGINT NOT NULL,
        difficulty INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'frozen')),
        init_anchor BIGINT NOT NULL,
        last_global_sync BIGINT NOT NULL,
        last_sync_at BIGINT NOT NULL,
        last_checkin_beat BIGINT NULL,
        total_heartbeats BIGINT NOT NULL DEFAULT 0,
        billing_epoch BIGINT NOT NULL DEFAULT 0,
        heartbeat_count_epoch BIGINT NOT NULL DEFAULT 0,
        lifetime_beats BIGINT NOT NULL DEFAULT 0,
        available_beats BIGINT NOT NULL DEFAULT 0,
        latest_hash TEXT NOT NULL,
        frozen_since BIGINT NULL,
        frozen_at_anchor BIGINT NULL
      );
      -- The dead man's switch selects active chains by how far behind they are.
      CREATE INDEX beat_chains_overdue ON beat_chains (status, last_global_sync);
      -- At most one heartbeat per agent per anchor: the primary key refuses the second.
      CREATE TABLE heartbeats (
        agent_hash TEXT NOT NULL REFERENCES agents (hash),
        anchor_index BIGINT NOT NULL,
        at BIGINT NOT NULL,
        billing_epoch BIGINT NOT NULL,
        payer TEXT NULL,
        PRIMARY KEY (agent_hash, anchor_index)
      );
      -- Every freeze and when it ended (a resync), for the liveness score.
      CREATE TABLE freezes (
        agent_hash TEXT NOT NULL REFERENCES agents (hash),
        frozen_at_anchor BIGINT NOT NULL,
        frozen_at BIGINT NOT NULL,
        ended_at_anchor BIGINT NULL,
        ended_at BIGINT NULL,
        PRIMARY KEY (agent_hash, frozen_at_anchor)
      );
      -- Work is spent once (protocol C): the Beats service signs a new receipt (new utc, new signature,
      -- new id) each time the same proof is posted, so the work itself has a unique key as well: for
      -- v2 its chain start (from_hash binds anchor and subject, and two chains from one start share
      -- their first beats, so one start pays once), for v1 its endpoints.
      -- NULLs are distinct in a unique index on both engines, so rows without a key never collide.
      ALTER TABLE consumed_receipts ADD COLUMN from_hash TEXT NULL;
      ALTER TABLE consumed_receipts ADD COLUMN to_hash TEXT NULL;
      ALTER TABLE consumed_receipts ADD COLUMN work_key TEXT NULL;
      CREATE UNIQUE INDEX consumed_receipts_work ON consumed_receipts (work_key);
      -- The liveness window starts at the first anchor of the last 30 days.
      CREATE INDEX anchors_utc ON anchors (utc);
    `,
  },
  {
    id: '003_spawn_wallets_sponsorship',
    // Spawn (seed 004), linked wallets, parent-sponsored heartbeats (seed 003) and key rotation.
    sql: `
      -- A child's name is unique under its parent (409 SPAWN_CONFLICT). Roots have a NULL parent, and
      -- NULLs are distinct in a unique index on both engines, so root names may repeat.
      CREATE UNIQUE INDEX agents_parent_name ON agents (parent_hash, name);
      -- Every authorization-issuing spawn call of a parent first bumps this counter (UPDATE … RETURNING):
      -- the row lock it takes serializes a parent's spawns, so the sibling count each one prices is exact.
      ALTER TABLE agents ADD COLUMN spawn_seq BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE agents ADD COLUMN lineage_finalized_at BIGINT NULL;
      -- A base58 Ed25519 public key proven by a signed challenge (Solana, operator model).
      ALTER TABLE agents ADD COLUMN wallet TEXT NULL;
      ALTER TABLE agents ADD COLUMN wallet_linked_at BIGINT NULL;
      -- One row per spawn authorization; consumed once by UPDATE … WHERE used_at IS NULL.
      CREATE TABLE spawn_authorizations (
        id TEXT PRIMARY KEY,
        parent_hash TEXT NOT NULL REFERENCES agents (hash),
        child_name TEXT NOT NULL,
        required_beats BIGINT NOT NULL,
        receipt_based BOOLEAN NOT NULL,
        receipt_id TEXT NULL,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT NULL,
        child_hash TEXT NULL
      );
      CREATE INDEX spawn_authorizations_parent ON spawn_authorizations (parent_hash, child_name);
      -- Wallet-link challenges: random, 5 minutes, used once.
      CREATE TABLE wallet_challenges (
        challenge TEXT PRIMARY KEY,
        agent_hash TEXT NOT NULL REFERENCES agents (hash),
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT NULL
      );
      CREATE INDEX wallet_challenges_agent ON wallet_challenges (agent_hash, issued_at);
      -- A parent pays its direct child's heartbeats up to a cap per billing epoch; the cap is enforced by
      -- UPDATE … SET heartbeats_used_epoch = heartbeats_used_epoch + 1 WHERE … < max, in the heartbeat's transaction.
      CREATE TABLE sponsorships (
        parent_hash TEXT NOT NULL REFERENCES agents (hash),
        child_hash TEXT NOT NULL REFERENCES agents (hash),
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        max_heartbeats_epoch INTEGER NOT NULL CHECK (max_heartbeats_epoch BETWEEN 1 AND 10000),
        heartbeats_used_epoch INTEGER NOT NULL DEFAULT 0,
        billing_epoch BIGINT NOT NULL DEFAULT 0,
        expires_at BIGINT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        revoked_at BIGINT NULL,
        revoked_reason TEXT NULL,
        PRIMARY KEY (parent_hash, child_hash)
      );
      CREATE INDEX sponsorships_child ON sponsorships (child_hash);
      -- Which parent paid a sponsored heartbeat.
      ALTER TABLE heartbeats ADD COLUMN sponsor_hash TEXT NULL;
    `,
  },
];

/** Name of the cross-process lock held while migrating. */
export const MIGRATION_LOCK = 'schema-migrations';

/** Applies the migrations `db` lacks, all in one transaction under a cross-process lock; returns the ids applied. */
export async function runMigrations(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): Promise<string[]> {
  assertMigrationList(migrations);
  // The lock serializes two instances booting on one PostgreSQL database: without it both
  // could see an empty schema_migrations and race to create the same tables. On SQLite,
  // BEGIN IMMEDIATE already serializes processes sharing the file.
  return db.withAdvisoryLock(MIGRATION_LOCK, (session) =>
    session.transaction(async (tx) => {
      await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const rows = await tx.query<{ id: string }>('SELECT id FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.id));
      const known = new Set(migrations.map((m) => m.id));
      const unknown = [...applied].filter((id) => !known.has(id));
      if (unknown.length > 0) {
        // A newer release migrated this database; running older code on it could corrupt it.
        throw new StoreError(
          'MIGRATION_UNKNOWN',
          `the database has migrations this version does not know: ${unknown.sort().join(', ')}`,
        );
      }
      const done: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await tx.exec(typeof migration.sql === 'string' ? migration.sql : migration.sql[tx.engine]);
        await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [migration.id, now()]);
        done.push(migration.id);
      }
      return done;
    }),
  );
}

function assertMigrationList(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id)) throw new TypeError(`"migrations" expected unique ids, got ${id} twice`);
    seen.add(id);
  }
}
