// Stores and agents for the registry benchmark: a fresh store per section (SQLite in a temporary directory,
// PostgreSQL in a private schema dropped afterwards), and initialized agents written with batched multi-row
// INSERTs in one transaction, with the columns and values the registry's own code paths write (register:
// the API key kept as its SHA-256; admin/sigil: a SIGIL; init: the protocol A1 genesis, active, synced).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { genesisHash } from '../../shared/genesis.js';
import { apiKeyDigest, newAgentHash, newApiKey } from '../registry/agent-credentials.js';
import { GENESIS_PREV } from '../registry/beat-chain-service.js';
import type { Database, Engine, SqlValue } from '../store/database.js';
import { openDatabase, type OpenDatabaseOptions } from '../store/open-database.js';
import { openSqliteDatabase } from '../store/sqlite-database.js';

/** The PostgreSQL server of the benchmark (the test suites' variable and default). */
export const BENCH_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Rows per INSERT: at most 11 parameters a row, 5 500 a statement, far below SQLite's 32 766 and PostgreSQL's 65 535. */
const ROWS_PER_INSERT = 500;

/** A store made for one section; `dispose()` closes it and removes its directory or schema. */
export interface BenchStore {
  engine: Engine;
  db: Database;
  /** The temporary directory (the SQLite file, and the signing seed of a service started on it). */
  dataDir: string;
  /** PostgreSQL only: the private schema. */
  schema?: string;
  dispose(): Promise<void>;
}

/** Opens and migrates a fresh store on `engine`; PostgreSQL at BENCH_DATABASE_URL in a new private schema. */
export async function openBenchStore(engine: Engine): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beats-bench-registry-'));
  const schema = engine === 'postgres' ? `beats_bench_${process.pid}_${randomBytes(6).toString('hex')}` : undefined;
  const options: OpenDatabaseOptions = engine === 'postgres' ? { dataDir, databaseUrl: BENCH_DATABASE_URL, schema } : { dataDir };
  const removeAll = async () => {
    if (schema !== undefined) await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  };
  let db: Database;
  try {
    db = await openDatabase(options);
  } catch (error) {
    await removeAll().catch(() => undefined);
    throw error;
  }
  return {
    engine, db, dataDir, schema,
    async dispose() {
      await db.close();
      await removeAll();
    },
  };
}

/** PostgreSQL's server version, or why it cannot be used (its error, one line) when it did not answer within 2 s. */
export async function probePostgres(url = BENCH_DATABASE_URL): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { ok: true, version: rows[0]?.v ?? 'unknown' };
  } catch (error) {
    return { ok: false, reason: (error instanceof Error ? error.message : String(error)).split('\n')[0] || 'unreachable' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The SQLite library's version (the one better-sqlite3 bundles). */
export async function sqliteVersion(): Promise<string> {
  const db = openSqliteDatabase(':memory:');
  try {
    return (await db.one<{ v: string }>('SELECT sqlite_version() AS v'))?.v ?? 'unknown';
  } finally {
    await db.close();
  }
}

/** An agent the benchmark can authenticate as. */
export interface BenchAgent {
  hash: string;
  /** `pvn_…`, as register shows it once. */
  apiKey: string;
}

/** What every inserted agent's chain starts from. */
export interface ChainPlacement {
  /** Epoch ms of registration, SIGIL and init. */
  now: number;
  /** DIFFICULTY of the chain. */
  difficulty: number;
}

/**
 * Inserts `count` root agents holding a SIGIL (narrow_task), each with an active chain initialized and
 * synced at `lastGlobalSync(i)` (agent i of this call), in one transaction; returns their hashes and keys.
 */
export async function insertInitializedAgents(
  db: Database,
  count: number,
  lastGlobalSync: (i: number) => number,
  placement: ChainPlacement,
): Promise<BenchAgent[]> {
  const agents: BenchAgent[] = [];
  const agentRows: SqlValue[][] = [];
  const chainRows: SqlValue[][] = [];
  const { now, difficulty } = placement;
  for (let i = 0; i < count; i++) {
    const hash = newAgentHash();
    const apiKey = newApiKey();
    agents.push({ hash, apiKey });
    // As register, then POST /admin/sigil: a root agent needs a SIGIL to heartbeat.
    agentRows.push([hash, `bench-${i}`, 'root', 0, apiKeyDigest(apiKey), now, `bench-${i}`, 'bench', 'ind', 'narrow_task', now]);
    // As init: genesis = protocol A1 genesis of the agent hash, active, synced at its anchor.
    const genesis = '0x' + genesisHash(hash);
    const sync = lastGlobalSync(i);
    chainRows.push([hash, genesis, GENESIS_PREV, now, difficulty, 'active', sync, sync, now, genesis]);
  }
  await db.transaction(async (tx) => {
    await insertRows(tx, 'agents', AGENT_COLUMNS, agentRows);
    await insertRows(tx, 'beat_chains', CHAIN_COLUMNS, chainRows);
  });
  return agents;
}

const AGENT_COLUMNS = [
  'hash', 'name', 'type', 'depth', 'api_key_digest', 'registered_at',
  'sigil_name', 'sigil_principal', 'sigil_tier', 'identity_class', 'sigil_issued_at',
] as const;

const CHAIN_COLUMNS = [
  'agent_hash', 'genesis_hash', 'genesis_prev', 'genesis_at', 'difficulty', 'status', 'init_anchor',
  'last_global_sync', 'last_sync_at', 'latest_hash',
] as const;

/** INSERTs `rows` into `table` ROWS_PER_INSERT at a time (one statement text per batch size, so prepared once). */
async function insertRows(db: Database, table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const batch = rows.slice(start, start + ROWS_PER_INSERT);
    const tuples = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    await db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, batch.flat());
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
