import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { AnchorRepository } from '../../service/store/anchor-repository.js';
import { MIGRATIONS } from '../../service/store/migrations.js';
import { openDatabase, SQLITE_FILE_NAME } from '../../service/store/open-database.js';
import { ReceiptRepository } from '../../service/store/receipt-repository.js';
import { describeEachEngine } from '../helpers/engines.js';

const ANCHOR = {
  beat_index: 0,
  hash: 'aa'.repeat(32),
  prev_hash: '85bcee012b801a99d2bac509b66d5127e482c227a769b72d609b04167f00e1cd',
  utc: 1_700_000_000_000,
  difficulty: 1000,
  epoch: 0,
  entropy: 'bb'.repeat(32),
  signature: 'c2ln',
  kid: '0123456789abcdef',
};

describeEachEngine('persistence', (ctx) => {
  it('keeps acknowledged writes across close and reopen', async () => {
    const options = ctx.freshOptions();
    const first = await openDatabase(options);
    await new AnchorRepository(first).insert(ANCHOR);
    await first.transaction((tx) => new ReceiptRepository(tx).consume('r1', '0x' + 'ab'.repeat(32), 'resync', 10));
    await first.close();

    const second = await openDatabase(options);
    try {
      expect(await new AnchorRepository(second).head()).toEqual(ANCHOR);
      expect(await new ReceiptRepository(second).isConsumed('r1')).toBe(true);
      expect(await new ReceiptRepository(second).consume('r1', '0x' + 'cd'.repeat(32), 'spawn', 10)).toBe(false);
      const migrations = await second.query('SELECT id FROM schema_migrations');
      expect(migrations).toHaveLength(MIGRATIONS.length);
    } finally {
      await second.close();
    }
  });
});

describeEachEngine(
  'SQLite file',
  (ctx) => {
    const parents: string[] = [];
    afterAll(() => parents.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    it('creates the data directory with mode 0700 and the file inside it', async () => {
      const parent = mkdtempSync(join(tmpdir(), 'beats-datadir-'));
      parents.push(parent);
      const dataDir = join(parent, 'nested', 'data');
      const db = await openDatabase({ dataDir });
      try {
        expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      } finally {
        await db.close();
      }
    });

    it('runs in WAL mode with synchronous=FULL, a busy timeout and foreign keys on', async () => {
      expect(await ctx.db.one('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(await ctx.db.one('PRAGMA synchronous')).toEqual({ synchronous: 2 });
      expect(await ctx.db.one('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
      expect(((await ctx.db.one<{ timeout: number }>('PRAGMA busy_timeout')) ?? { timeout: 0 }).timeout).toBeGreaterThan(0);
    });
  },
  { engines: ['sqlite'] },
);
