// Linking a wallet (challenge, Ed25519 signature, used once) and rotating an API key, over HTTP on
// both engines, with every refusal.
import nacl from 'tweetnacl';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { NODE_ED25519_BACKEND } from '../../service/ed25519-node.js';
import { walletLinkMessage } from '../../service/registry/wallet-service.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError, testWallet, type TestAgent } from './harness.js';

const iso = (ms: number) => new Date(ms).toISOString();

describeEachEngine('registry: wallets and key rotation', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  const wallet = (agent: TestAgent, body: unknown) => reg.post(agent, '/api/v1/agent/wallet', body);
  const challenge = async (agent: TestAgent): Promise<string> => (await wallet(agent, { action: 'challenge' }).expect(200)).body.challenge;
  const sign = (agent: TestAgent, keys: nacl.SignKeyPair, ch: string, address = encodeBase58(keys.publicKey)) =>
    encodeBase64(nacl.sign.detached(utf8Encode(walletLinkMessage(agent.hash, address, ch)), keys.secretKey));

  describe('POST /agent/wallet', () => {
    it('challenge → {challenge, expires_at} (random, 5 minutes); signed → linked; status shows it', async () => {
      const agent = await reg.register('linker');
      const t = reg.now();
      const res = await wallet(agent, { action: 'challenge' }).expect(200);
      expect(res.body).toEqual({ ok: true, challenge: expect.stringMatching(/^[0-9a-f]{64}$/), expires_at: iso(t + 5 * 60_000) });
      expect((await wallet(agent, { action: 'challenge' })).body.challenge).not.toBe(res.body.challenge);

      const keys = testWallet(1);
      const address = encodeBase58(keys.publicKey);
      // The message: utf8 of beats-wallet-link:v1:<agent_hash>:<wallet>:<challenge>.
      expect(walletLinkMessage(agent.hash, address, res.body.challenge)).toBe(`beats-wallet-link:v1:${agent.hash}:${address}:${res.body.challenge}`);
      const linked = await wallet(agent, { wallet: address, signature: sign(agent, keys, res.body.challenge), challenge: res.body.challenge }).expect(200);
      expect(linked.body).toEqual({ ok: true, agent_hash: agent.hash, wallet: address, wallet_chain: 'solana', wallet_model: 'operator', linked_at: iso(t) });
      expect((await reg.status(agent.hash)).body).toMatchObject({ wallet: address, wallet_chain: 'solana', wallet_model: 'operator' });
    });

    it('without `challenge` the newest one is answered; linking again replaces the wallet', async () => {
      const agent = await reg.register('relinker');
      const first = await reg.linkWallet(agent, testWallet(2));
      const ch = await challenge(agent);
      const keys = testWallet(3);
      await wallet(agent, { wallet: encodeBase58(keys.publicKey), signature: sign(agent, keys, ch) }).expect(200);
      const status = (await reg.status(agent.hash)).body;
      expect(status.wallet).toBe(encodeBase58(keys.publicKey));
      expect(status.wallet).not.toBe(first);
    });

    it('a challenge is used once (400 VALIDATION challenge_used)', async () => {
      const agent = await reg.register('replayer');
      const keys = testWallet(4);
      const ch = await challenge(agent);
      const body = { wallet: encodeBase58(keys.publicKey), signature: sign(agent, keys, ch), challenge: ch };
      await wallet(agent, body).expect(200);
      expect(expectError(await wallet(agent, body), 400, 'VALIDATION')).toMatchObject({ field: 'challenge', reason: 'challenge_used' });
    });

    it('20 concurrent links with one challenge: exactly one succeeds', async () => {
      const agent = await reg.register('racer');
      const ch = await challenge(agent);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const keys = testWallet(100 + i);
          return wallet(agent, { wallet: encodeBase58(keys.publicKey), signature: sign(agent, keys, ch), challenge: ch });
        }),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      for (const res of results.filter((r) => r.status !== 200)) expect([res.status, res.body.reason]).toEqual([400, 'challenge_used']);
    });

    it('an expired challenge (5 minutes) → 400 VALIDATION challenge_expired', async () => {
      const agent = await reg.register('late-signer');
      const keys = testWallet(5);
      const ch = await challenge(agent);
      reg.advance(5 * 60_000);
      const res = await wallet(agent, { wallet: encodeBase58(keys.publicKey), signature: sign(agent, keys, ch), challenge: ch });
      expect(expectError(res, 400, 'VALIDATION')).toMatchObject({ field: 'challenge', reason: 'challenge_expired' });
    });

    it("no challenge, or another agent's → 400 VALIDATION challenge_unknown", async () => {
      const agent = await reg.register('no-challenge');
      const other = await reg.register('other-challenger');
      const keys = testWallet(6);
      const address = encodeBase58(keys.publicKey);
      expect(expectError(await wallet(agent, { wallet: address, signature: sign(agent, keys, 'x') }), 400, 'VALIDATION').reason).toBe('challenge_unknown');
      const theirs = await challenge(other);
      const res = await wallet(agent, { wallet: address, signature: sign(agent, keys, theirs), challenge: theirs });
      expect(expectError(res, 400, 'VALIDATION').reason).toBe('challenge_unknown');
    });

    it('a signature that does not verify → 400 VALIDATION bad_signature (another key, another agent, another wallet, garbage)', async () => {
      const agent = await reg.register('bad-signer');
      const other = await reg.register('bad-signer-2');
      const keys = testWallet(7);
      const address = encodeBase58(keys.publicKey);
      const ch = await challenge(agent);
      for (const signature of [
        sign(agent, testWallet(8), ch, address), // signed by a key that is not the wallet
        sign(other, keys, ch), // another agent's message
        sign(agent, keys, ch, encodeBase58(testWallet(9).publicKey)), // another wallet's message
        'not-base64!',
        encodeBase64(new Uint8Array(64)),
      ]) {
        expect(expectError(await wallet(agent, { wallet: address, signature, challenge: ch }), 400, 'VALIDATION')).toMatchObject({ field: 'signature', reason: 'bad_signature' });
      }
      // The challenge was not used up by the failures.
      await wallet(agent, { wallet: address, signature: sign(agent, keys, ch), challenge: ch }).expect(200);
    });

    it('a small-order key is refused even where a forged signature verifies for every message', async () => {
      const agent = await reg.register('small-order');
      const ch = await challenge(agent);
      const identity = new Uint8Array(32);
      identity[0] = 1; // the neutral point: R = identity, S = 0 verifies for any message under it
      const forged = new Uint8Array(64);
      forged[0] = 1;
      const address = encodeBase58(identity);
      expect(NODE_ED25519_BACKEND.verify(utf8Encode(walletLinkMessage(agent.hash, address, ch)), forged, identity)).toBe(true);
      const res = await wallet(agent, { wallet: address, signature: encodeBase64(forged), challenge: ch });
      expect(expectError(res, 400, 'VALIDATION').reason).toBe('bad_signature');
      expect((await reg.status(agent.hash)).body.wallet).toBeNull();
    });

    it.each<[string, unknown, string]>([
      ['no body', undefined, 'body'],
      ['an empty object', {}, 'wallet'],
      ['another action', { action: 'link' }, 'action'],
      ['a challenge request with a wallet', { action: 'challenge', wallet: encodeBase58(testWallet(1).publicKey) }, 'action'],
      ['a wallet that is not base58 of 32 bytes', { wallet: 'not-a-key', signature: 'AAAA' }, 'wallet'],
      ['a wallet of 31 bytes', { wallet: encodeBase58(new Uint8Array(31).fill(1)), signature: 'AAAA' }, 'wallet'],
      ['no signature', { wallet: encodeBase58(testWallet(1).publicKey) }, 'signature'],
      ['a malformed challenge', { wallet: encodeBase58(testWallet(1).publicKey), signature: 'AAAA', challenge: 'xyz' }, 'challenge'],
      ['an unknown field', { action: 'challenge', chain: 'solana' }, 'chain'],
    ])('400 VALIDATION: %s', async (_label, body, field) => {
      const agent = await reg.register('wallet-validation');
      const req = reg.post(agent, '/api/v1/agent/wallet');
      const res = body === undefined ? await req : await req.send(body as object);
      expect(expectError(res, 400, 'VALIDATION').field).toBe(field);
    });

    it('401 AUTH_MISSING without an API key', async () => {
      expectError(await request(reg.app).post('/api/v1/agent/wallet').send({ action: 'challenge' }), 401, 'AUTH_MISSING');
    });
  });

  describe('POST /agent/key/rotate', () => {
    it('answers a new key once; the old key is 401 at once, the new one works', async () => {
      const agent = await reg.ready('rotator');
      const t = reg.now();
      const res = await reg.post(agent, '/api/v1/agent/key/rotate').expect(200);
      expect(res.body).toEqual({ ok: true, agent_hash: agent.hash, api_key: expect.stringMatching(/^pvn_[A-Za-z0-9_-]{43}$/), rotated_at: iso(t), sponsorships_revoked: 0 });
      expect(res.body.api_key).not.toBe(agent.apiKey);
      expectError(await reg.post(agent, '/api/v1/agent/init'), 401, 'AUTH_MISSING');
      expectError(await reg.post(agent, '/api/v1/agent/key/rotate'), 401, 'AUTH_MISSING');
      const rotated = { hash: agent.hash, apiKey: res.body.api_key };
      expect((await reg.post(rotated, '/api/v1/agent/init').expect(200)).body).toMatchObject({ already_initialized: true, agent_hash: agent.hash });
      await reg.heartbeat(rotated).expect(200);
    });

    it('two concurrent rotations with one key: one new key, the other request 401', async () => {
      const agent = await reg.register('double-rotator');
      const results = await Promise.all([reg.post(agent, '/api/v1/agent/key/rotate'), reg.post(agent, '/api/v1/agent/key/rotate')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!.body.api_key;
      await reg.post({ hash: agent.hash, apiKey: winner }, '/api/v1/agent/init').expect(201);
    });

    it('400 VALIDATION for a body with fields; 401 without a key', async () => {
      const agent = await reg.register('rotate-validation');
      expect(expectError(await reg.post(agent, '/api/v1/agent/key/rotate', { api_key: 'mine' }), 400, 'VALIDATION').field).toBe('api_key');
      expectError(await request(reg.app).post('/api/v1/agent/key/rotate'), 401, 'AUTH_MISSING');
    });
  });
});
