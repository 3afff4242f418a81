// Picks the engine from the configuration (architecture.md: DATA_DIR, DATABASE_URL) and migrates.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.js';
import { runMigrations } from './migrations.js';
import { openPostgresDatabase } from './postgres-database.js';
import { openSqliteDatabase } from './sqlite-database.js';

/** File name of the embedded database inside the data directory. */
export const SQLITE_FILE_NAME = 'beats.sqlite';

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** Directory of the SQLite file (created with mode 0700 when missing). */
  dataDir: string;
  /** `postgres://…`: use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** PostgreSQL only: schema holding the tables (created if missing); tests use a private one. */
  schema?: string;
  /** PostgreSQL only: pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL only: errors of idle pooled connections, for logging. */
  onError?: (error: Error) => void;
}

/** Opens PostgreSQL when `databaseUrl` is set, else SQLite at `${dataDir}/beats.sqlite`, then runs migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let db: Database;
  if (options.databaseUrl) {
    db = await openPostgresDatabase({
      url: options.databaseUrl,
      schema: options.schema,
      poolSize: options.poolSize,
      onError: options.onError,
    });
  } else {
    // 0700: the directory also holds the signing seed (protocol A3).
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    db = openSqliteDatabase(join(options.dataDir, SQLITE_FILE_NAME));
  }
  try {
    await runMigrations(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
