// The SDK's registry client against a listening registry driven by the test clock: the life of an
// agent in SDK calls, resync() paying with a real proof, and the heartbeat loop's back-off.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { AgentClient, registerAgent } from '../../shared/sdk/agent-client.js';
import { BeatsClient } from '../../shared/sdk/beats-client.js';
import { BeatsApiError } from '../../shared/sdk/errors.js';
import { describeEachEngine } from '../helpers/engines.js';
import nacl from 'tweetnacl';
import { heartbeatPaymentMessage } from '../../service/registry/beat-chain-service.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { TestRegistry, testWallet } from '../registry/harness.js';

describeEachEngine('SDK AgentClient', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it('register → init → heartbeat → status, then frozen by the switch and back with resync() paying a real proof', async () => {
    const http = { baseUrl: reg.svc.url };
    const { hash, apiKey } = await registerAgent(http, { name: 'sdk-agent', metadata: { team: 'sdk' } });
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(apiKey).toMatch(/^pvn_/);
    const agent = new AgentClient(http, { hash, apiKey });
    expect(await agent.init()).toMatchObject({ ok: true, status: 'active' });
    await reg.sigil({ hash, apiKey });
    expect(await agent.heartbeat()).toMatchObject({ ok: true, agent_hash: hash, total_heartbeats: 1 });
    expect(await agent.status()).toMatchObject({ exists: true, hash, status: 'active', metadata: { team: 'sdk' } });

    await reg.nextAnchor(62);
    expect((await agent.status()).status).toBe('frozen');
    const refused = await agent.heartbeat().catch((e) => e);
    expect(refused).toBeInstanceOf(BeatsApiError);
    expect([refused.status, refused.code]).toEqual([403, 'AGENT_FROZEN']);

    const done: number[] = [];
    const answer = await agent.resync({ beats: new BeatsClient(http), engine: proverEngine(await loadProver()), onProgress: (n) => done.push(n) });
    expect(answer).toMatchObject({ ok: true, agent_hash: hash, status: 'active', receipt_based: true });
    expect(done.at(-1)).toBe(answer.required_beats);
    expect((await agent.beatStatus()).whitelist).toMatchObject({ standing: 'GOOD' });
  });

  it('startHeartbeats sends one per anchor and, on 429, waits the retry_after_ms the registry gives', async () => {
    const http = { baseUrl: reg.svc.url };
    const creds = await registerAgent(http, { name: 'looping' });
    const agent = new AgentClient(http, creds);
    await agent.init();
    await reg.sigil(creds);
    const beats: unknown[] = [];
    const errors: unknown[] = [];
    const loop = agent.startHeartbeats({ intervalMs: 20, onHeartbeat: (a) => beats.push(a), onError: (e) => errors.push(e) });
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    expect(beats).toHaveLength(1);
    expect(errors).toHaveLength(1); // the second, at the same anchor; then it waited (the test clock's next anchor is a minute away)
    expect(errors[0]).toMatchObject({ code: 'HEARTBEAT_TOO_SOON' });
    expect((errors[0] as BeatsApiError).retryAfterMs).toBeGreaterThan(0);
  });

  it('startHeartbeats signs a payment again when the anchor moved between signing and arriving (402 invalid_payer_signature)', async () => {
    const http = { baseUrl: reg.svc.url };
    const creds = await registerAgent(http, { name: 'paying' });
    const agent = new AgentClient(http, creds);
    await agent.init();
    await reg.sigil(creds);
    const wallet = testWallet(77);
    const payer = await reg.linkWallet(creds, wallet);
    const signedFor: number[] = [];
    const beats: Array<Record<string, unknown>> = [];
    const errors: unknown[] = [];
    const loop = agent.startHeartbeats({
      intervalMs: 60_000,
      onHeartbeat: (a) => beats.push(a),
      onError: (e) => errors.push(e),
      payment: async (anchorIndex) => {
        signedFor.push(anchorIndex);
        // The first time, the anchor moves on right after the client read it: that signature arrives stale.
        if (signedFor.length === 1) await reg.nextAnchor();
        const message = utf8Encode(heartbeatPaymentMessage(creds.hash, anchorIndex));
        return { payer, payer_signature: encodeBase64(nacl.sign.detached(message, wallet.secretKey)) };
      },
    });
    for (let i = 0; i < 200 && beats.length === 0 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    expect(errors).toEqual([]);
    expect(signedFor).toHaveLength(2);
    expect(signedFor[1]).toBe(signedFor[0] + 1);
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ ok: true, anchor_index: signedFor[1], total_heartbeats: 1 });
  });

  it('errors are typed with the server code: a wrong key is AUTH_MISSING', async () => {
    const error = await new AgentClient({ baseUrl: reg.svc.url }, { hash: '0x' + '00'.repeat(32), apiKey: 'pvn_wrong' }).init().catch((e) => e);
    expect(error).toBeInstanceOf(BeatsApiError);
    expect([error.status, error.code]).toEqual([401, 'AUTH_MISSING']);
  });
});
