// The sponsorship cap under concurrency, on both engines. A child heartbeats at most once per anchor
// (the heartbeats primary key), so concurrent charges of one sponsorship cannot be made over HTTP:
// this drives the charge itself — SponsorshipService.settleHeartbeat, the rule the heartbeat runs in
// its transaction — from 50 concurrent transactions, split over two store handles (two connection
// pools on PostgreSQL, as two instances would be), against a cap of 10. Over HTTP, sponsorship.test.ts
// shows the 11th sponsored heartbeat of an epoch refused.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppError } from '../../service/errors.js';
import { AgentRepository } from '../../service/store/agent-repository.js';
import type { Database } from '../../service/store/database.js';
import { SponsorshipRepository } from '../../service/store/sponsorship-repository.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, testWallet } from './harness.js';

describeEachEngine('registry: sponsorship cap under concurrency', (ctx) => {
  let reg: TestRegistry;
  let second: Database;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
    second = await ctx.open();
  });
  afterAll(() => reg.close());

  /** A parent with wallet `byte` sponsoring a new child with `cap`; returns the child's record and the payer. */
  async function sponsored(name: string, byte: number, cap: number) {
    const parent = await reg.ready(name, { withSigil: false });
    const payer = await reg.linkWallet(parent, testWallet(byte));
    await reg.setChain(parent, { available_beats: 1000 });
    const auth = await reg.spawn(parent, { child_name: 'kid' }).expect(200);
    const kid = await reg.registerChild(parent, 'kid', auth.body.spawn_authorization);
    await reg.post(parent, '/api/v1/agent/sponsor', { child_hash: kid.hash, max_heartbeats_epoch: cap }).expect(200);
    const record = (await new AgentRepository(reg.svc.services.db).get(kid.hash))!;
    return { parent, kid: record, payer };
  }

  it('50 concurrent charges against a cap of 10: exactly 10 pass, 40 are 402 sponsorship_cap_reached', async () => {
    const { parent, kid, payer } = await sponsored('busy-parent', 40, 10);
    const sponsorships = reg.svc.services.registry.sponsorships;
    const now = reg.now();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? reg.svc.services.db : second)
          .transaction((tx) => sponsorships.settleHeartbeat(tx, kid, payer, 0, now))
          .then(
            (charge) => ({ used: charge!.heartbeats_used_epoch, reason: undefined }),
            (error: unknown) => {
              if (!(error instanceof AppError)) throw error;
              return { used: undefined, reason: `${error.code}:${String(error.details?.reason)}` };
            },
          ),
      ),
    );
    const used = outcomes.flatMap((o) => (o.used === undefined ? [] : [o.used])).sort((a, b) => a - b);
    expect(used).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const refusals = outcomes.filter((o) => o.reason !== undefined).map((o) => o.reason);
    expect(refusals).toHaveLength(40);
    expect(new Set(refusals)).toEqual(new Set(['PAYMENT_REQUIRED:sponsorship_cap_reached']));
    const row = await new SponsorshipRepository(reg.svc.services.db).get(parent.hash, kid.hash);
    expect(row).toMatchObject({ heartbeats_used_epoch: 10, billing_epoch: 0 });
  });

  it('the same at the store: 50 concurrent conditional UPDATEs, exactly 10 rows charged; a new epoch charges again', async () => {
    const { kid, payer } = await sponsored('store-parent', 41, 10);
    const now = reg.now();
    const charges = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? reg.svc.services.db : second).transaction((tx) =>
          new SponsorshipRepository(tx).charge({ childHash: kid.hash, payer, billingEpoch: 0, now }),
        ),
      ),
    );
    expect(charges.filter((c) => c !== undefined)).toHaveLength(10);
    const next = await new SponsorshipRepository(reg.svc.services.db).charge({ childHash: kid.hash, payer, billingEpoch: 1, now });
    expect(next).toMatchObject({ heartbeats_used_epoch: 1 });
  });
});
