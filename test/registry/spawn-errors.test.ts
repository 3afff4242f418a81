// Every error of spawn (seed 004) and of the child's registration, each by its own test, on both
// engines: RECEIPT_REQUIRED, INSUFFICIENT_BEATS, VALIDATION, SPAWN_CONFLICT (every cause),
// AGENT_NOT_FOUND, AGENT_FROZEN, INVALID_RECEIPT, AUTH_MISSING, and 405.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyDigest } from '../../service/registry/agent-credentials.js';
import { SpawnTokens } from '../../service/registry/spawn-token.js';
import { AgentRepository } from '../../service/store/agent-repository.js';
import { isUniqueViolation } from '../../service/store/store-errors.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, type TestAgent } from './harness.js';

describeEachEngine('registry: spawn errors', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  /** A parent with `beats` available beats, so a probe issues an authorization without a receipt. */
  async function saver(name: string, beats = 100_000): Promise<TestAgent> {
    const agent = await reg.ready(name, { withSigil: false });
    await reg.setChain(agent, { available_beats: beats });
    return agent;
  }

  /** An authorization for `name` under `parent` (paid by available beats). */
  async function authorize(parent: TestAgent, name: string): Promise<string> {
    return (await reg.spawn(parent, { child_name: name }).expect(200)).body.spawn_authorization;
  }

  const consumed = async (agent: TestAgent) =>
    (await reg.svc.services.db.one<{ c: number }>('SELECT COUNT(*) AS c FROM consumed_receipts WHERE agent_hash = $1', [agent.hash]))!.c;

  it('401 AUTH_MISSING without the parent API key, or with a wrong one', async () => {
    expectError(await request(reg.app).post('/api/v1/agent/spawn').send({ child_name: 'x' }), 401, 'AUTH_MISSING');
    expectError(await reg.spawn({ hash: '', apiKey: 'pvn_' + 'A'.repeat(43) }, { child_name: 'x' }), 401, 'AUTH_MISSING');
    // The child registration too: the parent's key is required.
    expectError(await request(reg.app).post('/api/v1/register').send({ name: 'x', spawn_authorization: 'a.b' }), 401, 'AUTH_MISSING');
  });

  it('402 RECEIPT_REQUIRED: the probe, with required_beats, depth and siblings', async () => {
    const parent = await reg.register('prober');
    expect(expectError(await reg.spawn(parent, { child_name: 'k' }), 402, 'RECEIPT_REQUIRED')).toMatchObject({ required_beats: 1000, depth: 1, siblings: 0 });
  });

  it('400 INSUFFICIENT_BEATS: a receipt with fewer beats than the price (not INVALID_RECEIPT); the receipt stays unspent', async () => {
    const parent = await reg.register('short');
    const receipt = await reg.receipt(parent.hash, 999);
    const body = expectError(await reg.spawn(parent, { child_name: 'k', beats_receipt: receipt }), 400, 'INSUFFICIENT_BEATS');
    expect(body).toMatchObject({ required_beats: 1000, beats_verified: 999, depth: 1, siblings: 0 });
    expect(await consumed(parent)).toBe(0);
    // Still spendable for something it covers.
    await reg.init(parent);
    await reg.post(parent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }).expect(200);
  });

  it('402 INVALID_RECEIPT: protocol C with the parent as subject (a receipt bound to another agent, garbage)', async () => {
    const parent = await reg.register('wrong-subject');
    const other = await reg.register('someone-else');
    const foreign = await reg.receipt(other.hash, 1000);
    expect(expectError(await reg.spawn(parent, { child_name: 'k', beats_receipt: foreign }), 402, 'INVALID_RECEIPT').reason).toBe('subject_mismatch');
    expect(expectError(await reg.spawn(parent, { child_name: 'k', beats_receipt: 'garbage' }), 402, 'INVALID_RECEIPT').reason).toBe('malformed_receipt');
  });

  it('402 INVALID_RECEIPT already_consumed: a receipt pays for one spawn only', async () => {
    const parent = await reg.register('twice');
    const receipt = await reg.receipt(parent.hash, 1500);
    await reg.spawn(parent, { child_name: 'one', beats_receipt: receipt }).expect(200);
    expect(expectError(await reg.spawn(parent, { child_name: 'two', beats_receipt: receipt }), 402, 'INVALID_RECEIPT').reason).toBe('already_consumed');
  });

  describe('400 VALIDATION', () => {
    it.each<[string, unknown, string]>([
      ['no body', undefined, 'body'],
      ['an empty object', {}, 'child_name'],
      ['an empty name', { child_name: '' }, 'child_name'],
      ['a blank name', { child_name: '  ' }, 'child_name'],
      ['a name of 65 characters', { child_name: 'x'.repeat(65) }, 'child_name'],
      ['a numeric name', { child_name: 7 }, 'child_name'],
      ['a malformed child_hash', { child_name: 'k', child_hash: '0x1234' }, 'child_hash'],
      ['a finalize with a receipt', { child_hash: '0x' + 'ab'.repeat(32), beats_receipt: {} }, 'beats_receipt'],
      ['an unknown field', { child_name: 'k', parent: 'x' }, 'parent'],
      ['an array body', [1], 'body'],
    ])('%s', async (_label, body, field) => {
      const parent = await reg.register('validated');
      const req = reg.post(parent, '/api/v1/agent/spawn');
      const res = body === undefined ? await req : await req.send(body as object);
      expect(expectError(res, 400, 'VALIDATION').field).toBe(field);
    });

    it('a spawn_authorization this registry did not sign (garbage, another key, a tampered payload)', async () => {
      const parent = await saver('forger');
      const real = await authorize(parent, 'kid');
      const [payload] = real.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const otherKey = new SpawnTokens(new Uint8Array(32).fill(9)).sign(claims);
      const tampered = Buffer.from(JSON.stringify({ ...claims, child_name: 'kid2' })).toString('base64url') + '.' + real.split('.')[1];
      for (const token of ['garbage', otherKey, tampered]) {
        const res = await reg.post(parent, '/api/v1/register', { name: 'kid', spawn_authorization: token });
        expect(expectError(res, 400, 'VALIDATION').field).toBe('spawn_authorization');
      }
      // The real one still works.
      await reg.registerChild(parent, 'kid', real);
    });
  });

  describe('409 SPAWN_CONFLICT', () => {
    it('a second use of an authorization', async () => {
      const parent = await saver('reuser');
      const token = await authorize(parent, 'once');
      await reg.registerChild(parent, 'once', token);
      const res = await reg.post(parent, '/api/v1/register', { name: 'once', spawn_authorization: token });
      expect(expectError(res, 409, 'SPAWN_CONFLICT').reason).toBe('authorization_used');
    });

    it('an expired authorization (10 minutes)', async () => {
      const parent = await saver('slowpoke');
      const token = await authorize(parent, 'late');
      reg.advance(10 * 60_000 - 1);
      const early = await saver('early');
      await reg.registerChild(early, 'in-time', await authorize(early, 'in-time'));
      reg.advance(1);
      expect(expectError(await reg.post(parent, '/api/v1/register', { name: 'late', spawn_authorization: token }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('authorization_expired');
    });

    it('a token of another parent', async () => {
      const parent = await saver('owner');
      const thief = await saver('thief');
      const token = await authorize(parent, 'mine');
      expect(expectError(await reg.post(thief, '/api/v1/register', { name: 'mine', spawn_authorization: token }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('wrong_parent');
      // The {name, parent} form names the parent, and the key must be the parent's.
      expect(expectError(await reg.post(thief, '/api/v1/register', { name: 'mine', parent: parent.hash }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('wrong_parent');
    });

    it('a token for another name', async () => {
      const parent = await saver('namer');
      const token = await authorize(parent, 'alice');
      expect(expectError(await reg.post(parent, '/api/v1/register', { name: 'bob', spawn_authorization: token }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('wrong_name');
    });

    it('a name already registered under that parent: refused at spawn (before paying) and at registration (the unique index)', async () => {
      const parent = await saver('dup-parent');
      await reg.registerChild(parent, 'dup', await authorize(parent, 'dup'));
      expect(expectError(await reg.spawn(parent, { child_name: 'dup' }), 409, 'SPAWN_CONFLICT').reason).toBe('name_taken');
      // A paid receipt is not spent on a taken name.
      await reg.nextAnchor();
      const receipt = await reg.receipt(parent.hash, 5000);
      expect(expectError(await reg.spawn(parent, { child_name: 'dup', beats_receipt: receipt }), 409, 'SPAWN_CONFLICT').reason).toBe('name_taken');
      expect(await consumed(parent)).toBe(0);

      // The name taken between authorization and registration (as by a racing request): the database refuses it.
      const token = await authorize(parent, 'raced');
      await new AgentRepository(reg.svc.services.db).insertChild({
        hash: '0x' + 'fe'.repeat(32), name: 'raced', type: 'agent', parent_hash: parent.hash, depth: 1, metadata: null,
        api_key_digest: apiKeyDigest('pvn_raced'), registered_at: reg.now(), registered_by: null,
      });
      expect(expectError(await reg.post(parent, '/api/v1/register', { name: 'raced', spawn_authorization: token }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('name_taken');
      // …and the failed registration did not use the authorization.
      expect((await reg.svc.services.db.one<{ used_at: number | null }>('SELECT used_at FROM spawn_authorizations WHERE parent_hash = $1 AND child_name = $2', [parent.hash, 'raced']))!.used_at).toBeNull();
    });

    it('the database keeps (parent_hash, name) unique; root names may repeat', async () => {
      const parent = await reg.register('unique-parent');
      const agents = new AgentRepository(reg.svc.services.db);
      const row = (n: number) => ({
        hash: '0x' + String(n).repeat(64).slice(0, 64), name: 'same', type: 'agent' as const, parent_hash: parent.hash, depth: 1, metadata: null,
        api_key_digest: apiKeyDigest(`pvn_unique_${n}`), registered_at: reg.now(), registered_by: null,
      });
      await agents.insert(row(1));
      const error = await agents.insert(row(2)).then(() => undefined, (e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      await reg.register('same-root-name');
      await reg.register('same-root-name');
    });

    it('a second authorization for a name with one still live', async () => {
      const parent = await saver('eager');
      await authorize(parent, 'pending');
      expect(expectError(await reg.spawn(parent, { child_name: 'pending' }), 409, 'SPAWN_CONFLICT').reason).toBe('authorization_pending');
    });

    it('{name, parent} without a live authorization', async () => {
      const parent = await saver('no-auth');
      expect(expectError(await reg.post(parent, '/api/v1/register', { name: 'ghost', parent: parent.hash }), 409, 'SPAWN_CONFLICT').reason)
        .toBe('no_authorization');
    });

    it('finalizing a child of another parent, or under another name', async () => {
      const parent = await saver('real-parent');
      const other = await saver('other-parent');
      const child = await reg.registerChild(parent, 'kid', await authorize(parent, 'kid'));
      expect(expectError(await reg.spawn(other, { child_name: 'kid', child_hash: child.hash }), 409, 'SPAWN_CONFLICT').reason).toBe('not_a_child');
      expect(expectError(await reg.spawn(parent, { child_name: 'other-kid', child_hash: child.hash }), 409, 'SPAWN_CONFLICT').reason).toBe('wrong_name');
      // A root is nobody's child.
      expect(expectError(await reg.spawn(parent, { child_hash: other.hash }), 409, 'SPAWN_CONFLICT').reason).toBe('not_a_child');
    });
  });

  it('404 AGENT_NOT_FOUND: finalizing an unknown child', async () => {
    const parent = await reg.register('finalizer');
    const unknown = '0x' + 'ab'.repeat(32);
    expect(expectError(await reg.spawn(parent, { child_name: 'k', child_hash: unknown }), 404, 'AGENT_NOT_FOUND').hash).toBe(unknown);
  });

  it('403 AGENT_FROZEN: a frozen parent cannot spawn (probe, receipt, finalize); its receipt stays unspent', async () => {
    const parent = await saver('frozen-parent');
    const child = await reg.registerChild(parent, 'kid', await authorize(parent, 'kid'));
    await reg.nextAnchor(61);
    expect((await reg.status(parent.hash)).body.status).toBe('frozen');
    expectError(await reg.spawn(parent, { child_name: 'k2' }), 403, 'AGENT_FROZEN');
    const receipt = await reg.receipt(parent.hash, 1200);
    expectError(await reg.spawn(parent, { child_name: 'k2', beats_receipt: receipt }), 403, 'AGENT_FROZEN');
    expectError(await reg.spawn(parent, { child_hash: child.hash }), 403, 'AGENT_FROZEN');
    expect(await consumed(parent)).toBe(0);
  });

  it('403 AGENT_FROZEN for an overdue parent the switch has not swept yet (frozen on the spot)', async () => {
    const parent = await saver('overdue-parent');
    const { index } = await reg.head();
    await reg.setChain(parent, { last_global_sync: index - 61 });
    expectError(await reg.spawn(parent, { child_name: 'k' }), 403, 'AGENT_FROZEN');
    expect((await reg.status(parent.hash)).body.status).toBe('frozen');
  });

  it('405 for other methods', async () => {
    const parent = await reg.register('methods');
    const res = await request(reg.app).get('/api/v1/agent/spawn').set('authorization', `Bearer ${parent.apiKey}`);
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });
});
