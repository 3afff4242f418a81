// The peer's published SDK (@provenonce/sdk 0.18.0) against a listening registry, on both engines:
// the standalone `register`, and BeatAgent's init, heartbeat and (with ACCEPT_V1_RECEIPTS=true)
// resync work unchanged. Where the SDK cannot work, the test pins the exact difference:
// - resync with the default ACCEPT_V1_RECEIPTS=false: the SDK proves with v1 (prover-chosen, no
//   subject), which protocol C refuses: 402 INVALID_RECEIPT `version_not_accepted`;
// - submitBeats: the SDK posts `{proof:{…}}` (its own chain, unverifiable by us), while
//   /agent/beats/submit takes `{beats_receipt}`: 400 VALIDATION naming `proof`.
import { BeatAgent, register } from '@provenonce/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { genesisHash } from '../../shared/genesis.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry } from './harness.js';

type SdkError = Error & { code?: string; statusCode?: number };

describeEachEngine("registry: the peer's SDK", (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db, { ACCEPT_V1_RECEIPTS: 'true' });
  });
  afterAll(() => reg.close());

  function sdkAgent(apiKey: string, errors: SdkError[] = []) {
    return new BeatAgent({
      apiKey, registryUrl: reg.svc.url, beatsUrl: reg.svc.url, verbose: false, onError: (err: SdkError) => errors.push(err),
    } as never);
  }

  it('register, init, heartbeat, and resync with its own v1 work proof', async () => {
    const registered = await register('sdk-agent', { registryUrl: reg.svc.url, metadata: { via: 'sdk' } } as never);
    expect(registered).toMatchObject({ ok: true, name: 'sdk-agent', type: 'root', depth: 0 });
    const { hash, api_key: apiKey } = registered as unknown as { hash: string; api_key: string };
    const errors: SdkError[] = [];
    const agent = sdkAgent(apiKey, errors);

    // init: the genesis answer, then the anchor from the registry's GET /api/v1/beat/anchor (verified by the SDK).
    expect(await agent.init()).toEqual({ ok: true, genesis: '0x' + genesisHash(hash) });
    const head = await reg.head();
    expect(agent.getLocalState()).toMatchObject({ status: 'active', difficulty: 100, globalBeat: head.index });
    // A second init takes the already_initialized path.
    expect(await sdkAgent(apiKey).init()).toEqual({ ok: true, genesis: '0x' + genesisHash(hash) });

    // heartbeat: SIGIL_REQUIRED maps to the SDK's sigil_required answer; with a SIGIL it is accepted.
    expect(await agent.heartbeat('payment-tx')).toMatchObject({ ok: false, sigil_required: true });
    await reg.sigil({ hash, apiKey });
    expect(await agent.heartbeat('payment-tx', head.index)).toMatchObject({
      ok: true, billing_epoch: 0, heartbeat_count_epoch: 1, current_beat: head.index,
    });
    // Too soon: the SDK maps HEARTBEAT_TOO_SOON to a RateLimitError with retry_after_ms.
    expect((await agent.heartbeat('payment-tx')).ok).toBe(false);
    expect(errors.at(-1)).toMatchObject({ name: 'RateLimitError', retryAfterMs: 60_000 });

    // Frozen by the switch: heartbeat fails with the SDK's FrozenError.
    await reg.nextAnchor(61);
    expect((await agent.heartbeat('payment-tx')).ok).toBe(false);
    expect(errors.at(-1)).toMatchObject({ name: 'FrozenError', code: 'AGENT_FROZEN' });

    // resync: probe → 402 RECEIPT_REQUIRED (required_beats) → v1 work proof at our Beats service → resync with the receipt.
    expect(await agent.resync()).toEqual({ ok: true, beats_required: 6100 });
    expect((await reg.status(hash)).body).toMatchObject({ status: 'active', beat_state: { status: 'active', last_global_sync: (await reg.head()).index } });
    expect(await agent.heartbeat('payment-tx')).toMatchObject({ ok: true, heartbeat_count_epoch: 2 });

    // submitBeats: the SDK's {proof} body is not a receipt.
    expect(await agent.submitBeats(10)).toMatchObject({ ok: false });
    expect(errors.at(-1)).toMatchObject({ statusCode: 400 });
  });

  it('register with a registration secret', async () => {
    const gated = await TestRegistry.start(await ctx.openFresh(), { REGISTRATION_SECRET: 'sdk-secret' });
    try {
      await expect(register('no-secret', { registryUrl: gated.svc.url } as never)).rejects.toMatchObject({ code: 'AUTH_MISSING', statusCode: 401 });
      const ok = await register('with-secret', { registryUrl: gated.svc.url, registrationSecret: 'sdk-secret' } as never);
      expect(ok).toMatchObject({ ok: true, type: 'root' });
    } finally {
      await gated.close();
    }
  });

  describe('with the default ACCEPT_V1_RECEIPTS=false', () => {
    let strict: TestRegistry;
    beforeAll(async () => {
      strict = await TestRegistry.start(await ctx.openFresh());
    });
    afterAll(() => strict.close());

    it('resync is refused: the SDK proves with v1 (prover-chosen) receipts → 402 INVALID_RECEIPT version_not_accepted', async () => {
      const agent = await strict.ready('sdk-strict');
      const errors: SdkError[] = [];
      const sdk = new BeatAgent({
        apiKey: agent.apiKey, registryUrl: strict.svc.url, beatsUrl: strict.svc.url, verbose: false, onError: (e: SdkError) => errors.push(e),
      } as never);
      await sdk.init();
      await strict.nextAnchor(61);
      // Watch what the registry answers the SDK's resync calls (the SDK keeps only the message).
      const answers: unknown[] = [];
      const realFetch = globalThis.fetch;
      const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const res = await realFetch(input, init);
        if (String(input).endsWith('/api/v1/agent/resync')) answers.push(await res.clone().json());
        return res;
      });
      try {
        expect((await sdk.resync()).ok).toBe(false);
      } finally {
        spy.mockRestore();
      }
      expect(answers).toMatchObject([{ code: 'RECEIPT_REQUIRED', required_beats: 6100 }, { code: 'INVALID_RECEIPT', reason: 'version_not_accepted' }]);
      expect(errors.at(-1)).toMatchObject({ statusCode: 402 });
      expect((await strict.status(agent.hash)).body.status).toBe('frozen');
    });
  });
});
