// Spawn (seed 004) over HTTP on both engines: the 7 steps with real v2 receipts from depth 0 to 2
// with several siblings at the seed's prices, grandchildren, the lineage in beat-status, children
// heartbeating without a SIGIL, and the probe paid by available beats.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCost } from '../../shared/costs.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, type TestAgent } from './harness.js';

const iso = (ms: number) => new Date(ms).toISOString();
const lineageHash = (...hashes: string[]) => '0x' + createHash('sha256').update(`beats:lineage:v1:${hashes.join(',')}`).digest('hex');

describeEachEngine('registry: spawn', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it("the seed's prices: spawnCost(parent depth, siblings), exact", () => {
    expect([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 3]].map(([d, s]) => spawnCost(d, s))).toEqual([1000, 1200, 1500, 1800, 2250, 3888]);
  });

  it('the 7 steps over HTTP, word for word: probe, receipt, authorization, register, finalize', async () => {
    const root = await reg.ready('root-0');
    // Step 1: the probe answers the seed's body exactly (depth = the child's).
    const probe = await reg.spawn(root, { child_name: 'child-agent' });
    expect(probe.status).toBe(402);
    expect(probe.body).toEqual({ error: 'Beats receipt required for spawn', code: 'RECEIPT_REQUIRED', required_beats: 1000, depth: 1, siblings: 0 });

    // Steps 2-4: the anchor, the beats and a receipt bound to the parent; step 5: the authorization.
    const receipt = await reg.receipt(root.hash, 1000);
    const paid = await reg.spawn(root, { child_name: 'child-agent', beats_receipt: receipt }).expect(200);
    const t = reg.now();
    expect(paid.body).toEqual({
      ok: true, eligible: true, spawn_authorization: expect.stringMatching(/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/), receipt_based: true,
      required_beats: 1000, child_name: 'child-agent', depth: 1, siblings: 0, expires_at: iso(t + 10 * 60_000),
    });

    // Step 6: the child, with the parent's key.
    const registered = await reg.post(root, '/api/v1/register', { name: 'child-agent', spawn_authorization: paid.body.spawn_authorization, metadata: { role: 'worker' } }).expect(201);
    expect(registered.body).toEqual({
      ok: true, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), api_key: expect.stringMatching(/^pvn_[A-Za-z0-9_-]{43}$/), name: 'child-agent',
      type: 'agent', parent: root.hash, depth: 1, metadata: { role: 'worker' }, registered_at: iso(t),
    });
    const child: TestAgent = { hash: registered.body.hash, apiKey: registered.body.api_key };

    // Step 7: the finalize; the lineage is final (and finalizing again changes nothing).
    const finalized = await reg.spawn(root, { child_name: 'child-agent', child_hash: child.hash }).expect(200);
    expect(finalized.body).toEqual({ ok: true, eligible: true, child_hash: child.hash, child_name: 'child-agent', depth: 1, lineage_finalized_at: iso(t) });
    reg.advance(1000);
    expect((await reg.spawn(root, { child_hash: child.hash }).expect(200)).body.lineage_finalized_at).toBe(iso(t));

    // The child lives on its own key: init, and heartbeats without a SIGIL (a root needs one).
    await reg.init(child);
    expect((await reg.heartbeat(child).expect(200)).body).toMatchObject({ ok: true, agent_hash: child.hash, volume_cap: 1000, sponsor: null });
    const bareRoot = await reg.ready('bare-root', { withSigil: false });
    expectError(await reg.heartbeat(bareRoot), 403, 'SIGIL_REQUIRED');

    expect((await reg.status(child.hash).expect(200)).body).toMatchObject({ type: 'agent', depth: 1, name: 'child-agent', metadata: { role: 'worker' }, sigil: null });
    const beat = (await reg.beatStatus(child.hash).expect(200)).body;
    expect(beat.lineage).toEqual({
      type: 'agent', parent: root.hash, depth: 1, name: 'child-agent', registered_at: iso(t), lineage_finalized_at: iso(t), children: [],
    });
    expect(beat.heartbeat_epoch.lineage_chain_hash).toBe(lineageHash(root.hash, child.hash));
    expect(beat.gestation).toMatchObject({ depth: 1, children_spawned: 0, next_child_cost: 1500 });
    const rootBeat = (await reg.beatStatus(root.hash).expect(200)).body;
    expect(rootBeat.gestation).toMatchObject({ depth: 0, children_spawned: 1, next_child_cost: 1200 });
    expect(rootBeat.lineage.children).toEqual([{ hash: child.hash, name: 'child-agent' }]);
  });

  it('depths 0 to 2 with siblings at the seed prices, grandchildren and great-grandchildren, the family in beat-status', async () => {
    const root = await reg.ready('family-root');
    const a = await reg.spawnChild(root, 'a', 1000); // (0, 0)
    await reg.nextAnchor(); // one receipt per parent per anchor (v2 work is spent once per chain start)
    const b = await reg.spawnChild(root, 'b', 1200); // (0, 1)
    await reg.nextAnchor();
    const c = await reg.spawnChild(root, 'c', 1440); // (0, 2)

    const a1 = await reg.spawnChild(a, 'a1', 1500); // (1, 0)
    await reg.nextAnchor();
    const a2 = await reg.spawnChild(a, 'a2', 1800); // (1, 1)
    const a1x = await reg.spawnChild(a1, 'a1x', 2250); // (2, 0): a great-grandchild at depth 3

    for (const agent of [a, a1, a1x]) await reg.init(agent);
    const rootBeat = (await reg.beatStatus(root.hash).expect(200)).body;
    expect(rootBeat.lineage.children).toEqual([{ hash: a.hash, name: 'a' }, { hash: b.hash, name: 'b' }, { hash: c.hash, name: 'c' }]);
    expect(rootBeat.gestation).toMatchObject({ children_spawned: 3, next_child_cost: 1728 });
    const aBeat = (await reg.beatStatus(a.hash).expect(200)).body;
    expect(aBeat.lineage).toMatchObject({ parent: root.hash, depth: 1, children: [{ hash: a1.hash, name: 'a1' }, { hash: a2.hash, name: 'a2' }] });
    expect(aBeat.gestation).toMatchObject({ depth: 1, children_spawned: 2, next_child_cost: spawnCost(1, 2) });
    const deep = (await reg.beatStatus(a1x.hash).expect(200)).body;
    expect(deep.lineage).toMatchObject({ type: 'agent', parent: a1.hash, depth: 3, name: 'a1x', children: [] });
    expect(deep.heartbeat_epoch.lineage_chain_hash).toBe(lineageHash(root.hash, a.hash, a1.hash, a1x.hash));
    expect(deep.gestation).toMatchObject({ depth: 3, next_child_cost: spawnCost(3, 0) });
    expect((await reg.status(a1x.hash)).body).toMatchObject({ type: 'agent', depth: 3 });

    // (2, 3) = 3 888: a1 (depth 2) has one child; two more paid from its available beats, then the probe prices the fourth.
    await reg.setChain(a1, { available_beats: 2700 + 3240 });
    for (const [name, price, siblings] of [['a1y', 2700, 1], ['a1z', 3240, 2]] as const) {
      const res = await reg.spawn(a1, { child_name: name }).expect(200);
      expect(res.body).toMatchObject({ receipt_based: false, required_beats: price, depth: 3, siblings });
      await reg.registerChild(a1, name, res.body.spawn_authorization);
    }
    const fourth = expectError(await reg.spawn(a1, { child_name: 'a1w' }), 402, 'RECEIPT_REQUIRED');
    expect(fourth).toMatchObject({ required_beats: 3888, depth: 3, siblings: 3 });
    expect((await reg.beatStatus(a1.hash)).body.gestation).toMatchObject({ children_spawned: 3, next_child_cost: 3888, beats_accumulated: 0 });
    // And at the service level.
    const a1Record = (await reg.svc.services.db.one<{ depth: number; children_spawned: number }>('SELECT depth, children_spawned FROM agents WHERE hash = $1', [a1.hash]))!;
    expect(await reg.svc.services.registry.spawn.quote({ hash: a1.hash, ...a1Record })).toEqual({ depth: 3, siblings: 3, required_beats: 3888 });
  });

  it('the probe is paid by available beats when they cover the price (receipt_based: false); a live authorization counts as a sibling', async () => {
    const parent = await reg.ready('saver', { withSigil: false });
    const credit = await reg.receipt(parent.hash, 1100);
    await reg.post(parent, '/api/v1/agent/beats/submit', { beats_receipt: credit }).expect(200);
    expect((await reg.beatStatus(parent.hash)).body.gestation).toMatchObject({ can_spawn: true, progress_pct: 100, deficit: 0 });

    const res = await reg.spawn(parent, { child_name: 'from-savings' }).expect(200);
    expect(res.body).toMatchObject({ ok: true, eligible: true, receipt_based: false, required_beats: 1000, depth: 1, siblings: 0 });
    const after = (await reg.status(parent.hash)).body.beat_state;
    expect(after).toMatchObject({ available_beats: 100, lifetime_beats: 1100 });

    // Not registered yet: the authorization already counts, so the next child costs 1 200.
    expect(expectError(await reg.spawn(parent, { child_name: 'second' }), 402, 'RECEIPT_REQUIRED')).toMatchObject({ required_beats: 1200, siblings: 1 });
    expect((await reg.beatStatus(parent.hash)).body.gestation).toMatchObject({ children_spawned: 0, next_child_cost: 1200 });

    const child = await reg.registerChild(parent, 'from-savings', res.body.spawn_authorization);
    await reg.spawn(parent, { child_name: 'from-savings', child_hash: child.hash }).expect(200);
    expect((await reg.beatStatus(parent.hash)).body.gestation).toMatchObject({ children_spawned: 1, next_child_cost: 1200 });
  });

  it('an authorization that expires unused stops counting as a sibling', async () => {
    const parent = await reg.ready('forgetful', { withSigil: false });
    await reg.setChain(parent, { available_beats: 1000 });
    await reg.spawn(parent, { child_name: 'never-registered' }).expect(200);
    expect(expectError(await reg.spawn(parent, { child_name: 'next' }), 402, 'RECEIPT_REQUIRED').siblings).toBe(1);
    reg.advance(10 * 60_000);
    expect(expectError(await reg.spawn(parent, { child_name: 'next' }), 402, 'RECEIPT_REQUIRED')).toMatchObject({ siblings: 0, required_beats: 1000 });
  });

  it("the peer SDK's child registration {name, parent} with the parent's key uses the parent's live authorization", async () => {
    const parent = await reg.ready('sdk-style', { withSigil: false });
    await reg.setChain(parent, { available_beats: 1000 });
    await reg.spawn(parent, { child_name: 'kid' }).expect(200);
    const res = await reg.post(parent, '/api/v1/register', { name: 'kid', parent: parent.hash }).expect(201);
    expect(res.body).toMatchObject({ type: 'agent', parent: parent.hash, depth: 1, name: 'kid' });
    // Used: a second registration has no live authorization.
    expect(expectError(await reg.post(parent, '/api/v1/register', { name: 'kid', parent: parent.hash }), 409, 'SPAWN_CONFLICT').reason).toBe('no_authorization');
  });
});
