// One query layer over two engines (architecture.md, Storage). SQL is written once, in the
// dialect both engines share, with PostgreSQL-style `$1, $2…` placeholders.
//
// Value conventions, identical on both engines:
// - Integers (INTEGER, BIGINT, COUNT(*)) come back as JS numbers. PostgreSQL int8 values outside
//   the safe-integer range make the query fail rather than lose precision. SUM() is NUMERIC on
//   PostgreSQL (a string): write `CAST(SUM(x) AS BIGINT)`.
// - Booleans: declare the column `BOOLEAN` in the migration. PostgreSQL returns it natively;
//   the SQLite engine stores 0/1 and maps every result column whose declared type is BOOLEAN back
//   to true/false. Computed expressions (`a = b AS x`) have no declared type on SQLite and come
//   back as 0/1 there: compare in JS or select a column. Boolean parameters bind on both.
// - Timestamps are BIGINT epoch milliseconds (numbers), never engine date types.
// - `undefined` is refused as a parameter (a missing field is a bug, not NULL); pass null.

/** The engine behind a `Database`. */
export type Engine = 'sqlite' | 'postgres';

/** A value that can be bound to a placeholder. */
export type SqlValue = string | number | boolean | null;

/** Placeholder values: `params[0]` binds `$1`. */
export type SqlParams = readonly SqlValue[];

/** What `run` reports: rows inserted, updated or deleted by the statement. */
export interface RunResult {
  changes: number;
}

/** The store's query interface; both engines implement it, and so does a transaction handle. */
export interface Database {
  /** The engine, for the rare statement whose dialects differ (migrations). */
  readonly engine: Engine;

  /** All rows of a statement (an empty array for statements that return none). */
  query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>;

  /** The first row of a statement, or undefined (every row is fetched: add LIMIT 1 where many could match). */
  one<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | undefined>;

  /** Runs one statement and reports how many rows it changed. */
  run(sql: string, params?: SqlParams): Promise<RunResult>;

  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;

  /**
   * Runs `fn` in a transaction on one connection: committed before the promise resolves,
   * rolled back when `fn` throws. Use only `tx` inside `fn`; on a transaction handle this
   * opens a savepoint. Nested transactions must not run concurrently on one handle.
   */
  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;

  /**
   * Runs `fn` while holding a cross-process lock named `name`, waiting for it if needed.
   * PostgreSQL: a session advisory lock on one connection, which `fn` receives (so the lock
   * costs no second connection); SQLite: `fn(this)` — one process owns the file.
   */
  withAdvisoryLock<T>(name: string, fn: (db: Database) => Promise<T>): Promise<T>;

  /**
   * Tries, without waiting, to become the one leader for `name` across every process sharing
   * the store. PostgreSQL: `pg_try_advisory_lock` held on a dedicated connection until
   * `releaseLeadership`, `close`, or the connection's loss (then `onLost` runs); SQLite: always true.
   * Already holding it returns true.
   */
  tryAcquireLeadership(name: string, onLost?: (error: Error) => void): Promise<boolean>;

  /** True while this instance holds leadership for `name`. */
  holdsLeadership(name: string): boolean;

  /** Gives up leadership for `name` (no-op when not held). */
  releaseLeadership(name: string): Promise<void>;

  /** Waits for the running transaction, releases leadership and closes every connection. Idempotent. */
  close(): Promise<void>;
}
