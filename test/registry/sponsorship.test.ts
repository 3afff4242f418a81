// Parent-sponsored heartbeats (seed 003) over HTTP on both engines: POST (create, update), DELETE,
// GET; every error code by its own test; who pays a heartbeat (own wallet, sponsor, refusals with
// their reason); the epoch cap (the 11th sponsored heartbeat of a cap of 10 is 402) and its reset;
// expiry; auto-revocation by a freeze of either party and by the child's key rotation.
import request from 'supertest';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { heartbeatPaymentMessage } from '../../service/registry/beat-chain-service.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, testWallet, type TestAgent } from './harness.js';

const iso = (ms: number) => new Date(ms).toISOString();

describeEachEngine('registry: sponsorship', (ctx) => {
  let reg: TestRegistry;
  let walletByte = 10;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  /** A child of `parent` (paid from the parent's available beats), initialized, ready to heartbeat without a SIGIL. */
  async function child(parent: TestAgent, name: string): Promise<TestAgent> {
    await reg.setChain(parent, { available_beats: 1_000_000 });
    const auth = await reg.spawn(parent, { child_name: name }).expect(200);
    const kid = await reg.registerChild(parent, name, auth.body.spawn_authorization);
    await reg.spawn(parent, { child_name: name, child_hash: kid.hash }).expect(200);
    await reg.init(kid);
    return kid;
  }

  /** A parent with a linked wallet and one initialized child. */
  async function family(name: string) {
    const parent = await reg.ready(name, { withSigil: false });
    const keys = testWallet(walletByte++);
    const address = await reg.linkWallet(parent, keys);
    const kid = await child(parent, `${name}-kid`);
    return { parent, keys, address, kid };
  }

  const sponsor = (agent: TestAgent, body: Record<string, unknown>) => reg.post(agent, '/api/v1/agent/sponsor', body);
  const unsponsor = (agent: TestAgent, body: unknown) =>
    request(reg.app).delete('/api/v1/agent/sponsor').set('authorization', `Bearer ${agent.apiKey}`).send(body as object);
  const list = (agent: TestAgent) => request(reg.app).get('/api/v1/agent/sponsor').set('authorization', `Bearer ${agent.apiKey}`);

  /** A heartbeat of `agent` paid by `keys` (signed over the current anchor); asserts `status` when given. */
  async function paidHeartbeat(agent: TestAgent, keys: nacl.SignKeyPair, status?: number): Promise<request.Response> {
    const { index } = await reg.head();
    const signature = encodeBase64(nacl.sign.detached(utf8Encode(heartbeatPaymentMessage(agent.hash, index)), keys.secretKey));
    const res = await reg.heartbeat(agent, { payer: encodeBase58(keys.publicKey), payer_signature: signature });
    if (status !== undefined) expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res;
  }

  describe('POST, GET, DELETE /agent/sponsor', () => {
    it("POST creates with the seed's defaults (cap 100, no expiry), and with max_heartbeats_epoch and expires_in_hours", async () => {
      const { parent, kid } = await family('creator');
      const t = reg.now();
      const res = await sponsor(parent, { child_hash: kid.hash }).expect(200);
      expect(res.body).toEqual({
        ok: true,
        sponsorship: {
          parent_hash: parent.hash, child_hash: kid.hash, status: 'active', max_heartbeats_epoch: 100, heartbeats_used_epoch: 0,
          expires_at: null, created_at: iso(t), revoked_at: null, revoked_reason: null,
        },
      });
      const other = await child(parent, 'creator-kid-2');
      const res2 = await sponsor(parent, { child_hash: other.hash.toUpperCase().replace('0X', '0x'), max_heartbeats_epoch: 500, expires_in_hours: 720 }).expect(200);
      expect(res2.body.sponsorship).toMatchObject({ child_hash: other.hash, max_heartbeats_epoch: 500, expires_at: iso(t + 720 * 3_600_000) });
    });

    it('POST again updates (cap, expiry) and keeps the epoch usage and created_at', async () => {
      const { parent, kid, keys } = await family('updater');
      const t = reg.now();
      await sponsor(parent, { child_hash: kid.hash, max_heartbeats_epoch: 5 }).expect(200);
      await paidHeartbeat(kid, keys, 200);
      reg.advance(1000);
      const res = await sponsor(parent, { child_hash: kid.hash, max_heartbeats_epoch: 7, expires_in_hours: 1.5 }).expect(200);
      expect(res.body.sponsorship).toMatchObject({
        status: 'active', max_heartbeats_epoch: 7, heartbeats_used_epoch: 1, created_at: iso(t), expires_at: iso(t + 1000 + 5_400_000),
      });
    });

    it('GET lists every sponsorship of the parent with its status (active, expired, revoked); DELETE revokes', async () => {
      const { parent, kid } = await family('lister');
      const k2 = await child(parent, 'lister-2');
      const k3 = await child(parent, 'lister-3');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await sponsor(parent, { child_hash: k2.hash, expires_in_hours: 1 }).expect(200);
      await sponsor(parent, { child_hash: k3.hash }).expect(200);
      expect((await unsponsor(parent, { child_hash: k3.hash }).expect(200)).body).toEqual({ ok: true, revoked: true });
      reg.advance(3_600_000);
      const res = await list(parent).expect(200);
      expect(res.body.ok).toBe(true);
      const byChild = Object.fromEntries(res.body.sponsorships.map((s: { child_hash: string }) => [s.child_hash, s]));
      expect(Object.keys(byChild).sort()).toEqual([kid.hash, k2.hash, k3.hash].sort());
      expect(byChild[kid.hash]).toMatchObject({ status: 'active', parent_hash: parent.hash });
      expect(byChild[k2.hash]).toMatchObject({ status: 'expired' });
      expect(byChild[k3.hash]).toMatchObject({ status: 'revoked', revoked_reason: 'parent', revoked_at: expect.any(String) });
      // Another agent sees only its own.
      expect((await list(kid).expect(200)).body).toEqual({ ok: true, sponsorships: [] });
    });

    it('a revoked sponsorship is reactivated by POST', async () => {
      const { parent, kid, keys } = await family('reviver');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await unsponsor(parent, { child_hash: kid.hash }).expect(200);
      expect(expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('sponsorship_revoked');
      expect((await sponsor(parent, { child_hash: kid.hash }).expect(200)).body.sponsorship).toMatchObject({ status: 'active', revoked_at: null });
      await paidHeartbeat(kid, keys, 200);
    });
  });

  describe('error codes (seed 003)', () => {
    it('401 AUTH_MISSING on POST, DELETE and GET without a key', async () => {
      expectError(await request(reg.app).post('/api/v1/agent/sponsor').send({ child_hash: '0x' + 'ab'.repeat(32) }), 401, 'AUTH_MISSING');
      expectError(await request(reg.app).delete('/api/v1/agent/sponsor').send({ child_hash: '0x' + 'ab'.repeat(32) }), 401, 'AUTH_MISSING');
      expectError(await request(reg.app).get('/api/v1/agent/sponsor'), 401, 'AUTH_MISSING');
    });

    it('403 WALLET_REQUIRED: the parent has no linked wallet', async () => {
      const parent = await reg.ready('walletless', { withSigil: false });
      const kid = await child(parent, 'walletless-kid');
      expectError(await sponsor(parent, { child_hash: kid.hash }), 403, 'WALLET_REQUIRED');
    });

    it('403 SPONSOR_PARENT_FROZEN: the parent is frozen (or overdue: frozen on the spot)', async () => {
      const { parent, kid } = await family('cold-parent');
      const { index } = await reg.head();
      await reg.setChain(parent, { last_global_sync: index - 61 });
      expectError(await sponsor(parent, { child_hash: kid.hash }), 403, 'SPONSOR_PARENT_FROZEN');
      expect((await reg.status(parent.hash)).body.status).toBe('frozen');
      expectError(await sponsor(parent, { child_hash: kid.hash }), 403, 'SPONSOR_PARENT_FROZEN');
    });

    it('400 SPONSOR_INVALID: not a direct child (a grandchild, a sibling, a root)', async () => {
      const { parent, kid } = await family('lineage');
      await reg.linkWallet(kid, testWallet(walletByte++));
      const grandchild = await child(kid, 'grandchild');
      const stranger = await reg.register('stranger');
      for (const target of [grandchild, stranger]) {
        expect(expectError(await sponsor(parent, { child_hash: target.hash }), 400, 'SPONSOR_INVALID').reason).toBe('not_direct_child');
      }
      // A child cannot sponsor its parent or its sibling either.
      const sibling = await child(parent, 'lineage-sibling');
      expect(expectError(await sponsor(kid, { child_hash: parent.hash }), 400, 'SPONSOR_INVALID').reason).toBe('not_direct_child');
      expect(expectError(await sponsor(kid, { child_hash: sibling.hash }), 400, 'SPONSOR_INVALID').reason).toBe('not_direct_child');
      await sponsor(kid, { child_hash: grandchild.hash }).expect(200);
    });

    it('400 SPONSOR_INVALID: an agent cannot sponsor itself', async () => {
      const { parent } = await family('narcissus');
      expect(expectError(await sponsor(parent, { child_hash: parent.hash }), 400, 'SPONSOR_INVALID').reason).toBe('self');
    });

    it('404 AGENT_NOT_FOUND: the child is unknown', async () => {
      const { parent } = await family('orphanage');
      expectError(await sponsor(parent, { child_hash: '0x' + 'cd'.repeat(32) }), 404, 'AGENT_NOT_FOUND');
    });

    it('404 SPONSOR_NOT_FOUND: DELETE with no active sponsorship (none, already revoked, expired)', async () => {
      const { parent, kid } = await family('deleter');
      expectError(await unsponsor(parent, { child_hash: kid.hash }), 404, 'SPONSOR_NOT_FOUND');
      await sponsor(parent, { child_hash: kid.hash, expires_in_hours: 1 }).expect(200);
      reg.advance(3_600_000);
      expectError(await unsponsor(parent, { child_hash: kid.hash }), 404, 'SPONSOR_NOT_FOUND');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await unsponsor(parent, { child_hash: kid.hash }).expect(200);
      expectError(await unsponsor(parent, { child_hash: kid.hash }), 404, 'SPONSOR_NOT_FOUND');
    });

    it.each<[string, Record<string, unknown> | undefined, string]>([
      ['no body', undefined, 'body'],
      ['no child_hash', { child_hash: undefined }, 'child_hash'],
      ['a short child_hash', { child_hash: '0xabc' }, 'child_hash'],
      ['a child_hash without 0x', { child_hash: 'ab'.repeat(32) }, 'child_hash'],
      ['max_heartbeats_epoch 0', { max_heartbeats_epoch: 0 }, 'max_heartbeats_epoch'],
      ['max_heartbeats_epoch 10 001', { max_heartbeats_epoch: 10_001 }, 'max_heartbeats_epoch'],
      ['max_heartbeats_epoch 1.5', { max_heartbeats_epoch: 1.5 }, 'max_heartbeats_epoch'],
      ['max_heartbeats_epoch as a string', { max_heartbeats_epoch: '10' }, 'max_heartbeats_epoch'],
      ['expires_in_hours 0.5', { expires_in_hours: 0.5 }, 'expires_in_hours'],
      ['expires_in_hours negative', { expires_in_hours: -1 }, 'expires_in_hours'],
      ['expires_in_hours as a string', { expires_in_hours: '24' }, 'expires_in_hours'],
      ['an unknown field', { tip: 1 }, 'tip'],
    ])('400 VALIDATION on POST: %s', async (_label, fields, field) => {
      const { parent, kid } = await family('validator');
      const req = reg.post(parent, '/api/v1/agent/sponsor');
      const body = fields === undefined ? undefined : { child_hash: kid.hash, ...fields };
      const res = body === undefined ? await req : await req.send(body);
      expect(expectError(res, 400, 'VALIDATION').field).toBe(field);
    });

    it('400 VALIDATION on DELETE: no or a bad child_hash', async () => {
      const { parent } = await family('delete-validator');
      expect(expectError(await unsponsor(parent, {}), 400, 'VALIDATION').field).toBe('child_hash');
      expect(expectError(await unsponsor(parent, { child_hash: 'x' }), 400, 'VALIDATION').field).toBe('child_hash');
    });

    it('405 for other methods', async () => {
      const { parent } = await family('put');
      const res = await request(reg.app).put('/api/v1/agent/sponsor').set('authorization', `Bearer ${parent.apiKey}`).send({});
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
    });
  });

  describe('who pays a heartbeat', () => {
    it("the parent's wallet pays a sponsored child's heartbeat, counted in heartbeats_used_epoch", async () => {
      const { parent, kid, keys } = await family('payer');
      await sponsor(parent, { child_hash: kid.hash, max_heartbeats_epoch: 3 }).expect(200);
      const res = await paidHeartbeat(kid, keys, 200);
      expect(res.body).toMatchObject({ ok: true, agent_hash: kid.hash, sponsor: { parent_hash: parent.hash, heartbeats_used_epoch: 1, max_heartbeats_epoch: 3 } });
      const row = await reg.svc.services.db.one('SELECT payer, sponsor_hash FROM heartbeats WHERE agent_hash = $1', [kid.hash]);
      expect(row).toEqual({ payer: encodeBase58(keys.publicKey), sponsor_hash: parent.hash });
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(1);
    });

    it("the child's own linked wallet pays normally: not charged to the sponsorship", async () => {
      const { parent, kid } = await family('self-payer');
      const own = testWallet(walletByte++);
      await reg.linkWallet(kid, own);
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      expect((await paidHeartbeat(kid, own, 200)).body.sponsor).toBeNull();
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(0);
    });

    it('402 PAYMENT_REQUIRED no_sponsorship: a child paid by its parent without a sponsorship', async () => {
      const { kid, keys } = await family('unsponsored');
      expect(expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('no_sponsorship');
      // Its own wallet, once linked, pays.
      const own = testWallet(walletByte++);
      await reg.linkWallet(kid, own);
      await paidHeartbeat(kid, own, 200);
    });

    it('402 PAYMENT_REQUIRED payer_mismatch: a payer that is neither the child nor its sponsor', async () => {
      const { parent, kid } = await family('mismatch');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      expect(expectError(await paidHeartbeat(kid, testWallet(250)), 402, 'PAYMENT_REQUIRED').reason).toBe('payer_mismatch');
      // A root with a linked wallet pays only with it; without one, any payer whose signature verifies (part 1).
      const root = await reg.ready('walleted-root');
      const rootKeys = testWallet(walletByte++);
      await reg.linkWallet(root, rootKeys);
      expect(expectError(await paidHeartbeat(root, testWallet(251)), 402, 'PAYMENT_REQUIRED').reason).toBe('payer_mismatch');
      await paidHeartbeat(root, rootKeys, 200);
      const plainRoot = await reg.ready('plain-root');
      await paidHeartbeat(plainRoot, testWallet(252), 200);
    });

    it("the payer signature still applies: the sponsor's wallet with a bad signature is 402 invalid_payer_signature", async () => {
      const { parent, kid, keys } = await family('bad-sig');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      const res = await reg.heartbeat(kid, { payer: encodeBase58(keys.publicKey), payer_signature: encodeBase64(new Uint8Array(64)) });
      expect(expectError(res, 402, 'PAYMENT_REQUIRED').reason).toBe('invalid_payer_signature');
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(0);
    });

    it('the epoch cap: with max 10, the 11th sponsored heartbeat of the epoch is 402 sponsorship_cap_reached; a new epoch starts at 1', async () => {
      const { parent, kid, keys } = await family('capped');
      await sponsor(parent, { child_hash: kid.hash, max_heartbeats_epoch: 10 }).expect(200);
      for (let i = 1; i <= 10; i++) {
        expect((await paidHeartbeat(kid, keys, 200)).body.sponsor.heartbeats_used_epoch).toBe(i);
        await reg.nextAnchor();
      }
      const refused = expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED');
      expect(refused).toMatchObject({ reason: 'sponsorship_cap_reached', max_heartbeats_epoch: 10, billing_epoch: 0 });
      expect((await reg.status(kid.hash)).body.beat_state.total_heartbeats).toBe(10);
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(10);
      // Raising the cap lets the 11th through.
      await sponsor(parent, { child_hash: kid.hash, max_heartbeats_epoch: 11 }).expect(200);
      expect((await paidHeartbeat(kid, keys, 200)).body.sponsor.heartbeats_used_epoch).toBe(11);
      // As if those 11 were counted in the previous billing epoch: this epoch starts again at 1.
      await reg.svc.services.db.run('UPDATE sponsorships SET billing_epoch = billing_epoch - 1 WHERE child_hash = $1', [kid.hash]);
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(0);
      await reg.nextAnchor();
      expect((await paidHeartbeat(kid, keys, 200)).body.sponsor.heartbeats_used_epoch).toBe(1);
    });

    it('a refused heartbeat charges nothing (a second heartbeat at one anchor is 429, the count stays)', async () => {
      const { parent, kid, keys } = await family('too-soon');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await paidHeartbeat(kid, keys, 200);
      expectError(await paidHeartbeat(kid, keys), 429, 'HEARTBEAT_TOO_SOON');
      expect((await list(parent)).body.sponsorships[0].heartbeats_used_epoch).toBe(1);
    });

    it('an expired sponsorship pays nothing: 402 sponsorship_expired', async () => {
      const { parent, kid, keys } = await family('expiring');
      await sponsor(parent, { child_hash: kid.hash, expires_in_hours: 1 }).expect(200);
      await paidHeartbeat(kid, keys, 200);
      reg.advance(3_600_000);
      await reg.nextAnchor();
      expect(expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('sponsorship_expired');
    });

    it('a revoked sponsorship pays nothing: 402 sponsorship_revoked', async () => {
      const { parent, kid, keys } = await family('revoked');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await unsponsor(parent, { child_hash: kid.hash }).expect(200);
      expect(expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('sponsorship_revoked');
    });
  });

  describe('auto-revocation', () => {
    it('the switch freezing the parent revokes its sponsorships (reason frozen); the child then pays nothing through it', async () => {
      const { parent, kid, keys } = await family('frozen-sponsor');
      const other = await child(parent, 'frozen-sponsor-2');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await sponsor(parent, { child_hash: other.hash }).expect(200);
      const { index } = await reg.head();
      await reg.setChain(parent, { last_global_sync: index - 60 });
      await reg.nextAnchor(); // the sweep freezes the parent only
      expect((await reg.status(parent.hash)).body.status).toBe('frozen');
      const rows = (await list(parent)).body.sponsorships;
      expect(rows.map((s: { status: string; revoked_reason: string }) => [s.status, s.revoked_reason])).toEqual([['revoked', 'frozen'], ['revoked', 'frozen']]);
      expect(expectError(await paidHeartbeat(kid, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('sponsorship_revoked');
    });

    it('the switch freezing the child revokes its sponsorship', async () => {
      const { parent, kid } = await family('frozen-child');
      const sibling = await child(parent, 'frozen-child-sibling');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      await sponsor(parent, { child_hash: sibling.hash }).expect(200);
      const { index } = await reg.head();
      await reg.setChain(kid, { last_global_sync: index - 60 });
      await reg.nextAnchor();
      expect((await reg.status(kid.hash)).body.status).toBe('frozen');
      const byChild = Object.fromEntries((await list(parent)).body.sponsorships.map((s: { child_hash: string; status: string }) => [s.child_hash, s.status]));
      expect(byChild).toEqual({ [kid.hash]: 'revoked', [sibling.hash]: 'active' });
    });

    it("a freeze on the spot (an overdue child's heartbeat) revokes too", async () => {
      const { parent, kid, keys } = await family('lazy-freeze');
      await sponsor(parent, { child_hash: kid.hash }).expect(200);
      const { index } = await reg.head();
      await reg.setChain(kid, { last_global_sync: index - 61 });
      expectError(await paidHeartbeat(kid, keys), 403, 'AGENT_FROZEN');
      expect((await list(parent)).body.sponsorships[0]).toMatchObject({ status: 'revoked', revoked_reason: 'frozen' });
    });

    it("the child's key rotation revokes its sponsorship (the parent's does not)", async () => {
      const { parent, kid, keys } = await family('rotating');
      const grandKid = await (async () => {
        await sponsor(parent, { child_hash: kid.hash }).expect(200);
        await reg.linkWallet(kid, testWallet(walletByte++));
        const g = await child(kid, 'rotating-grandkid');
        await sponsor(kid, { child_hash: g.hash }).expect(200);
        return g;
      })();
      // The child rotates: its sponsorship (as a child) is revoked, the one it gives (as a parent) is not.
      const rotated = await reg.post(kid, '/api/v1/agent/key/rotate').expect(200);
      expect(rotated.body.sponsorships_revoked).toBe(1);
      expect((await list(parent)).body.sponsorships[0]).toMatchObject({ status: 'revoked', revoked_reason: 'key_rotated' });
      const kidNow = { hash: kid.hash, apiKey: rotated.body.api_key };
      expect((await list(kidNow)).body.sponsorships[0]).toMatchObject({ child_hash: grandKid.hash, status: 'active' });
      expect(expectError(await paidHeartbeat(kidNow, keys), 402, 'PAYMENT_REQUIRED').reason).toBe('sponsorship_revoked');
      // The parent rotates: nothing of its own is revoked.
      expect((await reg.post(parent, '/api/v1/agent/key/rotate').expect(200)).body.sponsorships_revoked).toBe(0);
    });
  });
});
