// The SQLite engine: better-sqlite3, a synchronous connection per handle, serialized by an async mutex.
//
// better-sqlite3 runs each statement to completion synchronously, so single statements cannot
// interleave. A transaction can: its callback awaits between statements, and without a lock
// another request's statement would run on the same connection inside the open transaction
// (and be rolled back with it). So a transaction holds the mutex from BEGIN to COMMIT, and
// statements on any handle to the same file wait while it is held.
//
// Group commit: with synchronous=FULL every COMMIT fsyncs the WAL, and better-sqlite3 blocks the event
// loop meanwhile. Transactions that are waiting when one group starts run together: one BEGIN IMMEDIATE,
// each callback in a savepoint of its own (its failure rolls back only its own writes, as a transaction
// of its own would), one COMMIT — one fsync for the group — and only then is any of them answered.

import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, RunResult, SqlParams } from './database.js';
import { AsyncMutex } from './async-mutex.js';
import { assertSqlParams } from './sql-params.js';
import { toSqlitePlaceholders } from './sqlite-placeholders.js';
import { StoreError } from './store-errors.js';

/** Most transactions committed together by one COMMIT. */
const MAX_COMMIT_GROUP = 64;

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

// Prepared statements are cached by SQL text; the store's SQL is static, the cap only guards
// against a caller that builds SQL dynamically.
const STATEMENT_CACHE_LIMIT = 256;

type Row = Record<string, unknown>;

interface Prepared {
  statement: BetterSqlite3.Statement<unknown[], Row>;
  reader: boolean;
  /** Result columns declared BOOLEAN, mapped from 0/1 to false/true. */
  booleanColumns: string[];
}

/** A transaction or savepoint: usable while it and every enclosing one are open. */
interface TxScope {
  open: boolean;
  parent: TxScope | undefined;
}

function isActive(scope: TxScope): boolean {
  for (let s: TxScope | undefined = scope; s; s = s.parent) if (!s.open) return false;
  return true;
}

/**
 * What every connection to one file in this process shares. A second connection's BEGIN
 * IMMEDIATE busy-waits synchronously, blocking the event loop, so while a first connection
 * awaited inside its transaction it could never commit: both would stall until SQLITE_BUSY.
 * Sharing the mutex makes transactions on every handle to the file take turns instead.
 */
interface FileState {
  readonly mutex: AsyncMutex;
  // Marks the async context of a transaction callback, to catch use of an outer handle there,
  // which would otherwise wait forever for the mutex the transaction holds.
  readonly txContext: AsyncLocalStorage<TxScope>;
  refs: number;
}

const openFiles = new Map<string, FileState>();

function attachFile(key: string | undefined): FileState {
  const fresh = (): FileState => ({ mutex: new AsyncMutex(), txContext: new AsyncLocalStorage<TxScope>(), refs: 0 });
  if (key === undefined) return fresh();
  let state = openFiles.get(key);
  if (!state) {
    state = fresh();
    openFiles.set(key, state);
  }
  state.refs++;
  return state;
}

function detachFile(key: string | undefined, state: FileState): void {
  if (key === undefined) return;
  if (--state.refs === 0 && openFiles.get(key) === state) openFiles.delete(key);
}

/** One connection and the state every handle on it shares. */
class SqliteConnection {
  readonly mutex: AsyncMutex;
  readonly txContext: AsyncLocalStorage<TxScope>;
  closed = false;
  private savepoints = 0;
  private readonly cache = new Map<string, Prepared>();

  constructor(
    readonly db: BetterSqlite3.Database,
    private readonly fileKey: string | undefined,
    private readonly file: FileState,
  ) {
    this.mutex = file.mutex;
    this.txContext = file.txContext;
  }

  /** Closes the connection; the caller holds the mutex. */
  close(): void {
    this.closed = true;
    this.db.close();
    detachFile(this.fileKey, this.file);
  }

  all(sql: string, params: SqlParams): Row[] {
    const prepared = this.prepare(sql);
    if (!prepared.reader) {
      this.execute(prepared, params, 'run');
      return [];
    }
    const rows = this.execute(prepared, params, 'all') as Row[];
    if (prepared.booleanColumns.length > 0) {
      for (const row of rows) {
        for (const column of prepared.booleanColumns) {
          const value = row[column];
          if (value !== null && value !== undefined) row[column] = value !== 0 && value !== 0n;
        }
      }
    }
    return rows;
  }

  run(sql: string, params: SqlParams): RunResult {
    const result = this.execute(this.prepare(sql), params, 'run') as BetterSqlite3.RunResult;
    return { changes: result.changes };
  }

  exec(sql: string): void {
    this.assertOpen();
    this.db.exec(sql);
  }

  /** A savepoint name unique on this connection. */
  nextSavepoint(): string {
    return `beats_sp_${++this.savepoints}`;
  }

  assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the SQLite database is closed');
  }

  private execute(prepared: Prepared, params: SqlParams, mode: 'all' | 'run'): unknown {
    this.assertOpen();
    assertSqlParams(params);
    if (params.length === 0) return mode === 'all' ? prepared.statement.all() : prepared.statement.run();
    // Numbered placeholders bind from an object keyed 1..n; SQLite has no boolean type.
    const bound: Record<number, string | number | null> = {};
    for (let i = 0; i < params.length; i++) {
      const value = params[i];
      bound[i + 1] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    return mode === 'all' ? prepared.statement.all(bound) : prepared.statement.run(bound);
  }

  private prepare(sql: string): Prepared {
    this.assertOpen();
    let prepared = this.cache.get(sql);
    if (prepared) return prepared;
    const statement = this.db.prepare<unknown[], Row>(toSqlitePlaceholders(sql));
    const reader = statement.reader;
    const booleanColumns = reader
      ? statement
          .columns()
          .filter((c) => c.type !== null && c.type.toUpperCase() === 'BOOLEAN')
          .map((c) => c.name)
      : [];
    prepared = { statement, reader, booleanColumns };
    if (this.cache.size >= STATEMENT_CACHE_LIMIT) this.cache.clear();
    this.cache.set(sql, prepared);
    return prepared;
  }
}

/** A transaction waiting for its commit group. */
interface PendingTransaction {
  fn: (tx: Database) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The handle `openSqliteDatabase` returns: statements wait while a transaction is open. */
class SqliteDatabase implements Database {
  readonly engine = 'sqlite' as const;
  private readonly leaders = new Set<string>();
  private readonly pending: PendingTransaction[] = [];
  private draining = false;

  constructor(private readonly conn: SqliteConnection) {}

  async query<T = Row>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.outside(() => this.conn.all(sql, params) as T[]);
  }

  async one<T = Row>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.outside(() => this.conn.run(sql, params));
  }

  async exec(sql: string): Promise<void> {
    return this.outside(() => this.conn.exec(sql));
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    this.assertNotInTransaction();
    this.conn.assertOpen();
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      // The group starts after this turn of the event loop, so the requests read in it all join one COMMIT.
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Runs the waiting transactions, a commit group at a time, until none waits. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.conn.mutex.acquire();
        const group = this.pending.splice(0, MAX_COMMIT_GROUP);
        try {
          await this.commitGroup(group);
        } catch (error) {
          // Not expected (commitGroup settles every outcome itself); a settled promise ignores a second settle.
          this.abandonTransaction();
          for (const item of group) item.reject(error);
        } finally {
          this.conn.mutex.release();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One BEGIN IMMEDIATE … COMMIT around `group`, each callback in its own savepoint; settles each after the COMMIT. */
  private async commitGroup(group: PendingTransaction[]): Promise<void> {
    try {
      this.conn.assertOpen();
      // IMMEDIATE takes the write lock now, so a second process on the file waits at BEGIN
      // (busy_timeout) instead of failing at its first write with SQLITE_BUSY mid-transaction.
      this.conn.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    for (let i = 0; i < group.length; i++) {
      const scope: TxScope = { open: true, parent: undefined };
      const savepoint = this.conn.nextSavepoint();
      try {
        this.conn.exec(`SAVEPOINT ${savepoint}`);
        const value = await this.conn.txContext.run(scope, () => group[i].fn(new SqliteTransaction(this.conn, scope, this)));
        this.conn.exec(`RELEASE ${savepoint}`);
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (!this.rollBackTo(savepoint)) {
          // Some errors (SQLITE_FULL, SQLITE_IOERR…) roll the whole transaction back: the group's earlier
          // writes are gone with it, so they fail too (with an error of their own, not this one's); the ones
          // not yet run wait for the next group.
          this.abandonTransaction();
          const aborted = new StoreError('TRANSACTION_ABORTED', 'the transaction was rolled back with another one of its commit group');
          for (const item of group.slice(0, i)) item.reject(aborted);
          group[i].reject(error);
          this.pending.unshift(...group.slice(i + 1));
          return;
        }
        outcomes.push({ ok: false, error });
      } finally {
        scope.open = false;
      }
    }
    try {
      this.conn.exec('COMMIT');
    } catch (error) {
      this.abandonTransaction();
      for (const item of group) item.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i].resolve(outcome.value) : group[i].reject(outcome.error)));
  }

  /** Rolls back whatever transaction is open, if any; a failure here leaves nothing more to undo. */
  private abandonTransaction(): void {
    try {
      if (this.conn.db.inTransaction) this.conn.db.exec('ROLLBACK');
    } catch {
      // The connection refused even that: SQLite rolls back an unfinished transaction itself.
    }
  }

  /** Undoes a savepoint's writes; false when the transaction around it is gone (or the rollback failed). */
  private rollBackTo(savepoint: string): boolean {
    if (!this.conn.db.inTransaction) return false;
    try {
      this.conn.db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      return true;
    } catch {
      return false;
    }
  }

  async withAdvisoryLock<T>(_name: string, fn: (db: Database) => Promise<T>): Promise<T> {
    // One process owns the file; a second process writing it serializes at BEGIN IMMEDIATE.
    return fn(this);
  }

  async tryAcquireLeadership(name: string): Promise<boolean> {
    this.conn.assertOpen();
    this.leaders.add(name);
    return true;
  }

  holdsLeadership(name: string): boolean {
    return !this.conn.closed && this.leaders.has(name);
  }

  async releaseLeadership(name: string): Promise<void> {
    this.leaders.delete(name);
  }

  async close(): Promise<void> {
    if (this.conn.closed) return;
    this.assertNotInTransaction();
    await this.conn.mutex.runExclusive(() => {
      if (this.conn.closed) return;
      this.leaders.clear();
      this.conn.close();
    });
  }

  /** Runs a synchronous statement now, or after the open transaction when there is one. */
  private async outside<T>(fn: () => T): Promise<T> {
    this.assertNotInTransaction();
    if (!this.conn.mutex.locked) return fn();
    return this.conn.mutex.runExclusive(fn);
  }

  private assertNotInTransaction(): void {
    const scope = this.conn.txContext.getStore();
    if (scope && isActive(scope)) {
      throw new StoreError(
        'OUTER_HANDLE_IN_TRANSACTION',
        'the outer Database handle was used inside its own transaction (it would wait forever): use the tx handle',
      );
    }
  }
}

/** A handle inside a transaction (or savepoint); runs statements directly, the mutex is already held. */
class SqliteTransaction implements Database {
  readonly engine = 'sqlite' as const;

  constructor(
    private readonly conn: SqliteConnection,
    private readonly scope: TxScope,
    private readonly root: SqliteDatabase,
  ) {}

  async query<T = Row>(sql: string, params: SqlParams = []): Promise<T[]> {
    this.assertActive();
    return this.conn.all(sql, params) as T[];
  }

  async one<T = Row>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async run(sql: string, params: SqlParams = []): Promise<RunResult> {
    this.assertActive();
    return this.conn.run(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.assertActive();
    this.conn.exec(sql);
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    this.assertActive();
    const name = this.conn.nextSavepoint();
    const scope: TxScope = { open: true, parent: this.scope };
    this.conn.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(new SqliteTransaction(this.conn, scope, this.root));
      this.conn.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      if (this.conn.db.inTransaction) this.conn.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      scope.open = false;
    }
  }

  async withAdvisoryLock<T>(_name: string, fn: (db: Database) => Promise<T>): Promise<T> {
    return fn(this);
  }

  tryAcquireLeadership(name: string): Promise<boolean> {
    return this.root.tryAcquireLeadership(name);
  }

  holdsLeadership(name: string): boolean {
    return this.root.holdsLeadership(name);
  }

  releaseLeadership(name: string): Promise<void> {
    return this.root.releaseLeadership(name);
  }

  async close(): Promise<void> {
    throw new TypeError('"close" expected the outer Database, got a transaction handle');
  }

  private assertActive(): void {
    if (!isActive(this.scope)) {
      throw new StoreError('TRANSACTION_FINISHED', 'a transaction handle was used after its transaction ended');
    }
  }
}

/**
 * Opens (creating if needed) the SQLite file at `filename` in WAL mode with synchronous=FULL,
 * a busy timeout and foreign keys on. Does not migrate: see `openDatabase`.
 */
export function openSqliteDatabase(filename: string): Database {
  const db = new BetterSqlite3(filename, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // ':memory:' and '' are private databases, one per connection.
  const fileKey = filename === ':memory:' || filename === '' ? undefined : resolve(filename);
  try {
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on power loss, and a
    // response may acknowledge a write only once it is durable (architecture.md, Storage).
    // FULL fsyncs the WAL at every commit.
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteDatabase(new SqliteConnection(db, fileKey, attachFile(fileKey)));
}
