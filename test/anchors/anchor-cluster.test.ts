// One chain across restarts and across instances: a restart continues at head+1; two clocks on one
// PostgreSQL schema make one chain and the survivor takes over within two periods; on SQLite (leadership
// always granted) racing clocks still make one chain through the store's append-only insert.
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { verifyAnchor, verifyAnchorLink } from '../../shared/anchor.js';
import { AnchorClock, ANCHOR_CLOCK_LEADERSHIP } from '../../service/anchors/anchor-clock.js';
import { storedAnchorOf } from '../../service/anchors/anchor-reader.js';
import { Keyring } from '../../service/keys/keyring.js';
import { createLogger } from '../../service/logger.js';
import { advisoryLockKey } from '../../service/store/advisory-lock-key.js';
import { AnchorRepository } from '../../service/store/anchor-repository.js';
import type { Database } from '../../service/store/database.js';
import { openDatabase, type OpenDatabaseOptions } from '../../service/store/open-database.js';
import { describeEachEngine, TEST_DATABASE_URL } from '../helpers/engines.js';
import { silentLogger, startNode, TEST_SEED, type TestNode } from './harness.js';

const INTERVAL = 250;

/** Asserts the stored chain is 0..head with every link and signature intact; returns its length. */
async function expectOneChain(db: Database, keyring: Keyring): Promise<number> {
  await keyring.refresh();
  const rows = await new AnchorRepository(db).range(0, 10_000);
  expect(rows.map((r) => r.beat_index)).toEqual(rows.map((_, i) => i));
  for (let i = 0; i < rows.length; i++) {
    const { anchor, signature, kid } = storedAnchorOf(rows[i]);
    expect(verifyAnchor(anchor, signature, keyring.publicKeyFor(kid)!)).toBe(true);
    if (i > 0) expect(verifyAnchorLink(rows[i - 1], anchor)).toBe(true);
  }
  return rows.length;
}

/** Terminates the PostgreSQL sessions holding advisory lock `name` in `schema`, as a dead process would lose them. */
async function killLockHolders(schema: string, name: string): Promise<number> {
  const key = BigInt.asUintN(64, BigInt(advisoryLockKey(schema, name)));
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::text = $1 AND objid::text = $2`,
      [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

describeEachEngine('anchor chain across restarts', (ctx) => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close({ closeDb: true });
  });

  it('continues after a restart with index head+1 and prev = the old head hash', async () => {
    const options = ctx.freshOptions();
    const first = await startNode({ db: await openDatabase(options), intervalMs: INTERVAL });
    nodes.push(first);
    await first.anchors.next();
    const oldHead = await first.anchors.next();
    await first.close({ closeDb: true });
    nodes.pop();

    const second = await startNode({ db: await openDatabase(options), intervalMs: INTERVAL });
    nodes.push(second);
    expect(second.keyring.active('anchor').kid).toBe(oldHead.kid); // same seed, same keys
    const next = await second.anchors.next();
    expect(next.anchor.beat_index).toBe(oldHead.anchor.beat_index + 1);
    expect(next.anchor.prev_hash).toBe(oldHead.anchor.hash);
    expect(next.anchor.utc - oldHead.anchor.utc).toBeGreaterThanOrEqual(INTERVAL);
    await second.clock.stop();
    expect(await expectOneChain(second.db, second.keyring)).toBe(oldHead.anchor.beat_index + 2);
  });

  it('refuses to reopen the store with another root seed', async () => {
    const options = ctx.freshOptions();
    const first = await startNode({ db: await openDatabase(options), intervalMs: INTERVAL });
    nodes.push(first);
    await first.anchors.next();
    const db = await openDatabase(options);
    await expect(Keyring.open(db, new Uint8Array(32).fill(9))).rejects.toMatchObject({ code: 'SEED_MISMATCH' });
    await db.close();
  });
});

describeEachEngine(
  'anchor clocks on one PostgreSQL schema',
  (ctx) => {
    const handles: Database[] = [];
    const clocks: AnchorClock[] = [];
    afterEach(async () => {
      for (const clock of clocks.splice(0)) await clock.stop();
      for (const db of handles.splice(0)) await db.close();
    });

    /** One instance: its own Database handle and keyring (same seed), a clock, the anchors it made. */
    async function instance(options: OpenDatabaseOptions) {
      const db = await openDatabase(options);
      handles.push(db);
      const keyring = await Keyring.open(db, TEST_SEED);
      const clock = new AnchorClock({ db, keyring, intervalMs: INTERVAL, difficulty: 1000, logger: silentLogger });
      clocks.push(clock);
      const made: Array<{ index: number; at: number }> = [];
      clock.onAnchor((s) => made.push({ index: s.anchor.beat_index, at: s.anchor.utc }));
      return { db, keyring, clock, made };
    }

    async function waitForHead(db: Database, index: number, timeoutMs: number): Promise<void> {
      const repo = new AnchorRepository(db);
      await expect.poll(async () => (await repo.head())?.beat_index ?? -1, { timeout: timeoutMs, interval: 20 }).toBeGreaterThanOrEqual(index);
    }

    it('make one chain with one leader, and the other continues within two periods when the leader stops', async () => {
      const options = ctx.freshOptions();
      const a = await instance(options);
      const b = await instance(options);
      await Promise.all([a.clock.start(), b.clock.start()]);
      await waitForHead(a.db, 3, 5_000);

      expect([a.clock.isLeader, b.clock.isLeader].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = a.clock.isLeader ? [a, b] : [b, a];
      expect(follower.made).toEqual([]);

      const stoppedAt = Date.now();
      await leader.clock.stop();
      await leader.db.close();
      const lastByLeader = leader.made.at(-1)!;

      await expect.poll(() => follower.made.length, { timeout: 4 * INTERVAL, interval: 10 }).toBeGreaterThan(0);
      const takeover = follower.made[0];
      expect(takeover.index).toBe(lastByLeader.index + 1);
      expect(takeover.at - stoppedAt).toBeLessThanOrEqual(2 * INTERVAL);
      expect(follower.clock.isLeader).toBe(true);

      await waitForHead(follower.db, takeover.index + 1, 5_000);
      await follower.clock.stop();
      expect(await expectOneChain(follower.db, follower.keyring)).toBeGreaterThanOrEqual(takeover.index + 2);
    });

    it('keep one contiguous chain, anchors at most two periods apart, when the leader loses its session', async () => {
      const options = ctx.freshOptions();
      const a = await instance(options);
      const b = await instance(options);
      await Promise.all([a.clock.start(), b.clock.start()]);
      await waitForHead(a.db, 1, 5_000);

      expect(await killLockHolders(options.schema!, ANCHOR_CLOCK_LEADERSHIP)).toBe(1);
      const killedAt = Date.now();
      const headAtKill = (await new AnchorRepository(a.db).head())!.beat_index;
      await waitForHead(a.db, headAtKill + 3, 5_000);
      await Promise.all([a.clock.stop(), b.clock.stop()]);

      const length = await expectOneChain(a.db, a.keyring);
      const rows = await new AnchorRepository(a.db).range(0, length);
      const afterKill = rows.find((r) => r.beat_index === headAtKill + 1)!;
      expect(afterKill.utc - killedAt).toBeLessThanOrEqual(2 * INTERVAL);
      for (let i = 1; i < rows.length; i++) expect(rows[i].utc - rows[i - 1].utc).toBeLessThanOrEqual(2 * INTERVAL);
      // Every index was made by exactly one instance.
      const madeIndices = [...a.made, ...b.made].map((m) => m.index).sort((x, y) => x - y);
      expect(madeIndices).toEqual(rows.map((r) => r.beat_index));
    });
  },
  { engines: ['postgres'] },
);

describeEachEngine(
  'racing anchor clocks without leadership',
  (ctx) => {
    it('make one chain: the loser of each race gets a conflict, re-reads the head and goes on', async () => {
      const options = ctx.freshOptions();
      const dbs = [await openDatabase(options), await openDatabase(options)];
      let t = 1_700_000_000_000;
      const lines: string[] = [];
      const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
      const clocks = await Promise.all(
        dbs.map(async (db) => new AnchorClock({ db, keyring: await Keyring.open(db, TEST_SEED, t), intervalMs: INTERVAL, difficulty: 1000, logger, now: () => t })),
      );
      try {
        for (let round = 0; round < 6; round++) {
          const made = await Promise.all(clocks.map((c) => c.tick()));
          expect(made.filter(Boolean)).toHaveLength(1); // both leaders on SQLite; the store lets one through
          t += INTERVAL;
        }
        const keyring = await Keyring.open(dbs[0], TEST_SEED);
        expect(await expectOneChain(dbs[0], keyring)).toBe(6);
        // The losers went through the conflict path (logged, not raised), not a lucky ordering.
        expect(lines.filter((l) => l.includes('another instance appended first')).length).toBeGreaterThan(0);
        expect(lines.filter((l) => JSON.parse(l).level === 'error' || JSON.parse(l).level === 'warn')).toEqual([]);
      } finally {
        for (const c of clocks) await c.stop();
        for (const db of dbs) await db.close();
      }
    });
  },
  { engines: ['sqlite'] },
);
