import pg from 'pg';
import { expect, it } from 'vitest';
import { advisoryLockKey } from '../../service/store/advisory-lock-key.js';
import { describeEachEngine, TEST_DATABASE_URL } from '../helpers/engines.js';

/** Terminates the backends holding the advisory lock `name` in `schema`, as a lost connection would. */
async function killLockHolders(schema: string, name: string): Promise<number> {
  // pg_locks shows a bigint advisory key as its high and low 32 bits (classid, objid), objsubid 1.
  const key = BigInt.asUintN(64, BigInt(advisoryLockKey(schema, name)));
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::text = $1 AND objid::text = $2`,
      [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

describeEachEngine(
  'leadership',
  (ctx) => {
    it('gives leadership to exactly one of two instances, and to the other once the holder closes', async () => {
      const a = await ctx.open();
      const b = await ctx.open();
      const results = await Promise.all([a.tryAcquireLeadership('anchor-clock'), b.tryAcquireLeadership('anchor-clock')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const [holder, other] = results[0] ? [a, b] : [b, a];
      expect(holder.holdsLeadership('anchor-clock')).toBe(true);
      expect(other.holdsLeadership('anchor-clock')).toBe(false);
      // Asking again is harmless for the holder and still refused to the other.
      expect(await holder.tryAcquireLeadership('anchor-clock')).toBe(true);
      expect(await other.tryAcquireLeadership('anchor-clock')).toBe(false);
      // Names are independent.
      expect(await other.tryAcquireLeadership('dms-sweeper')).toBe(true);

      await holder.close();
      expect(await other.tryAcquireLeadership('anchor-clock')).toBe(true);
      await other.close();
    });

    it('hands leadership over on release', async () => {
      const a = await ctx.open();
      const b = await ctx.open();
      expect(await a.tryAcquireLeadership('handover')).toBe(true);
      expect(await b.tryAcquireLeadership('handover')).toBe(false);
      await a.releaseLeadership('handover');
      expect(a.holdsLeadership('handover')).toBe(false);
      expect(await b.tryAcquireLeadership('handover')).toBe(true);
      await Promise.all([a.close(), b.close()]);
    });

    it('gives concurrent calls in one instance one session, so they all report true', async () => {
      const a = await ctx.open();
      const results = await Promise.all([1, 2, 3].map(() => a.tryAcquireLeadership('same-process')));
      expect(results).toEqual([true, true, true]);
      await a.close();
    });

    it('reports a lost connection and frees the lock for another instance', async () => {
      const a = await ctx.open();
      const b = await ctx.open();
      let lostError: Error | undefined;
      const lost = new Promise<void>((resolve) => {
        void a.tryAcquireLeadership('fragile', (error) => {
          lostError = error;
          resolve();
        });
      });
      await expect.poll(() => a.holdsLeadership('fragile')).toBe(true);
      expect(await b.tryAcquireLeadership('fragile')).toBe(false);

      expect(await killLockHolders(ctx.options.schema!, 'fragile')).toBe(1);
      await lost;
      expect(lostError).toBeInstanceOf(Error);
      expect(a.holdsLeadership('fragile')).toBe(false);
      await expect.poll(() => b.tryAcquireLeadership('fragile')).toBe(true);
      // The instance that lost leadership keeps working.
      expect(await a.one('SELECT COUNT(*) AS c FROM anchors')).toEqual({ c: 0 });
      await Promise.all([a.close(), b.close()]);
    });
  },
  { engines: ['postgres'] },
);

describeEachEngine(
  'leadership',
  (ctx) => {
    it('is always granted on SQLite: one process owns the file', async () => {
      expect(await ctx.db.tryAcquireLeadership('anchor-clock')).toBe(true);
      expect(ctx.db.holdsLeadership('anchor-clock')).toBe(true);
      await ctx.db.releaseLeadership('anchor-clock');
      expect(ctx.db.holdsLeadership('anchor-clock')).toBe(false);
    });
  },
  { engines: ['sqlite'] },
);
