// Issue 6's story in SDK calls against a listening registry: a fresh agent registers and
// heartbeats, spawns a child and a grandchild with spawnChild(), sponsors its child's heartbeats,
// is frozen by the dead man's switch, and comes back with resync().
import nacl from 'tweetnacl';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { AgentClient, registerAgent } from '../../shared/sdk/agent-client.js';
import { BeatsClient } from '../../shared/sdk/beats-client.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry } from '../registry/harness.js';

describeEachEngine('SDK: a family of agents', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  it('registers, heartbeats, spawns a child and a grandchild, sponsors the child, is frozen and resyncs', async () => {
    const http = { baseUrl: reg.svc.url };
    const proving = { beats: new BeatsClient(http), engine: proverEngine(await loadProver()) };
    const root = new AgentClient(http, await registerAgent(http, { name: 'matriarch' }));
    await root.init();
    await reg.sigil({ hash: root.hash, apiKey: '' });
    expect(await root.heartbeat()).toMatchObject({ ok: true, total_heartbeats: 1 });

    const child = new AgentClient(http, await root.spawnChild('daughter', proving));
    await child.init();
    const grandchild = new AgentClient(http, await child.spawnChild('granddaughter', proving));
    await grandchild.init();
    expect((await grandchild.beatStatus()).lineage).toMatchObject({ type: 'agent', parent: child.hash, depth: 2, name: 'granddaughter' });
    expect((await child.beatStatus()).lineage).toMatchObject({ parent: root.hash, depth: 1, children: [{ hash: grandchild.hash, name: 'granddaughter' }] });
    expect((await root.beatStatus()).gestation).toMatchObject({ children_spawned: 1, next_child_cost: 1200 });

    // The parent pays its child's heartbeats with a linked wallet.
    const wallet = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(61));
    const address = encodeBase58(wallet.publicKey);
    await root.linkWallet(address, (message) => encodeBase64(nacl.sign.detached(message, wallet.secretKey)));
    await root.sponsor(child.hash, { maxHeartbeatsEpoch: 5 });
    const { index } = await reg.head();
    const signature = nacl.sign.detached(utf8Encode(canonicalJson({ agent_hash: child.hash, anchor_index: index, purpose: 'heartbeat' })), wallet.secretKey);
    expect(await child.heartbeat({ payer: address, payer_signature: encodeBase64(signature) })).toMatchObject({
      ok: true, sponsor: { parent_hash: root.hash, heartbeats_used_epoch: 1 },
    });

    // Silence: the switch freezes the root (and revokes the sponsorship); resync() pays the price.
    await reg.nextAnchor(62);
    expect((await root.status()).status).toBe('frozen');
    expect((await root.sponsorships())[0]).toMatchObject({ status: 'revoked' });
    const back = await root.resync(proving);
    expect(back).toMatchObject({ ok: true, status: 'active', receipt_based: true, required_beats: 6200 });
    expect((await root.status()).status).toBe('active');
  });
});
