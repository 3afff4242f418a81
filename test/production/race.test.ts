// Races between two `beats serve` processes on one PostgreSQL database, each request set split
// alternately across both instances, so the only thing that can serialize them is the database:
//
// - one receipt, 50 concurrent resyncs of a frozen agent → exactly one 200, one receipt row spent;
// - one receipt, 50 concurrent POST /agent/spawn of one parent (all for one child name, and again with
//   50 distinct names) → exactly one spawn_authorization, one authorization row, one receipt spent;
//   then that authorization registers exactly one child (20 concurrent registrations, both instances);
// - sponsored heartbeats against a cap of 10 per epoch → exactly 10 charged. An agent heartbeats at
//   most once per anchor (the heartbeats primary key), so 100 heartbeats at one anchor could only ever
//   charge 1 and would prove nothing about the cap. The cluster therefore runs 100 ms anchors and the
//   child sends overlapping waves of 5 concurrent paid heartbeats every ~120 ms, alternating instances,
//   until at least 100 were sent, the cap refused at least one and at least 10 anchors after the last
//   charged one saw a heartbeat checked (each could have been charged but for the cap). The test
//   asserts those conditions rather than trusting the clock. The registry's own
//   sponsorship-concurrency.test.ts drives the charge itself from 50 concurrent transactions in one
//   process; this one goes over HTTP across processes, payer signatures and all.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import {
  api, type ApiAnswer, Cluster, createTestDatabase, headOf, linkWallet, newWallet, paidHeartbeat, postgresUnavailable, queryDatabase,
  readyAgent, skipWithoutPostgres, sleep, spawnAuthorizationId, workReceipt,
} from './cluster.js';

/** `[status, code, reason]` of an answer (reason null when it has none), to compare with an allowed set. */
const outcome = (r: ApiAnswer): [number, string | null, string | null] => [r.status, r.body.code ?? null, r.body.reason ?? null];

/** How many answers of each `status code reason`, for the log. */
function tally(answers: ApiAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of answers) {
    const key = outcome(r).filter((part) => part !== null).join(' ');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** A fresh database and a cluster of two instances on it; `adopt` gets the cluster before anything starts (to dispose it). */
async function twoInstances(label: string, adopt: (cluster: Cluster) => void, env: Record<string, string> = {}) {
  const db = await createTestDatabase(label);
  const cluster = new Cluster({ DATABASE_URL: db.url, ANCHOR_INTERVAL_MS: '1000', ...env });
  cluster.onDispose(db.drop);
  adopt(cluster);
  const a = await cluster.start('a');
  const b = await cluster.start('b');
  return { db, a, b };
}

describe.skipIf(skipWithoutPostgres)('one receipt, 50 concurrent resyncs across two processes [postgres]', () => {
  let cluster: Cluster;
  beforeAll(() => {
    if (postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
  });
  afterEach(() => cluster.dispose());

  it('exactly one resync succeeds', async () => {
    const db = await createTestDatabase('race');
    cluster = new Cluster({ DATABASE_URL: db.url, ANCHOR_INTERVAL_MS: '1000' });
    cluster.onDispose(db.drop);
    const a = await cluster.start('a');
    const b = await cluster.start('b');
    const agent = await readyAgent(a.url, 'racer');

    // Far past the deadline (stored facts moved back): the leader's next sweep freezes it.
    const head = await headOf(a.url);
    await queryDatabase(db.url, 'UPDATE beat_chains SET last_global_sync = $2 WHERE agent_hash = $1', [agent.hash, head.index - 200]);
    for (let i = 0; ; i++) {
      const { body } = await api(b.url, 'GET', `/api/v1/status/${agent.hash}`);
      if (body.status === 'frozen') break;
      if (i > 100) throw new Error(`never frozen: ${JSON.stringify(body)}`);
      await sleep(50);
    }
    const price = await api(a.url, 'POST', '/api/v1/agent/resync', { bearer: agent.apiKey, body: {} });
    expect(price.status).toBe(402);
    expect(price.body.required_beats).toBe(10_000);

    // A real receipt from instance b, for this agent's work at the current anchor.
    const anchor = await headOf(b.url);
    const proof = await buildProofV2({
      anchor, subject: agent.hash.slice(2), beats: 10_000, difficulty: 100, mode: 'sampled', engine: proverEngine(await loadProver()),
    });
    const submitted = await api(b.url, 'POST', '/api/v1/beat/work-proof', { body: { work_proof: proof } });
    expect(submitted.body.valid, JSON.stringify(submitted.body)).toBe(true);
    const receipt = submitted.body.receipt;

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      api(i % 2 ? a.url : b.url, 'POST', '/api/v1/agent/resync', { bearer: agent.apiKey, body: { beats_receipt: receipt } })));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body).toMatchObject({ ok: true, status: 'active', receipt_based: true, beats_proven: 10_000 });
    for (const refused of answers.filter((r) => r.status !== 200)) {
      expect([[402, 'INVALID_RECEIPT'], [409, 'AGENT_WRONG_STATE']]).toContainEqual([refused.status, refused.body.code]);
    }
    const codes = answers.map((r) => `${r.status} ${r.body.code ?? ''} ${r.body.reason ?? ''}`.trim());
    console.log(`race answers: ${JSON.stringify(codes.reduce<Record<string, number>>((n, c) => ({ ...n, [c]: (n[c] ?? 0) + 1 }), {}))}`);

    const spent = await queryDatabase(db.url, 'SELECT receipt_id FROM consumed_receipts WHERE agent_hash = $1', [agent.hash]);
    expect(spent).toHaveLength(1);
    const freezes = await queryDatabase<{ ended_at_anchor: number | null }>(db.url, 'SELECT ended_at_anchor FROM freezes WHERE agent_hash = $1', [agent.hash]);
    expect(freezes).toHaveLength(1);
    expect(freezes[0].ended_at_anchor).not.toBeNull();
  });
});

describe.skipIf(skipWithoutPostgres)('spawn and sponsored heartbeats: races across two processes [postgres]', () => {
  let cluster: Cluster | undefined;
  beforeAll(() => {
    if (postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
  });
  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
  });

  /**
   * A parent, a real 1 000-beat v2 receipt for its first child (depth 0, no siblings: 1 000 beats), and
   * 50 concurrent spawn calls with it split across both instances; `childName(i)` names the i-th call's child.
   * Checks the one authorization against the database and returns it with the instance that did not issue it.
   */
  async function spawnRace(label: string, childName: (i: number) => string, allowed: Array<[number, string, string]>) {
    const { db, a, b } = await twoInstances(label, (c) => (cluster = c));
    const parent = await readyAgent(a.url, `${label}-parent`);

    // The probe prices the child: a root's first child costs 1 000 beats.
    const probe = await api(b.url, 'POST', '/api/v1/agent/spawn', { bearer: parent.apiKey, body: { child_name: childName(0) } });
    expect([probe.status, probe.body.code]).toEqual([402, 'RECEIPT_REQUIRED']);
    expect(probe.body).toMatchObject({ required_beats: 1000, depth: 1, siblings: 0 });
    const receipt = await workReceipt(b.url, parent.hash, 1000);

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      api(i % 2 ? a.url : b.url, 'POST', '/api/v1/agent/spawn', { bearer: parent.apiKey, body: { child_name: childName(i), beats_receipt: receipt } })));
    console.log(`${label} answers: ${JSON.stringify(tally(answers))}`);
    const okIndex = answers.map((r) => r.status).flatMap((status, i) => (status === 200 ? [i] : []));
    expect(okIndex, JSON.stringify(tally(answers))).toHaveLength(1);
    const won = answers[okIndex[0]].body;
    expect(won).toMatchObject({
      ok: true, eligible: true, receipt_based: true, required_beats: 1000, child_name: childName(okIndex[0]), depth: 1, siblings: 0,
      spawn_authorization: expect.any(String),
    });
    for (const refused of answers.filter((r) => r.status !== 200)) expect(allowed, JSON.stringify(refused.body)).toContainEqual(outcome(refused));

    // One authorization row, paid by the one receipt row spent for it.
    const rows = await queryDatabase<{ id: string; child_name: string; required_beats: string; receipt_based: boolean; receipt_id: string | null; used_at: string | null }>(
      db.url, 'SELECT id, child_name, required_beats, receipt_based, receipt_id, used_at FROM spawn_authorizations WHERE parent_hash = $1', [parent.hash]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: spawnAuthorizationId(won.spawn_authorization), child_name: won.child_name, receipt_based: true, used_at: null });
    expect(Number(rows[0].required_beats)).toBe(1000);
    const spent = await queryDatabase<{ receipt_id: string; purpose: string }>(db.url, 'SELECT receipt_id, purpose FROM consumed_receipts WHERE agent_hash = $1', [parent.hash]);
    expect(spent).toEqual([{ receipt_id: rows[0].receipt_id, purpose: 'spawn' }]);
    return { db, a, b, parent, authorization: won.spawn_authorization as string, childName: won.child_name as string, other: okIndex[0] % 2 ? b : a };
  }

  it('one receipt, 50 concurrent spawns of one child name: exactly one authorization, which registers exactly one child', async () => {
    const { db, a, b, parent, authorization, childName, other } = await spawnRace('spawn-race', () => 'kid', [
      [402, 'INVALID_RECEIPT', 'already_consumed'],
      [409, 'SPAWN_CONFLICT', 'authorization_pending'],
    ]);

    // Step 6 on the instance that did not issue the token, racing itself: 20 registrations split across both.
    const registrations = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api(i % 2 ? a.url : b.url, 'POST', '/api/v1/register', { bearer: parent.apiKey, body: { name: childName, spawn_authorization: authorization } })));
    console.log(`spawn-race registrations: ${JSON.stringify(tally(registrations))}`);
    const created = registrations.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(created[0].body).toMatchObject({ ok: true, type: 'agent', parent: parent.hash, depth: 1, name: childName });
    for (const refused of registrations.filter((r) => r.status !== 201)) expect(outcome(refused)).toEqual([409, 'SPAWN_CONFLICT', 'authorization_used']);
    const child = created[0].body.hash as string;

    // Once more, after the race, on the other instance: still used.
    const again = await api(other.url, 'POST', '/api/v1/register', { bearer: parent.apiKey, body: { name: childName, spawn_authorization: authorization } });
    expect(outcome(again)).toEqual([409, 'SPAWN_CONFLICT', 'authorization_used']);

    // Step 7, and the child as both instances and the database see it.
    const finalized = await api(other.url, 'POST', '/api/v1/agent/spawn', { bearer: parent.apiKey, body: { child_hash: child } });
    expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);
    expect(finalized.body).toMatchObject({ ok: true, child_hash: child, child_name: childName, depth: 1 });
    for (const instance of [a, b]) {
      const status = await api(instance.url, 'GET', `/api/v1/status/${child}`);
      expect(status.status).toBe(200);
    }
    const children = await queryDatabase<{ hash: string; name: string; type: string; depth: number }>(
      db.url, 'SELECT hash, name, type, depth FROM agents WHERE parent_hash = $1', [parent.hash]);
    expect(children).toEqual([{ hash: child, name: childName, type: 'agent', depth: 1 }]);
    const [parentRow] = await queryDatabase<{ children_spawned: number }>(db.url, 'SELECT children_spawned FROM agents WHERE hash = $1', [parent.hash]);
    expect(parentRow.children_spawned).toBe(1);
    const [row] = await queryDatabase<{ used_at: string | null; child_hash: string | null }>(
      db.url, 'SELECT used_at, child_hash FROM spawn_authorizations WHERE id = $1', [spawnAuthorizationId(authorization)]);
    expect(row.child_hash).toBe(child);
    expect(row.used_at).not.toBeNull();
  });

  it('one receipt, 50 concurrent spawns of 50 different child names: exactly one authorization', async () => {
    await spawnRace('spawn-names', (i) => `kid-${i}`, [[402, 'INVALID_RECEIPT', 'already_consumed']]);
  });

  it('sponsored heartbeats from both instances against a cap of 10: exactly 10 charged', async () => {
    const CAP = 10;
    const WAVE = 5;
    const MIN_SENT = 100;
    /** Anchors after the last charged one on which a heartbeat was checked and refused by the cap. */
    const ANCHORS_PAST_CAP = 10;
    /** A bound on the run (each wave spans about 1.2 anchors; the child freezes 60 anchors after its last heartbeat). */
    const MAX_WAVES = 45;
    const { db, a, b } = await twoInstances('sponsor-race', (c) => (cluster = c), { ANCHOR_INTERVAL_MS: '100' });

    // A parent with a child (a real receipt pays for it) and a linked wallet, sponsoring the child up to 10 per epoch.
    const parent = await readyAgent(a.url, 'sponsor-parent');
    const paid = await api(a.url, 'POST', '/api/v1/agent/spawn', {
      bearer: parent.apiKey, body: { child_name: 'sponsored', beats_receipt: await workReceipt(a.url, parent.hash, 1000) },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const registered = await api(b.url, 'POST', '/api/v1/register', {
      bearer: parent.apiKey, body: { name: 'sponsored', spawn_authorization: paid.body.spawn_authorization },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const child = { hash: registered.body.hash as string, apiKey: registered.body.api_key as string };
    const wallet = newWallet();
    const address = await linkWallet(a.url, parent, wallet, b.url);
    const sponsored = await api(b.url, 'POST', '/api/v1/agent/sponsor', { bearer: parent.apiKey, body: { child_hash: child.hash, max_heartbeats_epoch: CAP } });
    expect(sponsored.status, JSON.stringify(sponsored.body)).toBe(200);
    expect(sponsored.body.sponsorship).toMatchObject({ parent_hash: parent.hash, child_hash: child.hash, status: 'active', max_heartbeats_epoch: CAP, heartbeats_used_epoch: 0 });
    expect((await api(a.url, 'POST', '/api/v1/agent/init', { bearer: child.apiKey })).status).toBe(201);

    // Overlapping waves of paid heartbeats, alternating instances; the parent heartbeats itself now and then
    // (unpaid) so that it never falls 60 anchors behind (a frozen parent's sponsorships are revoked).
    const sent: Array<Promise<{ answer: ApiAnswer; signedAnchor: number }>> = [];
    const settled: Array<{ answer: ApiAnswer; signedAnchor: number }> = [];
    const parentBeats: Array<Promise<ApiAnswer>> = [];
    /** The anchor at which the service checked a heartbeat past its payer signature (undefined: signed for another anchor). */
    const checkedAt = ({ answer, signedAnchor }: { answer: ApiAnswer; signedAnchor: number }) =>
      answer.body.reason === 'invalid_payer_signature' ? undefined : signedAnchor;
    const progress = () => {
      const charged = settled.filter((s) => s.answer.status === 200);
      const lastCharged = Math.max(-1, ...charged.map((s) => s.answer.body.anchor_index as number));
      const capRefusals = settled.filter((s) => s.answer.body.reason === 'sponsorship_cap_reached');
      const pastCap = new Set(capRefusals.map(checkedAt).filter((i): i is number => i !== undefined && i > lastCharged));
      const checkedAnchors = new Set(settled.map(checkedAt).filter((i) => i !== undefined));
      return { sent: settled.length, charged: charged.length, capRefusals: capRefusals.length, anchorsPastCap: pastCap.size, checkedAnchors: checkedAnchors.size };
    };
    const enough = () => {
      const p = progress();
      return p.sent >= MIN_SENT && p.capRefusals > 0 && p.anchorsPastCap >= ANCHORS_PAST_CAP;
    };
    let waves = 0;
    for (;;) {
      while (!enough() && waves < MAX_WAVES) {
        for (let i = 0; i < WAVE; i++) {
          const target = (waves * WAVE + i) % 2 ? a : b;
          sent.push(paidHeartbeat(target.url, child, wallet).then((s) => (settled.push(s), s)));
        }
        if (waves % 5 === 0) parentBeats.push(api((waves / 5) % 2 ? a.url : b.url, 'POST', '/api/v1/agent/heartbeat', { bearer: parent.apiKey, body: {} }));
        waves++;
        await sleep(120);
      }
      await Promise.all(sent);
      if (enough() || waves >= MAX_WAVES) break;
    }
    const answers = settled.map((s) => s.answer);
    console.log(`sponsor-race: ${waves} waves, ${JSON.stringify(progress())}, answers ${JSON.stringify(tally(answers))}`);

    // The run covered what it must: ≥ 100 heartbeats, and the cap refused heartbeats on ≥ 10 anchors after
    // the last charge — anchors on which, but for the cap, one heartbeat would have been charged.
    const p = progress();
    expect(p.sent).toBeGreaterThanOrEqual(MIN_SENT);
    expect(p.capRefusals).toBeGreaterThan(0);
    expect(p.anchorsPastCap, JSON.stringify(p)).toBeGreaterThanOrEqual(ANCHORS_PAST_CAP);
    expect(p.checkedAnchors).toBeGreaterThan(CAP);

    // Exactly 10 charged: one per anchor, charges 1…10 of this epoch, paid by the parent's wallet.
    const charged = answers.filter((r) => r.status === 200);
    expect(charged).toHaveLength(CAP);
    expect(new Set(charged.map((r) => r.body.anchor_index)).size).toBe(CAP);
    for (const r of charged) expect(r.body.sponsor).toMatchObject({ parent_hash: parent.hash, max_heartbeats_epoch: CAP });
    expect(charged.map((r) => r.body.sponsor.heartbeats_used_epoch as number).sort((x, y) => x - y)).toEqual(Array.from({ length: CAP }, (_, i) => i + 1));
    // Every refusal: the cap, a second heartbeat at one anchor, or a signature over an anchor that had just passed.
    const allowed = [
      [402, 'PAYMENT_REQUIRED', 'sponsorship_cap_reached'],
      [429, 'HEARTBEAT_TOO_SOON', null],
      [402, 'PAYMENT_REQUIRED', 'invalid_payer_signature'],
    ];
    for (const refused of answers.filter((r) => r.status !== 200)) expect(allowed, JSON.stringify(refused.body)).toContainEqual(outcome(refused));
    for (const beat of await Promise.all(parentBeats)) expect([[200, null], [429, 'HEARTBEAT_TOO_SOON']]).toContainEqual([beat.status, beat.body.code ?? null]);

    // Both instances and the database agree: 10 used, 10 heartbeat rows paid by the parent.
    for (const instance of [a, b]) {
      const list = await api(instance.url, 'GET', '/api/v1/agent/sponsor', { bearer: parent.apiKey });
      expect(list.status).toBe(200);
      expect(list.body.sponsorships).toEqual([expect.objectContaining({ child_hash: child.hash, status: 'active', max_heartbeats_epoch: CAP, heartbeats_used_epoch: CAP })]);
    }
    const [row] = await queryDatabase<{ status: string; heartbeats_used_epoch: number; max_heartbeats_epoch: number }>(
      db.url, 'SELECT status, heartbeats_used_epoch, max_heartbeats_epoch FROM sponsorships WHERE parent_hash = $1 AND child_hash = $2', [parent.hash, child.hash]);
    expect(row).toEqual({ status: 'active', heartbeats_used_epoch: CAP, max_heartbeats_epoch: CAP });
    const beats = await queryDatabase<{ anchor_index: string; payer: string; sponsor_hash: string }>(
      db.url, 'SELECT anchor_index, payer, sponsor_hash FROM heartbeats WHERE agent_hash = $1 ORDER BY anchor_index', [child.hash]);
    expect(beats).toHaveLength(CAP);
    expect(beats.map((r) => Number(r.anchor_index))).toEqual(charged.map((r) => r.body.anchor_index as number).sort((x, y) => x - y));
    for (const r of beats) expect(r).toMatchObject({ payer: address, sponsor_hash: parent.hash });
    const [chain] = await queryDatabase<{ total_heartbeats: string; status: string }>(db.url, 'SELECT total_heartbeats, status FROM beat_chains WHERE agent_hash = $1', [child.hash]);
    expect(chain).toEqual({ total_heartbeats: String(CAP), status: 'active' });
  });
});
