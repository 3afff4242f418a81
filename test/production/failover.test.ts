// Failover: two `beats serve` processes on one PostgreSQL database; the one making anchors is killed with
// SIGKILL (its advisory lock dies with its session) and the other continues the same chain within two
// anchor periods: indices contiguous, every anchor signed with the published anchor key and linked.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, createTestDatabase, headOf, metricOf, postgresUnavailable, skipWithoutPostgres, sleep, verifyAnchorChain, waitForHead } from './cluster.js';

const PERIOD_MS = 1_000;

describe.skipIf(skipWithoutPostgres)('failover of the anchor clock between two processes [postgres]', () => {
  let cluster: Cluster;
  beforeAll(() => {
    if (postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
  });
  afterEach(() => cluster.dispose());

  it('the survivor continues the chain within two periods after the leader is killed', async () => {
    const db = await createTestDatabase('failover');
    cluster = new Cluster({ DATABASE_URL: db.url, ANCHOR_INTERVAL_MS: String(PERIOD_MS) });
    cluster.onDispose(db.drop);
    const a = await cluster.start('a');
    const b = await cluster.start('b');
    await waitForHead(a.url, 2, 10 * PERIOD_MS);

    // Exactly one leads; both serve the same chain.
    const leaders = await Promise.all([a, b].map((i) => metricOf(i.url, 'beats_anchor_leader')));
    expect(leaders.sort()).toEqual([0, 1]);
    const [leader, survivor] = (await metricOf(a.url, 'beats_anchor_leader')) === 1 ? [a, b] : [b, a];
    expect((await headOf(survivor.url)).index).toBeGreaterThanOrEqual(2);

    // Kill the leader at a random point of its period (the survivor retries the lock once a period, so a new
    // anchor follows the last one within two periods, and the kill within one).
    const before = await headOf(survivor.url);
    await waitForHead(survivor.url, before.index + 1, 3 * PERIOD_MS);
    await sleep(Math.floor(Math.random() * PERIOD_MS));
    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    const last = await headOf(survivor.url);

    const next = await waitForHead(survivor.url, last.index + 1, 4 * PERIOD_MS);
    const seenAfterMs = Date.now() - killedAt;
    const gapMs = next.utc - last.utc;
    expect(next.index).toBe(last.index + 1);
    expect(gapMs).toBeLessThanOrEqual(2 * PERIOD_MS + 200);
    expect(seenAfterMs).toBeLessThanOrEqual(PERIOD_MS + 500);
    expect(await metricOf(survivor.url, 'beats_anchor_leader')).toBe(1);
    console.log(`failover: anchor ${next.index} made ${gapMs} ms after anchor ${last.index} (period ${PERIOD_MS} ms), seen ${seenAfterMs} ms after SIGKILL`);

    // It keeps going, one anchor a period, on the same chain.
    await waitForHead(survivor.url, next.index + 2, 4 * PERIOD_MS);
    expect(await metricOf(survivor.url, 'beats_anchors_made_total')).toBeGreaterThanOrEqual(3);
    const chain = await verifyAnchorChain(survivor.url);
    expect(chain.length).toBeGreaterThanOrEqual(next.index + 3);
  });
});
