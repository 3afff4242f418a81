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
