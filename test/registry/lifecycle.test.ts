// The whole life of an agent over HTTP, on both engines: register → init → SIGIL → heartbeats →
// active → anchors pass → warning → frozen by the dead man's switch → heartbeat refused → resync
// tells the price → resync with a v2 receipt for that agent → active again → heartbeat accepted.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { genesisHash } from '../../shared/genesis.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError } from './harness.js';

describeEachEngine('registry: the life of an agent over HTTP', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it('register → init → SIGIL → heartbeats → warning → frozen → resync with a v2 receipt → active → heartbeat', async () => {
    // Register: a root agent with an unguessable hash and a key shown once, stored only as its digest.
    const registered = await request(reg.app).post('/api/v1/register').send({ name: 'alice', metadata: { purpose: 'life' } });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ ok: true, name: 'alice', type: 'root', depth: 0 });
    expect(registered.body.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(registered.body.api_key).toMatch(/^pvn_[A-Za-z0-9_-]{43}$/);
    expect(new Date(registered.body.registered_at).toISOString()).toBe(registered.body.registered_at);
    const agent = { hash: registered.body.hash as string, apiKey: registered.body.api_key as string };
    const row = await reg.svc.services.db.one<Record<string, unknown>>('SELECT * FROM agents WHERE hash = $1', [agent.hash]);
    expect(row!.api_key_digest).toBe(createHash('sha256').update(agent.apiKey).digest('hex'));
    expect(Object.values(row!)).not.toContain(agent.apiKey);

    // Init: the genesis of the agent hash, DIFFICULTY, synced at the current anchor.
    const start = await reg.head();
    const init = await reg.post(agent, '/api/v1/agent/init').expect(201);
    expect(init.body).toEqual({
      ok: true, agent_hash: agent.hash, genesis: { hash: '0x' + genesisHash(agent.hash), prev: '0x' + '0'.repeat(64), timestamp: reg.now() },
      difficulty: 100, status: 'active', last_global_sync: start.index,
    });
    const again = await reg.post(agent, '/api/v1/agent/init').expect(200);
    expect(again.body).toEqual({
      ok: true, already_initialized: true, agent_hash: agent.hash, genesis_hash: '0x' + genesisHash(agent.hash), total_beats: 0,
      status: 'active', difficulty: 100, latest_beat: 0, latest_hash: '0x' + genesisHash(agent.hash), last_checkin_beat: null,
      last_global_sync: start.index,
    });
    expect((await reg.status(agent.hash).expect(200)).body.status).toBe('registered');

    // A root agent needs a SIGIL before it may heartbeat.
    expectError(await reg.heartbeat(agent), 403, 'SIGIL_REQUIRED');
    await reg.sigil(agent, { identity_class: 'autonomous' });

    // Heartbeats: one per anchor.
    const first = await reg.heartbeat(agent, { payment_tx: 'ignored', global_anchor: start.index }).expect(200);
    expect(first.body).toEqual({
      ok: true, agent_hash: agent.hash, anchor_index: start.index, current_beat: start.index, last_global_sync: start.index,
      total_heartbeats: 1, billing_epoch: 0, heartbeat_count_epoch: 1, volume_cap: 5000, status: 'active', sponsor: null,
    });
    expect((await reg.status(agent.hash)).body.status).toBe('active');
    const tooSoon = expectError(await reg.heartbeat(agent), 429, 'HEARTBEAT_TOO_SOON');
    expect(tooSoon.retry_after_ms).toBe(60_000);
    const next = await reg.nextAnchor();
    expect((await reg.heartbeat(agent).expect(200)).body).toMatchObject({ anchor_index: next, total_heartbeats: 2, heartbeat_count_epoch: 2 });

    // Anchors pass without heartbeats: warning at 45 behind, frozen by the switch past 60.
    await reg.nextAnchor(45);
    expect((await reg.status(agent.hash)).body.status).toBe('warning');
    expect((await reg.beatStatus(agent.hash)).body.whitelist).toMatchObject({ standing: 'WARNING', beats_behind: 45, beats_until_freeze: 15 });
    await reg.nextAnchor(15);
    expect((await reg.status(agent.hash)).body.status).toBe('stale');
    const frozenAt = await reg.nextAnchor();
    const frozenStatus = (await reg.status(agent.hash)).body;
    expect(frozenStatus).toMatchObject({ status: 'frozen', beat_state: { status: 'frozen', last_global_sync: next } });
    const frozenBeat = (await reg.beatStatus(agent.hash)).body;
    expect(frozenBeat.heartbeat.frozen_since).toBe(new Date(reg.now()).toISOString());
    expect(frozenBeat.whitelist).toMatchObject({ standing: 'FROZEN', beats_behind: 61, beats_until_freeze: 0 });

    // Frozen: heartbeats refused until resync; resync without a receipt tells the price.
    expectError(await reg.heartbeat(agent), 403, 'AGENT_FROZEN');
    const price = expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 402, 'RECEIPT_REQUIRED');
    expect(price).toMatchObject({ required_beats: 6100, gap_anchors: 61 });

    // A v2 receipt for this agent's work pays it.
    const receipt = await reg.receipt(agent.hash, 6100);
    const resynced = await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }).expect(200);
    expect(resynced.body).toEqual({
      ok: true, agent_hash: agent.hash, status: 'active', last_global_sync: frozenAt, gap_anchors: 61, required_beats: 6100,
      beats_proven: 6100, receipt_based: true,
    });
    const freezes = await reg.svc.services.db.query('SELECT frozen_at_anchor, ended_at_anchor FROM freezes WHERE agent_hash = $1', [agent.hash]);
    expect(freezes).toEqual([{ frozen_at_anchor: frozenAt, ended_at_anchor: frozenAt }]);
    expect((await reg.status(agent.hash)).body).toMatchObject({ status: 'active', beat_state: { status: 'active', last_global_sync: frozenAt } });
    expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 409, 'AGENT_WRONG_STATE');

    // Alive again: the next heartbeat is accepted.
    expect((await reg.heartbeat(agent).expect(200)).body).toMatchObject({ anchor_index: frozenAt, total_heartbeats: 3, status: 'active' });
    const beat = (await reg.beatStatus(agent.hash)).body;
    expect(beat.recent_checkins.map((c: { anchor_index: number }) => c.anchor_index)).toEqual([frozenAt, next, start.index]);
    expect(beat.whitelist).toMatchObject({ standing: 'GOOD', beats_behind: 0, beats_until_freeze: 60, last_checkin_beat: frozenAt });
  });

  it('beats/submit credits a v2 receipt to lifetime and available beats, once', async () => {
    const agent = await reg.ready('bob');
    const receipt = await reg.receipt(agent.hash, 700);
    const credited = await reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }).expect(200);
    expect(credited.body).toEqual({
      ok: true, agent_hash: agent.hash, beats_credited: 700, beats_accepted: 700, total_beats: 700, lifetime_beats: 700, available_beats: 700,
    });
    const beat = (await reg.beatStatus(agent.hash)).body;
    expect(beat.heartbeat).toMatchObject({ total_beats: 700, lifetime_beats: 700, available_beats: 700, latest_hash: '0x' + receipt.to_hash });
    expect(beat.gestation).toEqual({
      depth: 0, children_spawned: 0, next_child_cost: 1000, beats_accumulated: 700, progress_pct: 70, can_spawn: false, deficit: 300,
    });
    expect(beat.proof_of_existence).toEqual({ total_beats: 700, available_beats: 700, total_hash_operations: 70_000, estimated_cpu_time_ms: 35 });
    const replay = expectError(await reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }), 402, 'INVALID_RECEIPT');
    expect(replay.reason).toBe('already_consumed');
    await reg.nextAnchor(); // one v2 chain start (anchor, subject) pays once: the next proof starts at a new anchor
    const more = await reg.receipt(agent.hash, 400);
    expect((await reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: more }).expect(200)).body).toMatchObject({
      lifetime_beats: 1100, available_beats: 1100,
    });
    expect((await reg.beatStatus(agent.hash)).body.gestation).toMatchObject({ progress_pct: 100, can_spawn: true, deficit: 0 });
  });
});
