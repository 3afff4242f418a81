// The dead man's switch on both engines: after each anchor it freezes every initialized, active agent
// more than 60 anchors behind (one UPDATE), records the freezes, tells the onFrozen listeners, and runs
// only where the anchor clock leads.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestService } from '../helpers/beats-service.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, type TestAgent } from './harness.js';

describeEachEngine("registry: the dead man's switch", (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it('freezes every overdue agent at the anchor after the 60th missed one, records each freeze, tells the listeners', async () => {
    const dms = reg.svc.services.registry.deadMansSwitch;
    const heard: string[][] = [];
    const stop = dms.onFrozen((hashes) => {
      heard.push([...hashes]);
    });
    const failing = dms.onFrozen(() => {
      throw new Error('a broken listener does not stop the switch');
    });
    try {
      const agents: TestAgent[] = [];
      for (let i = 0; i < 30; i++) agents.push(await reg.ready(`sleeper-${i}`, { withSigil: i % 2 === 0 }));
      const uninitialized = await reg.register('never-initialized');
      const late = await reg.ready('late');
      await reg.nextAnchor(); // `late` heartbeats one anchor later than the others synced
      await reg.heartbeat(late).expect(200);

      await reg.nextAnchor(59); // 60 behind: not yet
      expect(heard).toEqual([]);
      const at = await reg.nextAnchor(); // 61 behind
      expect(heard).toHaveLength(1);
      expect([...heard[0]].sort()).toEqual(agents.map((a) => a.hash).sort());
      const db = reg.svc.services.db;
      const freezes = await db.query<{ agent_hash: string; frozen_at_anchor: number; frozen_at: number; ended_at_anchor: number | null }>(
        'SELECT agent_hash, frozen_at_anchor, frozen_at, ended_at_anchor FROM freezes ORDER BY agent_hash',
      );
      expect(freezes).toEqual(agents.map((a) => a.hash).sort().map((agent_hash) => ({ agent_hash, frozen_at_anchor: at, frozen_at: reg.now(), ended_at_anchor: null })));
      expect((await reg.status(uninitialized.hash)).body.status).toBe('registered');
      expect((await reg.status(late.hash)).body.status).toBe('stale');

      // The next anchor freezes `late`; a second sweep of the same anchor changes nothing.
      const next = await reg.nextAnchor();
      expect(heard.at(-1)).toEqual([late.hash]);
      expect(await dms.sweep(next)).toEqual([]);
      expect(await db.one('SELECT COUNT(*) AS c FROM freezes')).toEqual({ c: 31 });

      // A freeze on the spot (a heartbeat of an overdue agent the sweep has not reached) is heard too.
      const spot = await reg.ready('spot');
      await reg.setChain(spot, { last_global_sync: next - 61 });
      await reg.heartbeat(spot).expect(403);
      expect(heard.at(-1)).toEqual([spot.hash]);
    } finally {
      stop();
      failing();
    }
  });

  it('a freezing step runs in the freeze transaction: when it fails, the freeze is rolled back with what it wrote', async () => {
    const dms = reg.svc.services.registry.deadMansSwitch;
    const db = reg.svc.services.db;
    const agent = await reg.ready('atomic');
    const head = (await reg.head()).index;
    await reg.setChain(agent, { last_global_sync: head - 61 });
    const seen: string[][] = [];
    const remove = dms.alsoWhenFreezing(async (tx, hashes) => {
      seen.push([...hashes]);
      await tx.run("UPDATE agents SET name = 'renamed-in-step' WHERE hash = $1", [agent.hash]);
      throw new Error('the step failed');
    });
    await expect(dms.sweep(head)).rejects.toThrow('the step failed');
    remove();
    expect(seen.flat()).toContain(agent.hash);
    expect(await db.one('SELECT status FROM beat_chains WHERE agent_hash = $1', [agent.hash])).toEqual({ status: 'active' });
    expect(await db.query('SELECT agent_hash FROM freezes WHERE agent_hash = $1', [agent.hash])).toEqual([]);
    expect(await db.one('SELECT name FROM agents WHERE hash = $1', [agent.hash])).toEqual({ name: 'atomic' });
    // Without it the same sweep freezes the agent.
    expect(await dms.sweep(head)).toContain(agent.hash);
    expect(await db.one('SELECT status FROM beat_chains WHERE agent_hash = $1', [agent.hash])).toEqual({ status: 'frozen' });
  });

  if (ctx.engine === 'postgres') it('only the instance leading the anchor clock sweeps', async () => {
    // A second instance on the same schema: it cannot lead while the first holds the clock.
    const follower = await startTestService(await ctx.open(), { DIFFICULTY: '100', ANCHOR_INTERVAL_MS: '60000' }, { startClock: false, now: () => reg.now() + 120_000 });
    try {
      const agent = await reg.ready('followed');
      await reg.setChain(agent, { last_global_sync: (await reg.head()).index - 61 });
      expect(await follower.services.clock.tick()).toBeUndefined();
      expect(follower.services.clock.isLeader).toBe(false);
      await follower.services.registry.deadMansSwitch.idle();
      expect((await reg.status(agent.hash)).body.status).toBe('stale');
      await reg.nextAnchor();
      expect((await reg.status(agent.hash)).body.status).toBe('frozen');
    } finally {
      await follower.close();
    }
  });
});
