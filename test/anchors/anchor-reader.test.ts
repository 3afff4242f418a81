// AnchorReader: short head cache (never past the successor's due time), immutable past anchors, and a
// typed refusal when the store cannot be read.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AnchorClock } from '../../service/anchors/anchor-clock.js';
import { AnchorReader, AnchorUnavailableError, anchorRecordOf, storedAnchorOf } from '../../service/anchors/anchor-reader.js';
import { AppError } from '../../service/errors.js';
import { Keyring } from '../../service/keys/keyring.js';
import type { Database } from '../../service/store/database.js';
import { openDatabase } from '../../service/store/open-database.js';
import { describeEachEngine } from '../helpers/engines.js';
import { silentLogger, TEST_SEED } from './harness.js';

const INTERVAL = 60_000;
const T0 = 1_700_000_000_000;

describeEachEngine('AnchorReader', (ctx) => {
  let db: Database;
  let clock: AnchorClock;
  let t: number;

  beforeEach(async () => {
    db = await openDatabase(ctx.freshOptions());
    t = T0;
    const keyring = await Keyring.open(db, TEST_SEED, T0);
    clock = new AnchorClock({ db, keyring, intervalMs: INTERVAL, difficulty: 1000, logger: silentLogger, now: () => t });
  });
  afterEach(async () => {
    await clock.stop();
    await db.close();
  });

  /** An anchor appended behind the reader's back (as another instance would). */
  async function appendElsewhere() {
    t += INTERVAL;
    return (await clock.tick())!;
  }

  it('answers undefined before the first anchor and the stored anchor after', async () => {
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, maxAgeMs: 0, now: () => t });
    expect(await reader.head()).toBeUndefined();
    expect(await reader.get(0)).toBeUndefined();
    const a0 = (await clock.tick())!;
    expect(await reader.head()).toEqual(a0);
    expect(await reader.get(0)).toEqual(a0);
    expect(await reader.get(1)).toBeUndefined();
    await expect(reader.get(-1)).rejects.toThrow(RangeError);
  });

  it('round-trips rows: the base58 entropy is rebuilt from the stored hex', async () => {
    const a0 = (await clock.tick())!;
    expect(storedAnchorOf(anchorRecordOf(a0))).toEqual(a0);
  });

  it('serves a cached head while young and before its successor is due, then reads the store', async () => {
    const a0 = (await clock.tick())!;
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, maxAgeMs: 10 * INTERVAL, now: () => t });
    expect(await reader.head()).toEqual(a0);
    const a1 = await appendElsewhere(); // now t = a0.utc + interval: a0's successor is due
    expect(await reader.head()).toEqual(a1);
    // Within the same period a cached head is served even if the store changed under it...
    await db.run('DELETE FROM anchors WHERE beat_index = 1');
    expect(await reader.head()).toEqual(a1);
    // ...until invalidated.
    reader.invalidate();
    expect(await reader.head()).toEqual(a0);
  });

  it('expires a cached head after maxAgeMs', async () => {
    let r = T0; // the reader's clock, apart from the clock that makes anchors
    const a0 = (await clock.tick())!;
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, maxAgeMs: 1_000, now: () => r });
    expect(await reader.head()).toEqual(a0);
    const a1 = await appendElsewhere();
    r = T0 + 999;
    expect(await reader.head()).toEqual(a0);
    r = T0 + 1_000;
    expect(await reader.head()).toEqual(a1);
  });

  it('takes an appended anchor at once through noteAppended (the clock listener)', async () => {
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, maxAgeMs: 10 * INTERVAL, now: () => t });
    clock.onAnchor((s) => reader.noteAppended(s));
    expect(await reader.head()).toBeUndefined();
    const a0 = (await clock.tick())!;
    expect(await reader.head()).toEqual(a0);
    // An older anchor noted late does not replace the head.
    const a1 = await appendElsewhere();
    reader.noteAppended(a0);
    expect(await reader.head()).toEqual(a1);
  });

  it('shares one query between concurrent head() calls', async () => {
    await clock.tick();
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, now: () => t });
    const results = await Promise.all([reader.head(), reader.head(), reader.head()]);
    expect(new Set(results).size).toBe(1);
  });

  it('throws AnchorUnavailableError (503 ANCHOR_UNAVAILABLE) when the store cannot be read, never "no anchor"', async () => {
    await clock.tick();
    const reader = new AnchorReader({ db, intervalMs: INTERVAL, now: () => t });
    await clock.stop();
    await db.close();
    for (const read of [() => reader.head(), () => reader.get(3)]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AnchorUnavailableError);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('ANCHOR_UNAVAILABLE');
      expect((error as AppError).status).toBe(503);
    }
  });
});
