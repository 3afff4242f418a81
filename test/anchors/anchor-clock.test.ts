// AnchorClock step by step (injected clock): when anchors are due, what they hold, how they are stored.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyAnchor, verifyAnchorLink } from '../../shared/anchor.js';
import { ANCHOR_GENESIS_PREV } from '../../shared/anchor-hash.js';
import { bytesToHex } from '../../shared/hex.js';
import { AnchorClock } from '../../service/anchors/anchor-clock.js';
import { anchorRecordOf } from '../../service/anchors/anchor-reader.js';
import { Keyring } from '../../service/keys/keyring.js';
import { AnchorRepository } from '../../service/store/anchor-repository.js';
import type { Database } from '../../service/store/database.js';
import { openDatabase } from '../../service/store/open-database.js';
import { describeEachEngine } from '../helpers/engines.js';
import { AnchorQueue, silentLogger, TEST_SEED } from './harness.js';

const INTERVAL = 1_000;
const T0 = 1_700_000_000_000;

describeEachEngine('AnchorClock', (ctx) => {
  let db: Database;
  let keyring: Keyring;
  let t: number;
  let clocks: AnchorClock[];

  function makeClock(overrides: Partial<ConstructorParameters<typeof AnchorClock>[0]> = {}): AnchorClock {
    const clock = new AnchorClock({ db, keyring, intervalMs: INTERVAL, difficulty: 1000, logger: silentLogger, now: () => t, ...overrides });
    clocks.push(clock);
    return clock;
  }

  beforeEach(async () => {
    db = await openDatabase(ctx.freshOptions());
    keyring = await Keyring.open(db, TEST_SEED, T0);
    t = T0;
    clocks = [];
  });
  afterEach(async () => {
    for (const clock of clocks) await clock.stop();
    await db.close();
  });

  it('makes anchor 0 on an empty chain, signed by the active anchor key and stored with its kid', async () => {
    const entropy = new Uint8Array(32).fill(0x5a);
    const clock = makeClock({ randomBytes: (size) => entropy.slice(0, size) });
    const stored = await clock.tick();
    expect(stored).toBeDefined();
    const key = keyring.active('anchor');
    expect(stored!.kid).toBe(key.kid);
    expect(stored!.anchor).toMatchObject({
      type: 'anchor',
      beat_index: 0,
      prev_hash: ANCHOR_GENESIS_PREV,
      utc: T0,
      difficulty: 1000,
      epoch: 0,
      entropy: bytesToHex(entropy),
    });
    expect(verifyAnchor(stored!.anchor, stored!.signature, key.publicKey)).toBe(true);
    expect(await new AnchorRepository(db).head()).toEqual(anchorRecordOf(stored!));
    expect(clock.isLeader).toBe(true);
  });

  it('makes the next anchor when due at last.utc + interval, not before', async () => {
    const clock = makeClock();
    const a0 = (await clock.tick())!;
    expect(await clock.tick()).toBeUndefined();
    t = T0 + INTERVAL - 1;
    expect(await clock.tick()).toBeUndefined();
    t = T0 + INTERVAL;
    const a1 = (await clock.tick())!;
    expect(a1.anchor).toMatchObject({ beat_index: 1, prev_hash: a0.anchor.hash, utc: T0 + INTERVAL });
    expect(verifyAnchorLink(a0.anchor, a1.anchor)).toBe(true);
    expect(a1.anchor.entropy).not.toBe(a0.anchor.entropy); // fresh CSPRNG draw each time
  });

  it('after a long outage makes one anchor now: indices stay contiguous, nothing is back-filled', async () => {
    const clock = makeClock();
    await clock.tick();
    t = T0 + 10 * INTERVAL + 123;
    const late = (await clock.tick())!;
    expect(late.anchor).toMatchObject({ beat_index: 1, utc: t });
    expect(await clock.tick()).toBeUndefined();
    t += INTERVAL;
    expect((await clock.tick())!.anchor.beat_index).toBe(2);
    expect((await new AnchorRepository(db).range(0, 100)).map((a) => a.beat_index)).toEqual([0, 1, 2]);
  });

  it('waits when the head is in its future (a new leader whose clock is behind), so utc only grows', async () => {
    const clock = makeClock();
    await clock.tick();
    t = T0 - 5_000;
    expect(await clock.tick()).toBeUndefined();
  });

  it('tells listeners of each anchor it appends; a throwing listener harms nothing', async () => {
    const clock = makeClock();
    const queue = new AnchorQueue(clock);
    clock.onAnchor(() => {
      throw new Error('listener bug');
    });
    const seen: number[] = [];
    const off = clock.onAnchor((s) => seen.push(s.anchor.beat_index));
    await clock.tick();
    t += INTERVAL;
    await clock.tick();
    off();
    t += INTERVAL;
    await clock.tick();
    expect(seen).toEqual([0, 1]);
    expect([(await queue.next()).anchor.beat_index, (await queue.next()).anchor.beat_index, (await queue.next()).anchor.beat_index]).toEqual([0, 1, 2]);
  });

  it('signs with the new key after a rotation, and the old anchors keep their kid', async () => {
    const clock = makeClock();
    const a0 = (await clock.tick())!;
    const rotated = await keyring.rotate('anchor', T0 + 1);
    t += INTERVAL;
    const a1 = (await clock.tick())!;
    expect(a1.kid).toBe(rotated.kid);
    expect(verifyAnchor(a1.anchor, a1.signature, rotated.publicKey)).toBe(true);
    expect((await new AnchorRepository(db).get(0))!.kid).toBe(a0.kid);
    expect(verifyAnchor(a0.anchor, a0.signature, keyring.publicKeyFor(a0.kid)!)).toBe(true);
  });

  it('serialises steps and stop() waits for the one in flight', async () => {
    const clock = makeClock();
    let finished = false;
    const inFlight = clock.tick().then((s) => {
      finished = true;
      return s;
    });
    await clock.stop();
    expect(finished).toBe(true);
    expect((await inFlight)!.anchor.beat_index).toBe(0);
    expect(clock.isLeader).toBe(false); // released for another instance
    // Concurrent ticks in one process make one anchor.
    t += INTERVAL;
    const results = await Promise.all([clock.tick(), clock.tick(), clock.tick()]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('runs on its own with real timers: first anchor at start, then one per period', async () => {
    const clock = makeClock({ intervalMs: 150, now: Date.now });
    const queue = new AnchorQueue(clock);
    const started = Date.now();
    await clock.start();
    const first = await queue.next();
    expect(first.anchor.beat_index).toBe(0);
    const second = await queue.next(2_000);
    const third = await queue.next(2_000);
    expect([second.anchor.beat_index, third.anchor.beat_index]).toEqual([1, 2]);
    expect(third.anchor.utc - second.anchor.utc).toBeGreaterThanOrEqual(150);
    expect(third.anchor.utc - started).toBeLessThan(2_000);
    await clock.stop();
  });

  it('refuses a bad interval', () => {
    expect(() => makeClock({ intervalMs: 0 })).toThrow(RangeError);
  });
});
