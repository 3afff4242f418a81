import { createHash } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { AnchorRepository, MAX_ANCHOR_RANGE, type AnchorRecord } from '../../service/store/anchor-repository.js';
import { AnchorConflictError } from '../../service/store/store-errors.js';
import { describeEachEngine } from '../helpers/engines.js';

// protocol A2: prev_hash of anchor 0.
const GENESIS_PREV = '85bcee012b801a99d2bac509b66d5127e482c227a769b72d609b04167f00e1cd';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An anchor following `prev` (or the genesis), with deterministic stand-in hash and entropy. */
function nextAnchor(prev: AnchorRecord | undefined, salt = ''): AnchorRecord {
  const beat_index = prev ? prev.beat_index + 1 : 0;
  return {
    beat_index,
    hash: sha256(`anchor:${beat_index}:${salt}`),
    prev_hash: prev ? prev.hash : GENESIS_PREV,
    utc: 1_700_000_000_000 + beat_index * 60_000,
    difficulty: 1000,
    epoch: 0,
    entropy: sha256(`entropy:${beat_index}:${salt}`),
    signature: Buffer.from(`sig:${beat_index}`).toString('base64'),
    kid: '0123456789abcdef',
  };
}

async function appendChain(repo: AnchorRepository, count: number): Promise<AnchorRecord[]> {
  const chain: AnchorRecord[] = [];
  for (let i = 0; i < count; i++) {
    const anchor = nextAnchor(chain.at(-1));
    await repo.insert(anchor);
    chain.push(anchor);
  }
  return chain;
}

async function conflictOf(promise: Promise<unknown>): Promise<AnchorConflictError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AnchorConflictError);
  return error as AnchorConflictError;
}

describeEachEngine('AnchorRepository', (ctx) => {
  let repo: AnchorRepository;

  beforeEach(async () => {
    await ctx.db.run('DELETE FROM anchors');
    repo = new AnchorRepository(ctx.db);
  });

  it('has no head, and nothing to get, before the first anchor', async () => {
    expect(await repo.head()).toBeUndefined();
    expect(await repo.get(0)).toBeUndefined();
    expect(await repo.range(0, 10)).toEqual([]);
  });

  it('appends anchors and reads them back with numbers as numbers', async () => {
    const chain = await appendChain(repo, 5);
    expect(await repo.head()).toEqual(chain[4]);
    expect(await repo.get(2)).toEqual(chain[2]);
    expect(await repo.get(5)).toBeUndefined();
    const head = await repo.head();
    expect(typeof head!.utc).toBe('number');
    expect(typeof head!.beat_index).toBe('number');
  });

  it('returns a range in ascending order, clipped to what exists and to the limit', async () => {
    const chain = await appendChain(repo, 6);
    expect(await repo.range(1, 3)).toEqual(chain.slice(1, 4));
    expect(await repo.range(4, 100)).toEqual(chain.slice(4));
    expect(await repo.range(3, 2)).toEqual([]);
    expect(await repo.range(0, 100, 2)).toEqual(chain.slice(0, 2));
    expect(() => repo.range(0, 10, MAX_ANCHOR_RANGE + 1)).toThrow(RangeError);
    expect(() => repo.range(-1, 10)).toThrow(RangeError);
    expect(() => repo.get(1.5)).toThrow(RangeError);
  });

  it('refuses a first anchor other than index 0 (gap)', async () => {
    const anchor = { ...nextAnchor(undefined), beat_index: 1 };
    const error = await conflictOf(repo.insert(anchor));
    expect(error.reason).toBe('gap');
    expect(error.code).toBe('ANCHOR_CONFLICT');
    expect(await repo.head()).toBeUndefined();
  });

  it('refuses an anchor that skips an index (gap)', async () => {
    const chain = await appendChain(repo, 3);
    const skipping = { ...nextAnchor(chain[2]), beat_index: 4 };
    expect((await conflictOf(repo.insert(skipping))).reason).toBe('gap');
    expect(await repo.head()).toEqual(chain[2]);
  });

  it('refuses an anchor whose prev_hash is not the head hash (fork)', async () => {
    const chain = await appendChain(repo, 3);
    const fork = { ...nextAnchor(chain[2]), prev_hash: chain[1].hash };
    expect((await conflictOf(repo.insert(fork))).reason).toBe('fork');
    expect(await repo.head()).toEqual(chain[2]);
  });

  it('refuses a second anchor at an existing index (duplicate), even with the right prev_hash', async () => {
    const chain = await appendChain(repo, 3);
    const rival = nextAnchor(chain[1], 'rival');
    expect((await conflictOf(repo.insert(rival))).reason).toBe('duplicate');
    expect(await repo.get(2)).toEqual(chain[2]);
  });

  it('lets exactly one of several concurrent writers extend the head', async () => {
    const chain = await appendChain(repo, 2);
    const writers = Array.from({ length: 10 }, (_, i) => new AnchorRepository(ctx.db).insert(nextAnchor(chain[1], `w${i}`)));
    const results = await Promise.allSettled(writers);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(AnchorConflictError);
        expect((r.reason as AnchorConflictError).reason).toBe('duplicate');
      }
    }
    expect((await repo.head())!.beat_index).toBe(2);
  });

  it('appends inside a caller transaction and rolls back with it', async () => {
    await appendChain(repo, 1);
    const head = await repo.head();
    await expect(
      ctx.db.transaction(async (tx) => {
        await new AnchorRepository(tx).insert(nextAnchor(head));
        throw new Error('caller aborts');
      }),
    ).rejects.toThrow('caller aborts');
    expect(await repo.head()).toEqual(head);
  });
});
