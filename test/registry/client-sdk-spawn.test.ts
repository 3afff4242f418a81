// This project's own SDK (shared/sdk AgentClient) against the spawn, wallet, sponsorship and key
// routes of a listening registry, on both engines: spawnChild() in one call paying a real v2 proof,
// the child heartbeating on its parent's sponsorship, linkWallet, sponsorships, rotateKey.
import nacl from 'tweetnacl';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { heartbeatPaymentMessage } from '../../service/registry/beat-chain-service.js';
import { AgentClient, registerAgent } from '../../shared/sdk/agent-client.js';
import { BeatsClient } from '../../shared/sdk/beats-client.js';
import { BeatsApiError } from '../../shared/sdk/errors.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, testWallet } from './harness.js';

describeEachEngine('registry: the SDK AgentClient spawns and sponsors', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it('spawnChild pays a real proof; the parent links a wallet and sponsors the child; rotateKey revokes the child side', async () => {
    const http = { baseUrl: reg.svc.url };
    const proving = { beats: new BeatsClient(http), engine: proverEngine(await loadProver()), mode: 'full' as const };
    const parent = new AgentClient(http, await registerAgent(http, { name: 'sdk-parent' }));
    await parent.init();

    const child = await parent.spawnChild('sdk-kid', proving);
    expect(child).toMatchObject({ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), apiKey: expect.stringMatching(/^pvn_/), receiptBased: true });
    const kid = new AgentClient(http, child);
    await kid.init();
    expect((await kid.beatStatus()).lineage).toMatchObject({ parent: parent.hash, depth: 1, name: 'sdk-kid' });

    const keys = testWallet(90);
    const wallet = encodeBase58(keys.publicKey);
    expect(await parent.linkWallet(wallet, (m) => encodeBase64(nacl.sign.detached(m, keys.secretKey)))).toMatchObject({ ok: true, wallet });
    expect(await parent.sponsor(child.hash, { maxHeartbeatsEpoch: 2 })).toMatchObject({ ok: true, sponsorship: { status: 'active', max_heartbeats_epoch: 2 } });
    const pay = async () => {
      const { index } = await reg.head();
      return { payer: wallet, payer_signature: encodeBase64(nacl.sign.detached(utf8Encode(heartbeatPaymentMessage(child.hash, index)), keys.secretKey)) };
    };
    expect(await kid.heartbeat(await pay())).toMatchObject({ ok: true, sponsor: { parent_hash: parent.hash, heartbeats_used_epoch: 1 } });
    expect(await parent.sponsorships()).toMatchObject([{ child_hash: child.hash, heartbeats_used_epoch: 1 }]);

    await kid.rotateKey();
    expect((await parent.sponsorships())[0]).toMatchObject({ status: 'revoked', revoked_reason: 'key_rotated' });
    await reg.nextAnchor();
    const refused = await kid.heartbeat(await pay()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BeatsApiError);
    expect([(refused as BeatsApiError).status, (refused as BeatsApiError).code, (refused as BeatsApiError).body.reason]).toEqual([402, 'PAYMENT_REQUIRED', 'sponsorship_revoked']);
    await parent.sponsor(child.hash);
    expect(await parent.unsponsor(child.hash)).toEqual({ ok: true, revoked: true });
  });
});
