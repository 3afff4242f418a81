// A restart mid-life on both engines: close the services, reopen them on the same database with a new
// handle, and nothing acknowledged is lost (agents, heartbeats, frozen state, consumed receipts); the
// dead man's switch keeps freezing — first at the next anchor after the restart.
import request from 'supertest';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError } from './harness.js';

describeEachEngine('registry: restart', (ctx) => {
  it('nothing acknowledged is lost, and the switch still freezes', async () => {
    const first = await TestRegistry.start(ctx.db);
    const frozen = await first.ready('frozen');
    await first.nextAnchor(61);
    const active = await first.ready('active');
    await first.heartbeat(active).expect(200);
    const paid = await first.ready('paid');
    const receipt = await first.receipt(paid.hash, 50);
    await first.post(paid, '/api/v1/agent/beats/submit', { beats_receipt: receipt }).expect(200);
    const due = await first.ready('due');
    const { index: head } = await first.head();
    await first.setChain(due, { last_global_sync: head - 60 }); // stale, not yet frozen: the next sweep freezes it

    const before = await Promise.all([frozen, active, paid, due].map(async (a) => [
      (await first.status(a.hash)).body, (await first.beatStatus(a.hash)).body,
    ]));
    const heartbeats = await first.svc.services.db.query('SELECT agent_hash, anchor_index, at FROM heartbeats ORDER BY agent_hash, anchor_index');
    await first.close();

    const second = await TestRegistry.start(await ctx.open());
    try {
      expect((await second.head()).index).toBe(head);
      const after = await Promise.all([frozen, active, paid, due].map(async (a) => [
        (await second.status(a.hash)).body, (await second.beatStatus(a.hash)).body,
      ]));
      expect(after).toEqual(before);
      expect(await second.svc.services.db.query('SELECT agent_hash, anchor_index, at FROM heartbeats ORDER BY agent_hash, anchor_index')).toEqual(heartbeats);

      // The API keys still work; the state they meet is the stored one.
      expectError(await second.heartbeat(frozen), 403, 'AGENT_FROZEN');
      expect((await second.post(frozen, '/api/v1/agent/resync', {})).body).toMatchObject({ code: 'RECEIPT_REQUIRED', required_beats: 6100 });
      expectError(await second.heartbeat(active), 429, 'HEARTBEAT_TOO_SOON'); // its heartbeat at this anchor was kept
      expect((await second.post(paid, '/api/v1/agent/beats/submit', { beats_receipt: receipt })).body.reason).toBe('already_consumed');

      // The first anchor after the restart sweeps: the agent that came due meanwhile is frozen.
      await second.nextAnchor();
      expect((await second.status(due.hash)).body.status).toBe('frozen');
      await second.heartbeat(active).expect(200);
      await second.nextAnchor(61);
      expect((await second.status(active.hash)).body.status).toBe('frozen');
      expect((await request(second.app).get(`/api/v1/status/${paid.hash}`)).body.beat_state).toMatchObject({ lifetime_beats: 50, status: 'frozen' });
    } finally {
      await second.close();
    }
  });
});
