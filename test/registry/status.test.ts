// GET /status/:hash (seed 002) and GET /agent/beat-status/:hash (seed 001) on both engines: every
// field, the six status values and six standings as anchors pass, the 404 shapes, and the v1
// liveness score (grace, sandbox, freezes, the rolling 30-day window).
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { genesisHash } from '../../shared/genesis.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, type TestAgent } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Seed 002's fields, all of them. */
const STATUS_FIELDS = [
  'exists', 'status', 'hash', 'type', 'depth', 'name', 'metadata', 'wallet', 'wallet_model', 'wallet_chain', 'identity_class', 'sigil',
  'sigil_issued_at', 'tier', 'principal', 'registered', 'registered_by', 'tx_signature', 'heartbeat_refused', 'heartbeat_refused_reason',
  'beat_state', 'liveness_score', 'liveness_algorithm',
];
/** Seed 001's fields, all of them. */
const BEAT_STATUS_FIELDS = [
  'agent_hash', 'beat_initialized', 'beat_stale', 'beat_age_seconds', 'sigil', 'heartbeat', 'heartbeat_epoch', 'whitelist', 'gestation',
  'proof_of_existence', 'recent_checkins', 'lineage',
];

describeEachEngine('registry: status and beat-status', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  async function look(agent: TestAgent) {
    const status = (await reg.status(agent.hash).expect(200)).body;
    const beat = await reg.beatStatus(agent.hash);
    return { status: status.status, standing: beat.status === 200 ? beat.body.whitelist.standing : null, status_body: status, beat: beat.body };
  }

  it('every field of both seed pages, computed from stored facts', async () => {
    const t = reg.now();
    const agent = await reg.register('sentinel', { metadata: { role: 'watch' } });
    await reg.init(agent);
    await reg.sigil(agent, { tier: 'org', identity_class: 'orchestrator', birth_tx: 'BirthTx123' });
    const { index: b } = await reg.head();
    await reg.heartbeat(agent).expect(200);

    const status = (await reg.status(agent.hash).expect(200)).body;
    expect(Object.keys(status).sort()).toEqual([...STATUS_FIELDS].sort());
    expect(status).toEqual({
      exists: true, status: 'active', hash: agent.hash, type: 'root', depth: 0, name: 'sentinel', metadata: { role: 'watch' },
      wallet: null, wallet_model: null, wallet_chain: null, identity_class: 'orchestrator', sigil: 'test-sigil*beats*org',
      sigil_issued_at: iso(t), tier: 'org', principal: 'beats', registered: iso(t), registered_by: null, tx_signature: 'BirthTx123',
      heartbeat_refused: false, heartbeat_refused_reason: null,
      beat_state: {
        beat_count: 0, lifetime_beats: 0, available_beats: 0, latest_beat: 0, last_checkin_beat: b, last_global_sync: b,
        total_heartbeats: 1, difficulty: 100, status: 'active',
      },
      liveness_score: null, liveness_algorithm: null,
    });

    const genesis = '0x' + genesisHash(agent.hash);
    const beat = (await reg.beatStatus(agent.hash).expect(200)).body;
    expect(Object.keys(beat).sort()).toEqual([...BEAT_STATUS_FIELDS].sort());
    expect(beat).toEqual({
      agent_hash: agent.hash, beat_initialized: true, beat_stale: false, beat_age_seconds: 0,
      sigil: {
        sigil: 'test-sigil*beats*org', sigil_name: 'test-sigil', principal: 'beats', tier: 'org', identity_class: 'orchestrator',
        issued_at: iso(t), birth_tx: 'BirthTx123',
      },
      heartbeat: {
        status: 'active', genesis_hash: genesis, latest_beat: 0, latest_hash: genesis, total_beats: 0, lifetime_beats: 0, available_beats: 0,
        difficulty: 100, frozen_since: null, refused: false, refused_reason: null,
      },
      heartbeat_epoch: {
        billing_epoch: 0, count_in_epoch: 1, volume_cap: 20_000, remaining: 19_999,
        lineage_chain_hash: '0x' + createHash('sha256').update(`beats:lineage:v1:${agent.hash}`).digest('hex'),
      },
      whitelist: { standing: 'GOOD', last_checkin_beat: b, last_global_sync: b, current_global_beat: b, beats_behind: 0, beats_until_freeze: 60, deadline_anchors: 60 },
      gestation: { depth: 0, children_spawned: 0, next_child_cost: 1000, beats_accumulated: 0, progress_pct: 0, can_spawn: false, deficit: 1000 },
      proof_of_existence: { total_beats: 0, available_beats: 0, total_hash_operations: 0, estimated_cpu_time_ms: 0 },
      recent_checkins: [{ anchor_index: b, at: iso(t) }],
      lineage: { type: 'root', parent: null, depth: 0, name: 'sentinel', registered_at: iso(t), lineage_finalized_at: null, children: [] },
    });

    // Computed at request time: an anchor later the same stored facts read one anchor behind.
    await reg.nextAnchor(3);
    const later = (await reg.beatStatus(agent.hash)).body;
    expect(later.whitelist).toMatchObject({ current_global_beat: b + 3, beats_behind: 3, beats_until_freeze: 57 });
    expect(later.beat_age_seconds).toBe(180);
  });

  it('the six statuses and six standings as anchors pass', async () => {
    const sigilHolder = await reg.ready('holder');
    const plain = await reg.ready('plain', { withSigil: false });
    const complained = await reg.ready('complained');
    const uninitialized = await reg.register('uninitialized');
    await reg.heartbeat(sigilHolder).expect(200);
    await reg.heartbeat(complained).expect(200);
    await reg.refuse(complained, true, 'complaint #1').expect(200);

    // At once: active/GOOD, registered/GOOD (never heartbeated), refused/REFUSED, registered without a chain.
    expect(await look(sigilHolder)).toMatchObject({ status: 'active', standing: 'GOOD' });
    expect(await look(plain)).toMatchObject({ status: 'registered', standing: 'GOOD' });
    const refused = await look(complained);
    expect(refused).toMatchObject({ status: 'refused', standing: 'REFUSED' });
    expect(refused.status_body).toMatchObject({ heartbeat_refused: true, heartbeat_refused_reason: 'complaint #1' });
    expect(refused.beat.heartbeat).toMatchObject({ refused: true, refused_reason: 'complaint #1' });
    const bare = await look(uninitialized);
    expect(bare).toMatchObject({ status: 'registered', standing: null });
    expect(bare.status_body).toMatchObject({ beat_state: null, liveness_score: null, liveness_algorithm: null });

    // 44 behind: still active; 45: warning.
    await reg.nextAnchor(44);
    expect(await look(sigilHolder)).toMatchObject({ status: 'active', standing: 'GOOD' });
    await reg.nextAnchor();
    for (const agent of [sigilHolder, plain]) {
      const seen = await look(agent);
      expect(seen).toMatchObject({ status: 'warning', standing: 'WARNING' });
      expect(seen.beat.whitelist).toMatchObject({ beats_behind: 45, beats_until_freeze: 15 });
    }

    // 60 behind (freeze at > 60): stale; STALE for the SIGIL holder, OVERDUE for the other.
    await reg.nextAnchor(15);
    const stale = await look(sigilHolder);
    expect(stale).toMatchObject({ status: 'stale', standing: 'STALE' });
    expect(stale.beat).toMatchObject({ beat_stale: true, heartbeat: { status: 'active' }, whitelist: { beats_behind: 60, beats_until_freeze: 0 } });
    expect(await look(plain)).toMatchObject({ status: 'stale', standing: 'OVERDUE' });

    // 61 behind: the switch froze them.
    await reg.nextAnchor();
    for (const agent of [sigilHolder, plain]) {
      const seen = await look(agent);
      expect(seen).toMatchObject({ status: 'frozen', standing: 'FROZEN' });
      expect(seen.beat).toMatchObject({ beat_stale: true, heartbeat: { status: 'frozen', frozen_since: iso(reg.now()) }, whitelist: { beats_behind: 61, beats_until_freeze: 0 } });
      expect(seen.status_body.beat_state.status).toBe('frozen');
    }
    // The complaint flag outranks the freeze.
    expect(await look(complained)).toMatchObject({ status: 'refused', standing: 'REFUSED' });
    expectError(await reg.heartbeat(complained), 403, 'HEARTBEAT_REFUSED');
    // Lifting it shows the freeze beneath.
    await reg.refuse(complained, false).expect(200);
    expect(await look(complained)).toMatchObject({ status: 'frozen', standing: 'FROZEN' });
    expect((await reg.status(complained.hash)).body).toMatchObject({ heartbeat_refused: false, heartbeat_refused_reason: null });
  });

  it('404 shapes exactly as the seeds show; a malformed hash is 400 VALIDATION', async () => {
    const unknown = '0x' + 'ab'.repeat(32);
    const status = await reg.status(unknown).expect(404);
    expect(status.body).toEqual({ error: 'Agent not found', code: 'AGENT_NOT_FOUND', exists: false, status: 'not_found', hash: unknown });
    const beat = await reg.beatStatus(unknown).expect(404);
    expect(beat.body).toEqual({ agent_hash: unknown, beat_initialized: false, _message: 'Agent has no beat chain. Initialize with POST /api/v1/agent/init' });
    const noChain = await reg.register('chainless');
    expect((await reg.beatStatus(noChain.hash).expect(404)).body).toEqual({
      agent_hash: noChain.hash, beat_initialized: false, _message: 'Agent has no beat chain. Initialize with POST /api/v1/agent/init',
    });
    for (const bad of ['abc', 'ab'.repeat(32), '0x' + 'ab'.repeat(31), '0x' + 'zz'.repeat(32), '0x' + 'ab'.repeat(33)]) {
      for (const res of [await reg.status(bad), await reg.beatStatus(bad)]) {
        expect(expectError(res, 400, 'VALIDATION').field).toBe('hash');
      }
    }
    // Hex case does not matter.
    expect((await reg.status(noChain.hash.toUpperCase().replace('0X', '0x')).expect(200)).body.hash).toBe(noChain.hash);
  });

  it('the public lookups answer CORS; other methods are 405', async () => {
    const agent = await reg.register('cors');
    const res = await reg.status(agent.hash).set('origin', 'https://example.org');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect((await request(reg.app).post(`/api/v1/status/${agent.hash}`).send({})).status).toBe(405);
    expect((await request(reg.app).delete(`/api/v1/agent/beat-status/${agent.hash}`)).status).toBe(405);
  });

  it('liveness v1: null in grace and for sbx; the share of anchors within the deadline over 30 days', async () => {
    const agent = await reg.ready('lively');
    const sandbox = await reg.register('sandbox');
    await reg.init(sandbox);
    await reg.sigil(sandbox, { tier: 'sbx' });
    await reg.heartbeat(agent).expect(200);
    await reg.heartbeat(sandbox).expect(200);
    expect((await reg.status(agent.hash)).body).toMatchObject({ liveness_score: null, liveness_algorithm: null });

    // Synced at k; 100 anchors without a heartbeat: frozen at k+61; resync at k+100.
    await reg.nextAnchor(100);
    expect((await reg.status(agent.hash)).body.status).toBe('frozen');
    const receipt = await reg.receipt(agent.hash, 10_000);
    await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }).expect(200);

    // 8 days on (grace over): window = [k, k+101], 102 anchors, bad = [k+60, k+99] (≥ 60 behind, frozen from k+61).
    reg.advance(8 * DAY);
    await reg.nextAnchor();
    await reg.heartbeat(agent).expect(200);
    expect((await reg.status(agent.hash)).body).toMatchObject({ liveness_score: 0.6078, liveness_algorithm: 'v1' });
    expect((await reg.status(sandbox.hash)).body).toMatchObject({ tier: 'sbx', liveness_score: null, liveness_algorithm: null });

    // 31 days later the freeze has left the window: only anchors of the last 30 days count.
    reg.advance(31 * DAY);
    await reg.nextAnchor();
    expect((await reg.status(agent.hash)).body).toMatchObject({ liveness_score: 1, liveness_algorithm: 'v1' });
  });
});
