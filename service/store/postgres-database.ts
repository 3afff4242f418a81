// The PostgreSQL engine: a pg.Pool; a transaction or an advisory-lock section takes one client.

import pg from 'pg';
import type { Database, RunResult, SqlParams } from './database.js';
import { advisoryLockKey } from './advisory-lock-key.js';
import { assertSqlParams } from './sql-params.js';
import { StoreError } from './store-errors.js';

/** Options of `openPostgresDatabase`. */
export interface PostgresOptions {
  /** `postgres://…` connection string. */
  url: string;
  /** Schema for every table (created if missing, set as the sole `search_path`); default: the server's. */
  schema?: string;
  /** Pool size; default 10. */
  poolSize?: number;
  /** Called with errors of idle pooled connections (the pool discards them and reconnects). */
  onError?: (error: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** int8 as a JS number; refuses, rather than rounds, values beyond 2^53 − 1. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`"bigint" expected a safe integer, got ${text}`);
  return value;
}

// Per-pool type parsers, so this store does not change pg's global defaults for other code.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

type Row = Record<string, unknown>;

/** A held leadership lock: its dedicated connection and who to tell when it is lost. */
interface Leadership {
  client: pg.Client;
  onLost: ((error: Error) => void) | undefined;
}

/** The handle `openPostgresDatabase` returns. */
class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private closed = false;
  private readonly leaders = new Map<string, Leadership>();
  private readonly acquiring = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly lockScope: string,
  ) {}

  async query<T = Row>(sql: string, params: SqlParams = []): Promise<T[]> {
    this.assertOpen();
    assertSqlParams(params);
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rows as T[];
  }

  async one<T = Row>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async run(sql: string, params: SqlParams = []): Promise<RunResult> {
    this.assertOpen();
    assertSqlParams(params);
    const result = await this.pool.query(sql, params as unknown[]);
    return { changes: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    this.assertOpen();
    // Without parameters pg uses the simple-query protocol, which accepts several statements.
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    return this.withClient((session) => session.transaction(fn));
  }

  async withAdvisoryLock<T>(name: string, fn: (db: Database) => Promise<T>): Promise<T> {
    return this.withClient((session) => session.withAdvisoryLock(name, fn));
  }

  /** The advisory-lock key of `name` in this store's scope. */
  lockKey(name: string): string {
    return advisoryLockKey(this.lockScope, name);
  }

  async tryAcquireLeadership(name: string, onLost?: (error: Error) => void): Promise<boolean> {
    this.assertOpen();
    if (this.leaders.has(name)) return true;
    // A second call while the first is connecting must not open a second session: advisory
    // locks conflict between sessions, so it would report false to the process that holds it.
    const pending = this.acquiring.get(name);
    if (pending) return pending;
    const attempt = this.acquireLeadership(name, onLost).finally(() => this.acquiring.delete(name));
    this.acquiring.set(name, attempt);
    return attempt;
  }

  holdsLeadership(name: string): boolean {
    return this.leaders.has(name);
  }

  async releaseLeadership(name: string): Promise<void> {
    const held = this.leaders.get(name);
    if (!held) return;
    // Forget it first, so the connection's end is not reported as a loss.
    this.leaders.delete(name);
    try {
      await held.client.query('SELECT pg_advisory_unlock($1::bigint)', [this.lockKey(name)]);
    } catch {
      // Ending the session below releases the lock anyway.
    }
    await held.client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.acquiring.values()]);
    await Promise.all([...this.leaders.keys()].map((name) => this.releaseLeadership(name)));
    // end() waits for checked-out clients (a running transaction) to be released.
    await this.pool.end();
  }

  private async acquireLeadership(name: string, onLost: ((error: Error) => void) | undefined): Promise<boolean> {
    // A dedicated connection, outside the pool: the lock lives as long as the session, and a
    // pooled connection would be handed to other work (or closed when idle).
    const client = new pg.Client(this.clientConfig);
    let held: Leadership | undefined;
    const lost = (error: Error): void => {
      if (!held || this.leaders.get(name) !== held) return;
      this.leaders.delete(name);
      client.end().catch(() => undefined);
      held.onLost?.(error);
    };
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (error) => lost(error));
    client.on('end', () => lost(new Error(`leadership connection for "${name}" ended`)));
    try {
      await client.connect();
      const row = await client.query<{ acquired: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS acquired', [
        this.lockKey(name),
      ]);
      if (row.rows[0]?.acquired !== true || this.closed) {
        await client.end().catch(() => undefined);
        return false;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    held = { client, onLost };
    this.leaders.set(name, held);
    return true;
  }

  private async withClient<T>(fn: (session: PostgresSession) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect();
    const state: ClientState = { poisoned: undefined };
    // The pool listens for errors only on idle clients; a connection dropped while this one is
    // checked out (between two statements of a transaction) would otherwise crash the process.
    const onError = (error: Error): void => {
      state.poisoned ??= error;
    };
    client.on('error', onError);
    const session = new PostgresSession(this, client, state, undefined);
    try {
      return await fn(session);
    } finally {
      session.finish();
      client.removeListener('error', onError);
      // Passing an error destroys the client instead of returning a connection in an unknown
      // state (open transaction, held lock, dead socket) to the pool.
      client.release(state.poisoned);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the PostgreSQL database is closed');
  }
}

/** Where a client handle stands: a plain session (depth 0), a transaction (1) or a savepoint (2+). */
interface SessionScope {
  depth: number;
  open: boolean;
  parent: SessionScope | undefined;
}

/** State shared by every handle on one checked-out client. */
interface ClientState {
  /** Why the client must be destroyed rather than pooled (failed cleanup, dropped connection). */
  poisoned: Error | undefined;
}

/** A handle bound to one pooled client: a session, a transaction on it, or a savepoint. */
class PostgresSession implements Database {
  readonly engine = 'postgres' as const;
  private readonly scope: SessionScope;
  private savepoints = 0;

  constructor(
    private readonly root: PostgresDatabase,
    private readonly client: pg.PoolClient,
    private readonly state: ClientState,
    parent: PostgresSession | undefined,
  ) {
    this.scope = { depth: parent ? parent.scope.depth + 1 : 0, open: true, parent: parent?.scope };
  }

  async query<T = Row>(sql: string, params: SqlParams = []): Promise<T[]> {
    this.assertActive();
    assertSqlParams(params);
    const result = await this.client.query(sql, params as unknown[]);
    return result.rows as T[];
  }

  async one<T = Row>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async run(sql: string, params: SqlParams = []): Promise<RunResult> {
    this.assertActive();
    assertSqlParams(params);
    const result = await this.client.query(sql, params as unknown[]);
    return { changes: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    this.assertActive();
    await this.client.query(sql);
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    this.assertActive();
    const top = this.scope.depth === 0;
    const savepoint = `beats_sp_${++this.savepoints}_${this.scope.depth}`;
    await this.client.query(top ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
    const tx = new PostgresSession(this.root, this.client, this.state, this);
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      tx.finish();
      try {
        await this.client.query(top ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`);
      } catch (rollbackError) {
        this.markPoisoned(rollbackError);
      }
      throw error;
    }
    tx.finish();
    try {
      // A failed COMMIT (serialization failure, deferred constraint) ends the transaction itself.
      await this.client.query(top ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`);
    } catch (error) {
      if (!top) this.markPoisoned(error);
      throw error;
    }
    return result;
  }

  async withAdvisoryLock<T>(name: string, fn: (db: Database) => Promise<T>): Promise<T> {
    this.assertActive();
    const key = this.root.lockKey(name);
    if (this.scope.depth > 0) {
      // Inside a transaction take the transaction-scoped lock: it is released by COMMIT or
      // ROLLBACK, and an unlock statement could not run in an aborted transaction anyway.
      await this.client.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
      return fn(this);
    }
    await this.client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn(this);
    } finally {
      try {
        await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      } catch (error) {
        // The session keeps the lock: destroy the connection rather than pool it.
        this.markPoisoned(error);
      }
    }
  }

  tryAcquireLeadership(name: string, onLost?: (error: Error) => void): Promise<boolean> {
    return this.root.tryAcquireLeadership(name, onLost);
  }

  holdsLeadership(name: string): boolean {
    return this.root.holdsLeadership(name);
  }

  releaseLeadership(name: string): Promise<void> {
    return this.root.releaseLeadership(name);
  }

  async close(): Promise<void> {
    throw new TypeError('"close" expected the outer Database, got a session or transaction handle');
  }

  /** Ends this handle's validity (its statements throw afterwards). */
  finish(): void {
    this.scope.open = false;
  }

  private markPoisoned(reason: unknown): void {
    this.state.poisoned ??= reason instanceof Error ? reason : new Error(String(reason));
  }

  private assertActive(): void {
    for (let s: SessionScope | undefined = this.scope; s; s = s.parent) {
      if (!s.open) {
        throw new StoreError('TRANSACTION_FINISHED', 'a transaction handle was used after its transaction ended');
      }
    }
  }
}

/** Opens a pool on `url`, creating `schema` when given. Does not migrate: see `openDatabase`. */
export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const { url, schema, poolSize = 10, onError } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`"schema" expected a lowercase SQL identifier (${SCHEMA_NAME.source}), got ${JSON.stringify(schema)}`);
  }
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`"poolSize" expected an integer >= 1, got ${poolSize}`);
  }
  const clientConfig: pg.ClientConfig = {
    connectionString: url,
    types: TYPES,
    application_name: 'beats',
    // TCP keepalive lets a silently dropped connection (leadership's in particular) be noticed.
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    // A startup parameter, so every connection, pooled or dedicated, resolves tables in the schema.
    options: schema === undefined ? undefined : `-c search_path=${schema}`,
  };
  const pool = new pg.Pool({ ...clientConfig, max: poolSize });
  // An idle client's error is emitted on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => onError?.(error));
  const db = new PostgresDatabase(pool, clientConfig, schema ?? 'public');
  if (schema !== undefined) {
    try {
      // Under a lock: concurrent CREATE SCHEMA IF NOT EXISTS can still fail with a unique violation.
      await db.withAdvisoryLock('create-schema', (session) => session.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`));
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
