// Spawn under concurrency, on both engines (PostgreSQL: a connection pool, real parallel
// transactions): one receipt buys exactly one authorization, and a parent's concurrent spawns are
// priced one after the other (1 000 then 1 200), never both at 1 000.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, type TestAgent } from './harness.js';

describeEachEngine('registry: spawn concurrency', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  const authorizations = async (parent: TestAgent) =>
    reg.svc.services.db.query<{ required_beats: number }>('SELECT required_beats FROM spawn_authorizations WHERE parent_hash = $1 ORDER BY required_beats', [parent.hash]);

  it('20 parallel spawn calls with one receipt: exactly one authorization, 19 × already_consumed', async () => {
    const parent = await reg.register('crowd');
    const receipt = await reg.receipt(parent.hash, 2000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reg.spawn(parent, { child_name: `c${i}`, beats_receipt: receipt })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body).toMatchObject({ required_beats: 1000, siblings: 0 });
    for (const res of results.filter((r) => r.status !== 200)) {
      expect([res.status, res.body.code, res.body.reason]).toEqual([402, 'INVALID_RECEIPT', 'already_consumed']);
    }
    expect(await authorizations(parent)).toEqual([{ required_beats: 1000 }]);
    const spent = await reg.svc.services.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts WHERE agent_hash = $1', [parent.hash]);
    expect(spent).toEqual({ c: 1 });
  });

  it('20 parallel spawn calls with one receipt for one name: still exactly one authorization', async () => {
    const parent = await reg.register('crowd-one-name');
    const receipt = await reg.receipt(parent.hash, 1000);
    const results = await Promise.all(Array.from({ length: 20 }, () => reg.spawn(parent, { child_name: 'only', beats_receipt: receipt })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 200)) expect(['SPAWN_CONFLICT', 'INVALID_RECEIPT']).toContain(res.body.code);
    expect(await authorizations(parent)).toHaveLength(1);
  });

  it("each parent's concurrent spawns with two receipts pay 1 000 and 1 200 (5 parents, 10 calls at once)", async () => {
    const parents = await Promise.all(Array.from({ length: 5 }, (_, i) => reg.register(`pair-${i}`)));
    // Two receipts per parent at two anchors (v2 work is spent once per chain start: anchor and subject).
    const first = await Promise.all(parents.map((p) => reg.receipt(p.hash, 1200)));
    await reg.nextAnchor();
    const second = await Promise.all(parents.map((p) => reg.receipt(p.hash, 1200)));
    const results = await Promise.all(
      parents.flatMap((p, i) => [
        reg.spawn(p, { child_name: 'x', beats_receipt: first[i] }),
        reg.spawn(p, { child_name: 'y', beats_receipt: second[i] }),
      ]),
    );
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (let i = 0; i < parents.length; i++) {
      const pair = [results[2 * i].body, results[2 * i + 1].body].map((b) => [b.required_beats, b.siblings]).sort((a, b) => a[0] - b[0]);
      expect(pair).toEqual([[1000, 0], [1200, 1]]);
      expect(await authorizations(parents[i])).toEqual([{ required_beats: 1000 }, { required_beats: 1200 }]);
    }
  });

  it('two concurrent spawns with receipts of 1 000 beats: one pays 1 000, the other is INSUFFICIENT_BEATS at 1 200 and stays unspent', async () => {
    const parent = await reg.register('tight');
    const r1 = await reg.receipt(parent.hash, 1000);
    await reg.nextAnchor();
    const r2 = await reg.receipt(parent.hash, 1000);
    const results = await Promise.all([
      reg.spawn(parent, { child_name: 'p', beats_receipt: r1 }),
      reg.spawn(parent, { child_name: 'q', beats_receipt: r2 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const refused = results.find((r) => r.status === 400)!.body;
    expect(refused).toMatchObject({ code: 'INSUFFICIENT_BEATS', required_beats: 1200, siblings: 1, beats_verified: 1000 });
    expect(await authorizations(parent)).toEqual([{ required_beats: 1000 }]);
    const spent = await reg.svc.services.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts WHERE agent_hash = $1', [parent.hash]);
    expect(spent).toEqual({ c: 1 });
  });

  it('20 parallel child registrations with one authorization: exactly one child', async () => {
    const parent = await reg.ready('registrar', { withSigil: false });
    await reg.setChain(parent, { available_beats: 1000 });
    const token = (await reg.spawn(parent, { child_name: 'solo' }).expect(200)).body.spawn_authorization;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reg.post(parent, '/api/v1/register', { name: 'solo', spawn_authorization: token })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 201)) expect([res.status, res.body.code]).toEqual([409, 'SPAWN_CONFLICT']);
    const children = await reg.svc.services.db.query('SELECT hash FROM agents WHERE parent_hash = $1', [parent.hash]);
    expect(children).toHaveLength(1);
    expect((await reg.status(parent.hash)).body).toMatchObject({ exists: true });
    expect((await reg.beatStatus(parent.hash)).body.gestation.children_spawned).toBe(1);
  });
});
