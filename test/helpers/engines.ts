// Runs one store suite on each engine: SQLite in a temporary directory, PostgreSQL in a private
// schema (so test files running in parallel never see each other's rows), removed afterwards.
// PostgreSQL suites are skipped when the server is unreachable, except in CI, where they fail.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Database, Engine } from '../../service/store/database.js';
import { openDatabase, type OpenDatabaseOptions } from '../../service/store/open-database.js';

/** The PostgreSQL server the suites use: `TEST_DATABASE_URL`, else the local default. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const IN_CI = process.env.CI === 'true';

/** Why PostgreSQL cannot be used, or undefined when it answered. */
export const postgresUnavailable: string | undefined = await probePostgres(TEST_DATABASE_URL);

/** What a suite body receives; `db` and `options` are valid inside hooks and tests. */
export interface EngineContext {
  readonly engine: Engine;
  /** The suite's store, opened and migrated before its first test, closed after its last. */
  readonly db: Database;
  /** Options that open the suite's store again (same SQLite file / same schema). */
  readonly options: OpenDatabaseOptions;
  /** Opens another handle on the suite's store; closed after the suite if the test did not. */
  open(): Promise<Database>;
  /** Opens a new empty store (its own directory or schema), removed after the suite. */
  openFresh(): Promise<Database>;
  /** Options for a new empty store, removed after the suite; nothing is opened. */
  freshOptions(): OpenDatabaseOptions;
}

/** Which engines `describeEachEngine` runs; both by default. */
export interface EachEngineOptions {
  engines?: readonly Engine[];
}

/** Declares `describe(\`${name} [engine]\`)` once per engine, with a fresh store per suite. */
export function describeEachEngine(
  name: string,
  body: (ctx: EngineContext) => void,
  { engines = ['sqlite', 'postgres'] }: EachEngineOptions = {},
): void {
  for (const engine of engines) {
    const skip = engine === 'postgres' && postgresUnavailable !== undefined && !IN_CI;
    describe.skipIf(skip)(`${name} [${engine}]`, () => {
      const stores = new StoreSet(engine);
      let options: OpenDatabaseOptions | undefined;
      let db: Database | undefined;

      beforeAll(async () => {
        if (engine === 'postgres' && postgresUnavailable !== undefined) {
          throw new Error(`PostgreSQL is required in CI but unreachable at ${TEST_DATABASE_URL}: ${postgresUnavailable}`);
        }
        options = stores.newOptions();
        db = await stores.open(options);
      });
      afterAll(() => stores.dispose());

      body({
        engine,
        get db() {
          if (!db) throw new Error('ctx.db is only available inside hooks and tests');
          return db;
        },
        get options() {
          if (!options) throw new Error('ctx.options is only available inside hooks and tests');
          return options;
        },
        open: () => stores.open(options!),
        openFresh: () => stores.open(stores.newOptions()),
        freshOptions: () => stores.newOptions(),
      });
    });
  }
}

/** The stores and handles one suite created, so they can all be removed afterwards. */
class StoreSet {
  private readonly handles: Database[] = [];
  private readonly dirs: string[] = [];
  private readonly schemas: string[] = [];

  constructor(private readonly engine: Engine) {}

  newOptions(): OpenDatabaseOptions {
    const dataDir = mkdtempSync(join(tmpdir(), 'beats-store-'));
    this.dirs.push(dataDir);
    if (this.engine === 'sqlite') return { dataDir };
    const schema = `beats_test_${process.pid}_${randomBytes(6).toString('hex')}`;
    this.schemas.push(schema);
    return { dataDir, databaseUrl: TEST_DATABASE_URL, schema };
  }

  async open(options: OpenDatabaseOptions): Promise<Database> {
    const db = await openDatabase(options);
    this.handles.push(db);
    return db;
  }

  async dispose(): Promise<void> {
    // close() is idempotent, so handles a test already closed are fine here.
    await Promise.allSettled(this.handles.map((db) => db.close()));
    if (this.schemas.length > 0) {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        for (const schema of this.schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
