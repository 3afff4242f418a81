// Every error code of the registry routes, each with its status, and 400 VALIDATION for malformed
// bodies — never a 500, random bodies included — on both engines.
import fc from 'fast-check';
import nacl from 'tweetnacl';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { heartbeatPaymentMessage, VOLUME_CAPS } from '../../service/registry/beat-chain-service.js';
import { startTestService } from '../helpers/beats-service.js';
import { describeEachEngine } from '../helpers/engines.js';
import { ADMIN_TOKEN, TestRegistry, expectError, type TestAgent } from './harness.js';

const payer = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
const PAYER = encodeBase58(payer.publicKey);
const signPayment = (agentHash: string, anchorIndex: number, secretKey = payer.secretKey) =>
  encodeBase64(nacl.sign.detached(utf8Encode(heartbeatPaymentMessage(agentHash, anchorIndex)), secretKey));

/** JSON values of every shape, with the registry's field names salted in. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e300, 2 ** 53, 1.5, '', 'x'.repeat(65), '0x' + 'ab'.repeat(32), 'pvn_x', PAYER),
    fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.constantFrom('name', 'metadata', 'spawn_authorization', 'beats_receipt', 'payer', 'payer_signature', 'payment_tx', 'global_anchor',
        'sponsored_by', 'agent_hash', 'sigil_name', 'principal', 'tier', 'identity_class', 'birth_tx', 'refused', 'reason', 'signature',
        'type', 'version', 'subject', 'kid', 'child_name', 'child_hash', 'max_heartbeats_epoch', 'expires_in_hours', 'wallet', 'action',
        'challenge', 'parent', 'x'),
      tie('value'),
      { maxKeys: 7 },
    ),
  ),
})).value;

describeEachEngine('registry: error codes', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  describe('POST /register', () => {
    it.each<[string, unknown, string]>([
      ['no body', undefined, 'body'],
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a name of 65 characters', { name: 'x'.repeat(65) }, 'name'],
      ['a numeric name', { name: 5 }, 'name'],
      ['array metadata', { name: 'a', metadata: [1] }, 'metadata'],
      ['string metadata', { name: 'a', metadata: 'x' }, 'metadata'],
      ['metadata over 4 KiB', { name: 'a', metadata: { blob: 'x'.repeat(4100) } }, 'metadata'],
      ['an unknown field', { name: 'a', parent_hash: '0x' + 'ab'.repeat(32) }, 'parent_hash'],
      ['a malformed parent', { name: 'a', parent: '0x12' }, 'parent'],
      ['an empty spawn_authorization', { name: 'a', spawn_authorization: '' }, 'spawn_authorization'],
    ])('%s → 400 VALIDATION', async (_label, body, field) => {
      const req = request(reg.app).post('/api/v1/register');
      const res = body === undefined ? await req : await req.send(body as object);
      expect(expectError(res, 400, 'VALIDATION').field).toBe(field);
    });

    it('accepts 64 characters and metadata of exactly 4 KiB', async () => {
      const blob = 'x'.repeat(4096 - JSON.stringify({ b: '' }).length);
      await request(reg.app).post('/api/v1/register').send({ name: 'n'.repeat(64), metadata: { b: blob } }).expect(201);
    });

    it('draws a new hash and key every time', async () => {
      const a = await reg.register('twin');
      const b = await reg.register('twin');
      expect(a.hash).not.toBe(b.hash);
      expect(a.apiKey).not.toBe(b.apiKey);
    });
  });

  describe('REGISTRATION_SECRET', () => {
    it('missing → 401 AUTH_MISSING, wrong → 403 FORBIDDEN, right → 201', async () => {
      const svc = await startTestService(await ctx.openFresh(), { REGISTRATION_SECRET: 'open-sesame' }, { startClock: false });
      try {
        expectError(await request(svc.app).post('/api/v1/register').send({ name: 'a' }), 401, 'AUTH_MISSING');
        expectError(await request(svc.app).post('/api/v1/register').set('x-registration-secret', 'open-sesamE').send({ name: 'a' }), 403, 'FORBIDDEN');
        expectError(await request(svc.app).post('/api/v1/register').set('x-registration-secret', 'open').send({ name: 'a' }), 403, 'FORBIDDEN');
        await request(svc.app).post('/api/v1/register').set('x-registration-secret', 'open-sesame').send({ name: 'a' }).expect(201);
      } finally {
        await svc.close();
      }
    });
  });

  it('every /agent/* route: a missing, malformed or unknown key → 401 AUTH_MISSING', async () => {
    const agent = await reg.register('keyed');
    const unknown = 'pvn_' + 'A'.repeat(43);
    for (const path of ['/api/v1/agent/init', '/api/v1/agent/heartbeat', '/api/v1/agent/resync', '/api/v1/agent/beats/submit', '/api/v1/agent/nothing']) {
      expectError(await request(reg.app).post(path).send({}), 401, 'AUTH_MISSING');
      for (const header of [`Bearer ${unknown}`, `Bearer ${agent.apiKey}x`, `Basic ${agent.apiKey}`, agent.apiKey, `Bearer ${agent.apiKey.slice(4)}`]) {
        expectError(await request(reg.app).post(path).set('authorization', header).send({}), 401, 'AUTH_MISSING');
      }
    }
    // A valid key on an unknown /agent route: 404.
    expectError(await reg.post(agent, '/api/v1/agent/nothing', {}), 404, 'NOT_FOUND');
  });

  it('503 ANCHOR_UNAVAILABLE before the first anchor', async () => {
    const svc = await startTestService(await ctx.openFresh(), {}, { startClock: false });
    try {
      const { body } = await request(svc.app).post('/api/v1/register').send({ name: 'early' }).expect(201);
      expectError(await request(svc.app).post('/api/v1/agent/init').set('authorization', `Bearer ${body.api_key}`), 503, 'ANCHOR_UNAVAILABLE');
    } finally {
      await svc.close();
    }
  });

  describe('POST /agent/init', () => {
    it('a body with fields → 400 VALIDATION; an empty object is fine', async () => {
      const agent = await reg.register('init-body');
      expectError(await reg.post(agent, '/api/v1/agent/init', { x: 1 }), 400, 'VALIDATION');
      await reg.post(agent, '/api/v1/agent/init', {}).expect(201);
    });
  });

  describe('POST /agent/heartbeat', () => {
    let agent: TestAgent;
    beforeAll(async () => {
      agent = await reg.ready('beater');
    });

    it('409 AGENT_WRONG_STATE before init', async () => {
      const fresh = await reg.register('no-chain');
      expectError(await reg.heartbeat(fresh), 409, 'AGENT_WRONG_STATE');
    });

    it('403 SIGIL_REQUIRED for a root agent without SIGIL', async () => {
      const plain = await reg.ready('plain', { withSigil: false });
      expect(expectError(await reg.heartbeat(plain), 403, 'SIGIL_REQUIRED').sigil_required).toBe(true);
    });

    it('403 HEARTBEAT_REFUSED with the reason while the complaint flag is set', async () => {
      const flagged = await reg.ready('flagged');
      await reg.refuse(flagged, true, 'impersonation').expect(200);
      expect(expectError(await reg.heartbeat(flagged), 403, 'HEARTBEAT_REFUSED').reason).toBe('impersonation');
      await reg.refuse(flagged, false).expect(200);
      await reg.heartbeat(flagged).expect(200);
    });

    it('402 PAYMENT_REQUIRED for a payer whose signature does not verify; a valid one is accepted', async () => {
      const { index } = await reg.head();
      const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(8));
      for (const body of [
        { payer: PAYER },
        { payer: PAYER, payer_signature: signPayment(agent.hash, index + 1) },
        { payer: PAYER, payer_signature: signPayment('0x' + 'cd'.repeat(32), index) },
        { payer: PAYER, payer_signature: signPayment(agent.hash, index, other.secretKey) },
        { payer: PAYER, payer_signature: 'not-base64' },
      ]) {
        expect(expectError(await reg.heartbeat(agent, body), 402, 'PAYMENT_REQUIRED').reason).toBe('invalid_payer_signature');
      }
      const res = await reg.heartbeat(agent, { payer: PAYER, payer_signature: signPayment(agent.hash, index) }).expect(200);
      expect(res.body.anchor_index).toBe(index);
      const row = await reg.svc.services.db.one('SELECT payer FROM heartbeats WHERE agent_hash = $1 AND anchor_index = $2', [agent.hash, index]);
      expect(row).toEqual({ payer: PAYER });
    });

    it('429 HEARTBEAT_TOO_SOON within one anchor, with retry_after_ms and Retry-After', async () => {
      await reg.nextAnchor();
      await reg.heartbeat(agent).expect(200);
      reg.advance(20_000);
      const res = await reg.heartbeat(agent);
      expect(expectError(res, 429, 'HEARTBEAT_TOO_SOON').retry_after_ms).toBe(40_000);
      expect(res.headers['retry-after']).toBe('40');
    });

    it('20 concurrent heartbeats at one anchor: exactly one 200, the rest 429 HEARTBEAT_TOO_SOON, counted once', async () => {
      const racer = await reg.ready('racer');
      const results = await Promise.all(Array.from({ length: 20 }, () => reg.heartbeat(racer).then((r) => r)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) expectError(r, 429, 'HEARTBEAT_TOO_SOON');
      expect((await reg.status(racer.hash)).body.beat_state.total_heartbeats).toBe(1);
    });

    it('20 concurrent inits: one chain, one 201, the rest 200 already_initialized', async () => {
      const fresh = await reg.register('init-race');
      const results = await Promise.all(Array.from({ length: 20 }, () => reg.post(fresh, '/api/v1/agent/init').then((r) => r)));
      expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
      expect(results.filter((r) => r.status === 200).every((r) => r.body.already_initialized === true)).toBe(true);
    });

    it('429 VOLUME_CAP_REACHED once the class cap of the billing epoch is used', async () => {
      await reg.nextAnchor();
      await reg.setChain(agent, { billing_epoch: 0, heartbeat_count_epoch: VOLUME_CAPS.autonomous });
      const body = expectError(await reg.heartbeat(agent), 429, 'VOLUME_CAP_REACHED');
      expect(body).toMatchObject({ volume_cap: 5000, billing_epoch: 0 });
      expect(body.retry_after_ms).toBeGreaterThan(0);
      // Nothing was recorded for the refused heartbeat.
      const { index } = await reg.head();
      expect(await reg.svc.services.db.one('SELECT 1 AS x FROM heartbeats WHERE agent_hash = $1 AND anchor_index = $2', [agent.hash, index])).toBeUndefined();
      await reg.setChain(agent, { heartbeat_count_epoch: VOLUME_CAPS.autonomous - 1 });
      expect((await reg.heartbeat(agent).expect(200)).body).toMatchObject({ heartbeat_count_epoch: 5000, volume_cap: 5000 });
    });

    it('403 AGENT_FROZEN once frozen, and for an overdue agent the switch has not swept yet (frozen on the spot)', async () => {
      const overdue = await reg.ready('overdue');
      await reg.nextAnchor();
      // As if the sweep had not run: behind 61 but still active.
      const { index } = await reg.head();
      await reg.setChain(overdue, { last_global_sync: index - 61 });
      expectError(await reg.heartbeat(overdue), 403, 'AGENT_FROZEN');
      const row = await reg.svc.services.db.one<{ status: string; frozen_at_anchor: number }>('SELECT status, frozen_at_anchor FROM beat_chains WHERE agent_hash = $1', [overdue.hash]);
      expect(row).toEqual({ status: 'frozen', frozen_at_anchor: index });
      expect(await reg.svc.services.db.query('SELECT frozen_at_anchor FROM freezes WHERE agent_hash = $1', [overdue.hash])).toEqual([{ frozen_at_anchor: index }]);
      expectError(await reg.heartbeat(overdue), 403, 'AGENT_FROZEN');
    });

    it.each<[string, unknown, string]>([
      ['a payer that is not base58 of 32 bytes', { payer: 'not-a-key' }, 'payer'],
      ['a signature without payer', { payer_signature: 'AAAA' }, 'payer'],
      ['an unknown field', { tip: 1 }, 'tip'],
      ['an array body', [1], 'body'],
    ])('%s → 400 VALIDATION', async (_label, body, field) => {
      expect(expectError(await reg.heartbeat(agent, body as Record<string, unknown>), 400, 'VALIDATION').field).toBe(field);
    });
  });

  describe('HEARTBEAT_PAYMENT=on', () => {
    it('a heartbeat without payer → 402 PAYMENT_REQUIRED; with a valid one → 200', async () => {
      const paid = await TestRegistry.start(await ctx.openFresh(), { HEARTBEAT_PAYMENT: 'on' });
      try {
        const agent = await paid.ready('paying');
        expect(expectError(await paid.heartbeat(agent, { payment_tx: 'sdk-style' }), 402, 'PAYMENT_REQUIRED').reason).toBe('payer_required');
        const { index } = await paid.head();
        await paid.heartbeat(agent, { payer: PAYER, payer_signature: signPayment(agent.hash, index) }).expect(200);
      } finally {
        await paid.close();
      }
    });
  });

  describe('POST /agent/resync', () => {
    it('409 AGENT_WRONG_STATE when not frozen, and before init', async () => {
      const agent = await reg.ready('awake');
      expect(expectError(await reg.post(agent, '/api/v1/agent/resync', {}), 409, 'AGENT_WRONG_STATE').status).toBe('active');
      const fresh = await reg.register('resync-no-chain');
      expectError(await reg.post(fresh, '/api/v1/agent/resync', {}), 409, 'AGENT_WRONG_STATE');
    });

    it('402 RECEIPT_REQUIRED without a receipt, 402 INVALID_RECEIPT with a bad one, 400 for an unknown field', async () => {
      const agent = await reg.ready('sleeper');
      await reg.nextAnchor(61);
      const price = expectError(await reg.post(agent, '/api/v1/agent/resync'), 402, 'RECEIPT_REQUIRED');
      expect(price).toMatchObject({ required_beats: 6100, gap_anchors: 61 });
      expect(expectError(await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: 'garbage' }), 402, 'INVALID_RECEIPT').reason).toBe('malformed_receipt');
      expect(expectError(await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: null }), 402, 'INVALID_RECEIPT').reason).toBe('malformed_receipt');
      expectError(await reg.post(agent, '/api/v1/agent/resync', { receipt: {} }), 400, 'VALIDATION');
    });

    it('BEATS_REQUIRED=false: a resync without receipt is free (receipt_based false)', async () => {
      const free = await TestRegistry.start(await ctx.openFresh(), { BEATS_REQUIRED: 'false' });
      try {
        const agent = await free.ready('free');
        await free.nextAnchor(70);
        const res = await free.post(agent, '/api/v1/agent/resync', {}).expect(200);
        expect(res.body).toEqual({
          ok: true, agent_hash: agent.hash, status: 'active', last_global_sync: (await free.head()).index, gap_anchors: 70,
          required_beats: 7000, beats_proven: 0, receipt_based: false,
        });
        await free.heartbeat(agent).expect(200);
      } finally {
        await free.close();
      }
    });
  });

  describe('POST /agent/beats/submit', () => {
    it('400 without a receipt (or in the SDK\'s {proof} form), 409 before init, 403 AGENT_FROZEN when frozen', async () => {
      const agent = await reg.ready('submitter');
      expect(expectError(await reg.post(agent, '/api/v1/agent/beats/submit', {}), 400, 'VALIDATION').field).toBe('beats_receipt');
      expect(expectError(await reg.post(agent, '/api/v1/agent/beats/submit', { proof: {} }), 400, 'VALIDATION').field).toBe('proof');
      const fresh = await reg.register('submit-no-chain');
      expectError(await reg.post(fresh, '/api/v1/agent/beats/submit', { beats_receipt: {} }), 409, 'AGENT_WRONG_STATE');
      await reg.nextAnchor(61);
      const receipt = await reg.receipt(agent.hash, 3);
      expectError(await reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }), 403, 'AGENT_FROZEN');
    });
  });

  describe('admin: /sigil and /refuse', () => {
    const admin = (path: string, body: unknown, token = ADMIN_TOKEN) =>
      request(reg.app).post(`/api/v1/admin/${path}`).set('authorization', `Bearer ${token}`).send(body as object);

    it('401 without a token, 403 with a wrong one, 404 AGENT_NOT_FOUND for an unknown agent', async () => {
      const body = { agent_hash: '0x' + 'ef'.repeat(32), sigil_name: 'a', principal: 'b', tier: 'sov', identity_class: 'orchestrator' };
      expectError(await request(reg.app).post('/api/v1/admin/sigil').send(body), 401, 'AUTH_MISSING');
      expectError(await admin('sigil', body, 'wrong-token-wrong-token'), 403, 'FORBIDDEN');
      expectError(await admin('sigil', body), 404, 'AGENT_NOT_FOUND');
      expectError(await admin('refuse', { agent_hash: body.agent_hash, refused: true }), 404, 'AGENT_NOT_FOUND');
    });

    it.each<[string, string, Record<string, unknown>, string]>([
      ['a bad tier', 'sigil', { tier: 'gold' }, 'tier'],
      ['a bad class', 'sigil', { identity_class: 'boss' }, 'identity_class'],
      ['a name with *', 'sigil', { sigil_name: 'a*b' }, 'sigil_name'],
      ['an empty principal', 'sigil', { principal: '' }, 'principal'],
      ['a bad hash', 'sigil', { agent_hash: '0x12' }, 'agent_hash'],
      ['refused not boolean', 'refuse', { refused: 'yes' }, 'refused'],
      ['an unknown field', 'refuse', { refused: true, why: 'x' }, 'why'],
    ])('%s → 400 VALIDATION', async (_label, path, fields, field) => {
      const agent = await reg.register('admin-target');
      const base = path === 'sigil'
        ? { agent_hash: agent.hash, sigil_name: 'a', principal: 'b', tier: 'sov', identity_class: 'orchestrator' }
        : { agent_hash: agent.hash };
      expect(expectError(await admin(path, { ...base, ...fields }), 400, 'VALIDATION').field).toBe(field);
    });

    it('sets the SIGIL name*principal*tier; reissuing replaces it', async () => {
      const agent = await reg.register('sigiled');
      const res = await admin('sigil', { agent_hash: agent.hash, sigil_name: 'n1', principal: 'acme', tier: 'sov', identity_class: 'orchestrator', birth_tx: 'Tx1' }).expect(200);
      expect(res.body).toMatchObject({ ok: true, agent_hash: agent.hash, sigil: { sigil: 'n1*acme*sov', birth_tx: 'Tx1' } });
      await admin('sigil', { agent_hash: agent.hash, sigil_name: 'n2', principal: 'acme', tier: 'org', identity_class: 'narrow_task' }).expect(200);
      expect((await reg.status(agent.hash)).body).toMatchObject({ sigil: 'n2*acme*org', tier: 'org', identity_class: 'narrow_task', tx_signature: null });
    });
  });

  it('random bodies on every POST route: a 2xx or a 4xx with a code, never a 5xx', async () => {
    const agent = await reg.ready('fuzzed');
    const routes: Array<[string, (body: string) => request.Test]> = [
      ['/api/v1/register', (b) => request(reg.app).post('/api/v1/register').set('content-type', 'application/json').send(b)],
      ...['/api/v1/agent/init', '/api/v1/agent/heartbeat', '/api/v1/agent/beats/submit', '/api/v1/agent/resync', '/api/v1/agent/spawn',
        '/api/v1/agent/sponsor', '/api/v1/agent/wallet'].map(
        (path): [string, (body: string) => request.Test] => [path, (b) => reg.post(agent, path).set('content-type', 'application/json').send(b)],
      ),
      ...['sigil', 'refuse'].map((path): [string, (body: string) => request.Test] => [
        path, (b) => request(reg.app).post(`/api/v1/admin/${path}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).set('content-type', 'application/json').send(b),
      ]),
    ];
    const bodies = fc.sample(
      fc.oneof(
        jsonish, fc.record({ beats_receipt: jsonish }), fc.record({ name: jsonish, metadata: jsonish }), fc.record({ payer: jsonish, payer_signature: jsonish }),
        fc.record({ child_name: jsonish, beats_receipt: jsonish }), fc.record({ child_hash: jsonish, max_heartbeats_epoch: jsonish, expires_in_hours: jsonish }),
        fc.record({ wallet: jsonish, signature: jsonish }),
      ),
      { numRuns: 500, seed: 4 },
    );
    for (const [i, body] of bodies.entries()) {
      const [path, send] = routes[i % routes.length];
      const res = await send(JSON.stringify(body));
      const label = `${path} ${JSON.stringify(body).slice(0, 160)} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
      expect(res.status, label).toBeLessThan(500);
      if (res.status >= 400) expect(typeof res.body.code, label).toBe('string');
    }
    // Invalid JSON and wrong content types on the registry routes too.
    expectError(await reg.post(agent, '/api/v1/agent/heartbeat').set('content-type', 'application/json').send('{"payer":'), 400, 'INVALID_JSON');
    expectError(await request(reg.app).post('/api/v1/register').set('content-type', 'text/plain').send('name=x'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
