// The peer's published SDK (@provenonce/sdk 0.18.0) spawning and sponsoring against a listening
// registry, on both engines. With ACCEPT_V1_RECEIPTS=true the whole seed flow works unchanged:
// requestSpawnWithBeatsProof (probe → its own v1 work proof at our Beats service → authorization),
// the standalone `register(name, {parentHash, parentApiKey})` — it cannot pass `spawn_authorization`,
// it sends `{name, parent}`, which uses the parent's live authorization for that name — and the
// finalize through requestSpawn(name, childHash). A probe answered with an authorization (available
// beats) is returned as is. With the default ACCEPT_V1_RECEIPTS=false the SDK's v1 receipt is refused
// at step 5: 402 INVALID_RECEIPT `version_not_accepted`. sponsorChild, listSponsorships and
// revokeSponsor work unchanged.
import { BeatAgent, register } from '@provenonce/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, testWallet, type TestAgent } from './harness.js';

type SdkError = Error & { code?: string; statusCode?: number };

describeEachEngine("registry: the peer's SDK spawns and sponsors", (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db, { ACCEPT_V1_RECEIPTS: 'true' });
  });
  afterAll(() => reg.close());

  function sdkAgent(r: TestRegistry, agent: TestAgent, errors: SdkError[] = []) {
    return new BeatAgent({
      apiKey: agent.apiKey, registryUrl: r.svc.url, beatsUrl: r.svc.url, verbose: false, onError: (err: SdkError) => errors.push(err),
    } as never);
  }

  it('requestSpawnWithBeatsProof, register(name, {parentHash, parentApiKey}), requestSpawn(name, childHash): the 7 steps unchanged', async () => {
    const parent = await reg.ready('sdk-parent', { withSigil: false });
    const sdk = sdkAgent(reg, parent);
    await sdk.init();

    // Steps 1-5: the probe's 402 price, 1 000 beats of v1 work at our Beats service, the authorization.
    const authorized = await sdk.requestSpawnWithBeatsProof({ childName: 'sdk-child' });
    expect(authorized).toMatchObject({ ok: true, eligible: true, receipt_based: true, required_beats: 1000, spawn_authorization: expect.stringMatching(/^eyJ/) });
    const spent = await reg.svc.services.db.one<{ purpose: string; beats: number }>('SELECT purpose, beats FROM consumed_receipts WHERE agent_hash = $1', [parent.hash]);
    expect(spent).toEqual({ purpose: 'spawn', beats: 1000 });

    // Step 6: the standalone register sends {name, parent} with the parent's key.
    const child = await register('sdk-child', { registryUrl: reg.svc.url, parentHash: parent.hash, parentApiKey: parent.apiKey } as never);
    expect(child).toMatchObject({ ok: true, name: 'sdk-child', type: 'agent', parent: parent.hash, depth: 1 });
    const childHash = (child as unknown as { hash: string }).hash;

    // Step 7: the finalize.
    expect(await sdk.requestSpawn('sdk-child', childHash)).toMatchObject({ ok: true, eligible: true, child_hash: childHash });
    expect((await reg.beatStatus(parent.hash)).body.lineage.children).toEqual([{ hash: childHash, name: 'sdk-child' }]);

    // A sibling is priced 1 200 (the SDK reads required_beats from the probe).
    const second = await sdk.requestSpawnWithBeatsProof({ childName: 'sdk-child-2' });
    expect(second).toMatchObject({ ok: true, required_beats: 1200 });
  });

  it('a probe the available beats cover: the SDK returns the authorization it answers, without proving', async () => {
    const parent = await reg.ready('sdk-saver', { withSigil: false });
    await reg.setChain(parent, { available_beats: 1000 });
    const sdk = sdkAgent(reg, parent);
    await sdk.init();
    const proved = vi.spyOn(sdk, 'computeWorkProof');
    const res = await sdk.requestSpawnWithBeatsProof({ childName: 'from-savings' });
    expect(res).toMatchObject({ ok: true, eligible: true, receipt_based: false, required_beats: 1000 });
    expect(proved).not.toHaveBeenCalled();
  });

  it("the SDK's register(name, {parentHash}) with nothing paid: 409 SPAWN_CONFLICT, which the SDK maps to its StateError", async () => {
    const parent = await reg.ready('sdk-unpaid', { withSigil: false });
    await expect(register('unpaid', { registryUrl: reg.svc.url, parentHash: parent.hash, parentApiKey: parent.apiKey } as never)).rejects.toMatchObject({
      name: 'StateError', code: 'AGENT_WRONG_STATE',
    });
  });

  it('sponsorChild, listSponsorships and revokeSponsor', async () => {
    const parent = await reg.ready('sdk-sponsor', { withSigil: false });
    await reg.linkWallet(parent, testWallet(70));
    await reg.setChain(parent, { available_beats: 1000 });
    const kid = await reg.registerChild(parent, 'kid', (await reg.spawn(parent, { child_name: 'kid' }).expect(200)).body.spawn_authorization);
    const sdk = sdkAgent(reg, parent);
    expect(await sdk.sponsorChild(kid.hash, { maxHeartbeatsEpoch: 50, expiresInHours: 24 })).toMatchObject({
      ok: true, sponsorship: { parent_hash: parent.hash, child_hash: kid.hash, status: 'active', max_heartbeats_epoch: 50 },
    });
    expect(await sdk.listSponsorships()).toMatchObject({ ok: true, sponsorships: [{ child_hash: kid.hash, status: 'active' }] });
    expect(await sdk.revokeSponsor(kid.hash)).toEqual({ ok: true });
    expect(await sdk.listSponsorships()).toMatchObject({ sponsorships: [{ child_hash: kid.hash, status: 'revoked' }] });
    // Revoking again: the SDK reports the 404 SPONSOR_NOT_FOUND as a failure.
    expect(await sdk.revokeSponsor(kid.hash)).toMatchObject({ ok: false });
  });

  describe('with the default ACCEPT_V1_RECEIPTS=false', () => {
    let strict: TestRegistry;
    beforeAll(async () => {
      strict = await TestRegistry.start(await ctx.openFresh());
    });
    afterAll(() => strict.close());

    it('step 5 differs: the SDK proves with a v1 (prover-chosen) receipt → 402 INVALID_RECEIPT version_not_accepted, nothing issued', async () => {
      const parent = await strict.ready('sdk-strict', { withSigil: false });
      const errors: SdkError[] = [];
      const sdk = sdkAgent(strict, parent, errors);
      await sdk.init();
      const answers: Array<{ status: number; body: Record<string, unknown> }> = [];
      const realFetch = globalThis.fetch;
      const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const res = await realFetch(input, init);
        if (String(input).endsWith('/api/v1/agent/spawn')) answers.push({ status: res.status, body: await res.clone().json() });
        return res;
      });
      try {
        await expect(sdk.requestSpawnWithBeatsProof({ childName: 'never' })).rejects.toMatchObject({ statusCode: 402 });
      } finally {
        spy.mockRestore();
      }
      expect(answers.map((a) => [a.status, a.body.code, a.body.reason])).toEqual([
        [402, 'RECEIPT_REQUIRED', undefined],
        [402, 'INVALID_RECEIPT', 'version_not_accepted'],
      ]);
      expect(await strict.svc.services.db.query('SELECT id FROM spawn_authorizations WHERE parent_hash = $1', [parent.hash])).toEqual([]);
    });
  });
});
