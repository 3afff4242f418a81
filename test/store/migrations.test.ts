import { expect, it } from 'vitest';
import { openDatabase } from '../../service/store/open-database.js';
import { MIGRATIONS, runMigrations, type Migration } from '../../service/store/migrations.js';
import { describeEachEngine } from '../helpers/engines.js';

const TABLES = ['anchors', 'signing_keys', 'issued_receipts', 'consumed_receipts', 'agents', 'beat_chains', 'heartbeats', 'freezes'];

describeEachEngine('migrations', (ctx) => {
  it('applies every migration once at open and records it', async () => {
    const rows = await ctx.db.query<{ id: string; applied_at: number }>('SELECT id, applied_at FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(typeof rows[0].applied_at).toBe('number');
    for (const table of TABLES) {
      expect(await ctx.db.query(`SELECT * FROM ${table}`)).toEqual([]);
    }
  });

  it('is idempotent: running again, or opening the store twice, applies nothing', async () => {
    expect(await runMigrations(ctx.db)).toEqual([]);
    const again = await ctx.open();
    expect(await runMigrations(again)).toEqual([]);
    await again.close();
    const count = await ctx.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM schema_migrations');
    expect(count).toEqual({ c: MIGRATIONS.length });
  });

  it('lets several instances open one new store at once', async () => {
    const options = ctx.freshOptions();
    const handles = await Promise.all([openDatabase(options), openDatabase(options), openDatabase(options)]);
    try {
      const count = await handles[0].one<{ c: number }>('SELECT COUNT(*) AS c FROM schema_migrations');
      expect(count).toEqual({ c: MIGRATIONS.length });
    } finally {
      await Promise.all(handles.map((db) => db.close()));
    }
  });

  it('applies a later migration, choosing the script for its engine', async () => {
    const db = await ctx.openFresh();
    const extra: Migration = {
      id: '999_engine_specific',
      sql: {
        sqlite: "CREATE TABLE engine_note (engine TEXT NOT NULL); INSERT INTO engine_note VALUES ('sqlite');",
        postgres: "CREATE TABLE engine_note (engine TEXT NOT NULL); INSERT INTO engine_note VALUES ('postgres');",
      },
    };
    expect(await runMigrations(db, [...MIGRATIONS, extra])).toEqual(['999_engine_specific']);
    expect(await db.query('SELECT engine FROM engine_note')).toEqual([{ engine: ctx.engine }]);
    expect(await runMigrations(db, [...MIGRATIONS, extra])).toEqual([]);
  });

  it('rolls back every migration of a run when one fails', async () => {
    const db = await ctx.openFresh();
    const good: Migration = { id: '900_good', sql: 'CREATE TABLE good_table (id INTEGER PRIMARY KEY)' };
    const bad: Migration = { id: '901_bad', sql: 'CREATE TABLE broken (' };
    await expect(runMigrations(db, [...MIGRATIONS, good, bad])).rejects.toThrow();
    // 900_good was not kept: the next run applies it again.
    expect(await runMigrations(db, [...MIGRATIONS, good])).toEqual(['900_good']);
  });

  it('refuses a database migrated by a newer version', async () => {
    const db = await ctx.openFresh();
    await db.run('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', ['998_from_the_future', 1]);
    await expect(runMigrations(db)).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN' });
  });

  it('refuses a migration list with a repeated id', async () => {
    await expect(runMigrations(ctx.db, [...MIGRATIONS, MIGRATIONS[0]])).rejects.toThrow(TypeError);
  });
});
