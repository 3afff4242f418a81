import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../service/store/database.js';
import { SQLITE_FILE_NAME } from '../../service/store/open-database.js';
import { StoreError } from '../../service/store/store-errors.js';
import { describeEachEngine } from '../helpers/engines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function labels(db: Database): Promise<string[]> {
  const rows = await db.query<{ label: string }>('SELECT label FROM contract_rows ORDER BY id');
  return rows.map((r) => r.label);
}

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
}

describeEachEngine('Database contract', (ctx) => {
  beforeAll(async () => {
    await ctx.db.exec(`
      CREATE TABLE contract_rows (
        id INTEGER PRIMARY KEY,
        n BIGINT NULL,
        flag BOOLEAN NULL,
        label TEXT NOT NULL
      )
    `);
  });

  beforeEach(async () => {
    await ctx.db.run('DELETE FROM contract_rows');
  });

  it('reports its engine', () => {
    expect(ctx.db.engine).toBe(ctx.engine);
  });

  it('binds $n placeholders, reused and out of order, but not inside string literals', async () => {
    await ctx.db.run("INSERT INTO contract_rows (id, n, label) VALUES ($2, $1, '$1' || $3)", [7, 1, 'x']);
    await ctx.db.run('INSERT INTO contract_rows (id, n, label) VALUES ($1, $2, $3)', [2, 9, 'two']);
    const rows = await ctx.db.query('SELECT id, n, label FROM contract_rows ORDER BY id');
    expect(rows).toEqual([
      { id: 1, n: 7, label: '$1x' },
      { id: 2, n: 9, label: 'two' },
    ]);
    // -- $1 in a comment is not a placeholder either.
    const reused = await ctx.db.query('SELECT id FROM contract_rows WHERE n >= $1 AND n <= $1 -- $2\n', [9]);
    expect(reused).toEqual([{ id: 2 }]);
  });

  it('returns BIGINT, INTEGER and COUNT(*) as numbers', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    await ctx.db.run('INSERT INTO contract_rows (id, n, label) VALUES ($1, $2, $3)', [1, big, 'a']);
    await ctx.db.run('INSERT INTO contract_rows (id, n, label) VALUES ($1, $2, $3)', [2, 1_700_000_000_000, 'b']);
    const row = await ctx.db.one<{ n: number }>('SELECT n FROM contract_rows WHERE id = $1', [1]);
    expect(row).toEqual({ n: big });
    const count = await ctx.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM contract_rows');
    expect(count).toEqual({ c: 2 });
    const sum = await ctx.db.one<{ s: number }>('SELECT CAST(SUM(n) AS BIGINT) AS s FROM contract_rows WHERE id = 2');
    expect(sum).toEqual({ s: 1_700_000_000_000 });
    const id = await ctx.db.one<{ id: number }>('SELECT id FROM contract_rows WHERE n = $1', [big]);
    expect(id).toEqual({ id: 1 });
  });

  if (ctx.engine === 'postgres') it('refuses a BIGINT beyond the safe-integer range instead of rounding it', async () => {
    await expect(ctx.db.query('SELECT CAST($1 AS BIGINT) AS n', ['9007199254740993'])).rejects.toThrow(RangeError);
    // The pooled connection stays usable after the refused row.
    expect(await ctx.db.one('SELECT CAST($1 AS BIGINT) AS n', ['42'])).toEqual({ n: 42 });
  });

  it('binds and returns booleans as booleans, NULL as null', async () => {
    await ctx.db.run('INSERT INTO contract_rows (id, flag, label) VALUES ($1, $2, $3)', [1, true, 'yes']);
    await ctx.db.run('INSERT INTO contract_rows (id, flag, label) VALUES ($1, $2, $3)', [2, false, 'no']);
    await ctx.db.run('INSERT INTO contract_rows (id, flag, label) VALUES ($1, $2, $3)', [3, null, 'unknown']);
    const rows = await ctx.db.query('SELECT id, flag AS f FROM contract_rows ORDER BY id');
    expect(rows).toEqual([
      { id: 1, f: true },
      { id: 2, f: false },
      { id: 3, f: null },
    ]);
    const yes = await ctx.db.query('SELECT label FROM contract_rows WHERE flag = $1', [true]);
    expect(yes).toEqual([{ label: 'yes' }]);
  });

  it('refuses undefined and non-finite parameters with a TypeError', async () => {
    const bad = [undefined, Number.NaN, {}] as unknown as [];
    for (const value of bad) {
      await expect(ctx.db.query('SELECT label FROM contract_rows WHERE label = $1', [value])).rejects.toThrow(TypeError);
    }
  });

  it('one() returns the first row or undefined; run() counts changed rows', async () => {
    expect(await ctx.db.one('SELECT label FROM contract_rows WHERE id = $1', [1])).toBeUndefined();
    for (const id of [1, 2, 3]) {
      await ctx.db.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [id, `r${id}`]);
    }
    expect(await ctx.db.one('SELECT label FROM contract_rows ORDER BY id')).toEqual({ label: 'r1' });
    expect(await ctx.db.run('UPDATE contract_rows SET n = $1 WHERE id >= $2', [5, 2])).toEqual({ changes: 2 });
    expect(await ctx.db.run('DELETE FROM contract_rows WHERE id = $1', [99])).toEqual({ changes: 0 });
  });

  it('commits a transaction before it resolves and returns its value', async () => {
    const result = await ctx.db.transaction(async (tx) => {
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'a']);
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [2, 'b']);
      return 'done';
    });
    expect(result).toBe('done');
    const other = await ctx.open();
    expect(await labels(other)).toEqual(['a', 'b']);
    await other.close();
  });

  it('rolls a transaction back when its callback throws, and rethrows the same error', async () => {
    const boom = new Error('boom');
    const outcome = ctx.db.transaction(async (tx) => {
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'a']);
      await sleep(5);
      throw boom;
    });
    await expect(outcome).rejects.toBe(boom);
    expect(await labels(ctx.db)).toEqual([]);
  });

  it('rolls back when a statement in the transaction fails', async () => {
    await ctx.db.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'kept']);
    await expect(
      ctx.db.transaction(async (tx) => {
        await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [2, 'lost']);
        await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'duplicate']);
      }),
    ).rejects.toThrow();
    expect(await labels(ctx.db)).toEqual(['kept']);
  });

  it('nests transactions as savepoints: an inner failure undoes only the inner work', async () => {
    await ctx.db.transaction(async (tx) => {
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'outer']);
      await expect(
        tx.transaction(async (inner) => {
          await inner.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [2, 'inner']);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await tx.transaction(async (inner) => {
        await inner.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [3, 'inner ok']);
      });
    });
    expect(await labels(ctx.db)).toEqual(['outer', 'inner ok']);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: Database | undefined;
    await ctx.db.transaction(async (tx) => {
      leaked = tx;
    });
    await expectStoreError(leaked!.query('SELECT 1 AS one'), 'TRANSACTION_FINISHED');
  });

  it('keeps a statement issued during a transaction out of it (it survives the rollback)', async () => {
    let release!: () => void;
    const inserted = new Promise<void>((resolve) => (release = resolve));
    const tx = ctx.db.transaction(async (t) => {
      await t.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'rolled back']);
      release();
      await sleep(30);
      throw new Error('abort');
    });
    await inserted;
    // Issued while the transaction is open and awaiting.
    const outside = ctx.db.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [2, 'outside']);
    await expect(tx).rejects.toThrow('abort');
    await outside;
    expect(await labels(ctx.db)).toEqual(['outside']);
  });

  if (ctx.engine === 'sqlite') it('serializes concurrent transactions on SQLite: no interleaving, no lost update', async () => {
    await ctx.db.run('INSERT INTO contract_rows (id, n, label) VALUES ($1, $2, $3)', [1, 0, 'counter']);
    const events: string[] = [];
    const increment = (name: string) =>
      ctx.db.transaction(async (tx) => {
        events.push(`${name}:begin`);
        const row = await tx.one<{ n: number }>('SELECT n FROM contract_rows WHERE id = 1');
        await sleep(5);
        await tx.run('UPDATE contract_rows SET n = $1 WHERE id = 1', [row!.n + 1]);
        events.push(`${name}:end`);
      });
    const outside = async () => {
      await sleep(1);
      await ctx.db.run('UPDATE contract_rows SET label = $1 WHERE id = 1', ['touched']);
      events.push('outside');
    };
    await Promise.all([increment('a'), increment('b'), outside(), increment('c')]);
    expect(await ctx.db.one('SELECT n, label FROM contract_rows WHERE id = 1')).toEqual({ n: 3, label: 'touched' });
    // Each transaction's begin is immediately followed by its own end.
    for (let i = 0; i < events.length; i++) {
      if (events[i].endsWith(':begin')) expect(events[i + 1]).toBe(events[i].replace(':begin', ':end'));
    }
  });

  /** A connection of its own on the suite's store, outside this process's store layer (no shared lock, no pool). */
  async function independentReader(): Promise<{ labelsOf(id: number): Promise<string[]>; close(): Promise<void> }> {
    if (ctx.engine === 'sqlite') {
      const raw = new BetterSqlite3(join(ctx.options.dataDir, SQLITE_FILE_NAME), { readonly: true });
      return {
        labelsOf: async (id) => (raw.prepare('SELECT label FROM contract_rows WHERE id = ?').all(id) as Array<{ label: string }>).map((r) => r.label),
        close: async () => void raw.close(),
      };
    }
    // A pool: the checks run as transactions resolve, several at once.
    const pool = new pg.Pool({ connectionString: ctx.options.databaseUrl, options: `-c search_path=${ctx.options.schema}`, max: 4 });
    return {
      labelsOf: async (id) => (await pool.query<{ label: string }>('SELECT label FROM contract_rows WHERE id = $1', [id])).rows.map((r) => r.label),
      close: () => pool.end(),
    };
  }

  it('concurrent transactions: each resolves only once its writes are visible to another connection, and one that fails loses only its own writes', async () => {
    const other = await ctx.open();
    const reader = await independentReader();
    try {
      const boom = new Error('the fifth fails');
      const seenByOther: Array<string[]> = [];
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) =>
        ctx.db.transaction(async (tx) => {
          await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [i + 1, `t${i}`]);
          if (i === 4) throw boom;
          // A unique violation caught inside the transaction's own savepoint does not disturb the others.
          if (i === 7) await expect(tx.transaction((inner) => inner.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'dup']))).rejects.toThrow();
          return i;
        }).then(async (value) => {
          // Resolved: what it wrote is committed, so an independent connection already reads it.
          seenByOther.push(await reader.labelsOf(value + 1));
          return value;
        })));
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(
        [0, 1, 2, 3, 'the fifth fails', 5, 6, 7, 8, 9, 10, 11],
      );
      expect(seenByOther).toHaveLength(11);
      for (const labels of seenByOther) expect(labels).toHaveLength(1);
      expect(await labels(other)).toEqual(['t0', 't1', 't2', 't3', 't5', 't6', 't7', 't8', 't9', 't10', 't11']);
    } finally {
      await reader.close();
      await other.close();
    }
  });

  if (ctx.engine === 'sqlite') it('a commit group whose transaction is rolled back whole fails its earlier members with TRANSACTION_ABORTED and runs the later ones again', async () => {
    // Issued in one turn of the event loop: one commit group, in this order.
    const first = ctx.db.transaction((tx) => tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'first']));
    const breaker = ctx.db.transaction(async (tx) => {
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [2, 'breaker']);
      await tx.exec('ROLLBACK'); // as SQLITE_FULL or SQLITE_IOERR would: the whole transaction is gone
      throw new Error('the disk is full');
    });
    const last = ctx.db.transaction(async (tx) => {
      await tx.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [3, 'last']);
      return 'ran again';
    });
    const [a, b, c] = await Promise.allSettled([first, breaker, last]);
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'TRANSACTION_ABORTED' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'the disk is full' } });
    expect(c).toEqual({ status: 'fulfilled', value: 'ran again' });
    expect(await labels(ctx.db)).toEqual(['last']);
  });

  if (ctx.engine === 'sqlite') it('refuses the outer handle inside its own transaction instead of deadlocking', async () => {
    await expect(
      ctx.db.transaction(async () => {
        await ctx.db.query('SELECT 1 AS one');
      }),
    ).rejects.toMatchObject({ code: 'OUTER_HANDLE_IN_TRANSACTION' });
    // The mutex was released.
    expect(await ctx.db.one('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('withAdvisoryLock runs its callback with a usable handle and returns its value', async () => {
    const value = await ctx.db.withAdvisoryLock('contract-test', async (session) => {
      await session.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'locked']);
      return session.transaction(async (tx) => (await tx.one<{ label: string }>('SELECT label FROM contract_rows'))!.label);
    });
    expect(value).toBe('locked');
  });

  if (ctx.engine === 'postgres') it('withAdvisoryLock excludes a second holder until the first finishes', async () => {
    const other = await ctx.open();
    const order: string[] = [];
    let entered!: () => void;
    const firstIn = new Promise<void>((resolve) => (entered = resolve));
    const first = ctx.db.withAdvisoryLock('exclusive', async () => {
      order.push('first:in');
      entered();
      await sleep(50);
      order.push('first:out');
    });
    await firstIn;
    const second = other.withAdvisoryLock('exclusive', async () => {
      order.push('second:in');
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first:in', 'first:out', 'second:in']);
    await other.close();
  });

  it('reports STORE_CLOSED after close, and close is idempotent', async () => {
    const other = await ctx.open();
    await other.close();
    await other.close();
    await expectStoreError(other.query('SELECT 1 AS one'), 'STORE_CLOSED');
  });

  it('close waits for a running transaction to commit', async () => {
    const other = await ctx.open();
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    const tx = other.transaction(async (t) => {
      started();
      await sleep(30);
      await t.run('INSERT INTO contract_rows (id, label) VALUES ($1, $2)', [1, 'committed']);
    });
    await inside;
    await other.close();
    await tx;
    expect(await labels(ctx.db)).toEqual(['committed']);
  });
});
