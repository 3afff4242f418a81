// The piscina pool: progress, cancellation (running and queued), a full queue, errors, close.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import { ProverCancelledError, ProverClosedError, ProverQueueFullError } from '../../prover-wasm/src/errors.js';

const FROM = 'ab'.repeat(32);
/** A chain that would run for minutes: only ever cancelled in these tests. */
const ENDLESS = { from: FROM, fromIndex: 0, count: 10_000_000, difficulty: 1000, segmentBeats: 2 };


describe('ProverPool', () => {
  const pools: ProverPool[] = [];
  const open = (options: ConstructorParameters<typeof ProverPool>[0]) => {
    const pool = new ProverPool(options);
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('reports progress after every segment and gives the in-thread result', async () => {
    const pool = open({ threads: 1 });
    const seen: Array<[number, number]> = [];
    const result = await pool.chain({ from: FROM, fromIndex: 9, count: 23, difficulty: 50, segmentBeats: 5, keepBeats: true }, {
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([[5, 23], [10, 23], [15, 23], [20, 23], [23, 23]]);
    const local = (await loadProver()).chain({ from: FROM, fromIndex: 9, count: 23, difficulty: 50, keepBeats: true });
    expect(result.toHash).toBe(local.toHash);
    expect(Buffer.from(result.beats!).equals(Buffer.from(local.beats!))).toBe(true);
  });

  it('cancels a running chain at its next segment, reports no progress after the abort, and keeps the worker for the next task', async () => {
    const pool = open({ threads: 1 });
    const controller = new AbortController();
    let progressAfterAbort = 0;
    const running = pool.chain(ENDLESS, {
      signal: controller.signal,
      onProgress: () => (controller.signal.aborted ? progressAfterAbort++ : controller.abort()),
    });
    await expect(running).rejects.toBeInstanceOf(ProverCancelledError);
    // Progress the worker posted before it saw the flag may still be in flight; none of it reaches the caller.
    expect(progressAfterAbort).toBe(0);
    const next = await pool.chain({ from: FROM, fromIndex: 0, count: 2, difficulty: 10 });
    expect(next.toHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes a queued task off the queue when its signal aborts, and refuses an already aborted signal', async () => {
    const pool = open({ threads: 1, maxQueue: 4 });
    const first = new AbortController();
    const running = pool.chain(ENDLESS, { signal: first.signal });
    const second = new AbortController();
    const queued = pool.chain({ from: FROM, fromIndex: 0, count: 1, difficulty: 1 }, { signal: second.signal });
    second.abort();
    await expect(queued).rejects.toBeInstanceOf(ProverCancelledError);
    await expect(pool.chain(ENDLESS, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ProverCancelledError);
    first.abort();
    await expect(running).rejects.toBeInstanceOf(ProverCancelledError);
  });

  it('a full queue gives ProverQueueFullError (code QUEUE_FULL) instead of growing', async () => {
    const pool = open({ threads: 1, maxQueue: 2 });
    const controller = new AbortController();
    const tasks = [0, 1, 2].map(() => pool.chain(ENDLESS, { signal: controller.signal }).catch((e) => e));
    // Until the worker has taken the first task: the other two wait in the queue.
    for (let i = 0; pool.queueSize !== 2; i++) {
      if (i > 600) throw new Error(`the queue never settled at 2 (it holds ${pool.queueSize})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const overflow = await pool.chain(ENDLESS, { signal: controller.signal }).catch((e) => e);
    expect(overflow).toBeInstanceOf(ProverQueueFullError);
    expect(overflow.code).toBe('QUEUE_FULL');
    expect(pool.queueSize).toBe(2);
    controller.abort();
    for (const outcome of await Promise.all(tasks)) expect(outcome).toBeInstanceOf(ProverCancelledError);
  });

  it('a bad input comes back as a typed error naming the field, and the pool goes on', async () => {
    const pool = open({ threads: 1 });
    await expect(pool.chain({ from: 'XYZ', fromIndex: 0, count: 1, difficulty: 1 })).rejects.toThrow(TypeError);
    await expect(pool.batch({ prevs: new Uint8Array(32), indices: [1], difficulty: -1 })).rejects.toThrow(/"difficulty"/);
    expect((await pool.sha256Iterate(new Uint8Array(32), 3)).length).toBe(32);
  });

  it('checks its options and names the field', () => {
    expect(() => new ProverPool({ threads: 0 })).toThrow(/"threads"/);
    expect(() => new ProverPool({ maxQueue: -1 })).toThrow(/"maxQueue"/);
    expect(() => new ProverPool({ threads: 1.5 })).toThrow(RangeError);
  });

  it('closes without leaking handles: a process that used the pool exits by itself', () => {
    const script = `
      import { ProverPool } from ${JSON.stringify(new URL('../../dist/prover-wasm/src/pool.js', import.meta.url).href)};
      const pool = new ProverPool({ threads: 2 });
      await pool.chain({ from: '${FROM}', fromIndex: 0, count: 3, difficulty: 5 }, { onProgress: () => {} });
      await pool.batch({ prevs: new Uint8Array(64), indices: [1, 2], difficulty: 5 });
      await pool.close();
      console.log('closed');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.error).toBeUndefined(); // a leaked handle keeps the process alive until the kill
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('closed');
  });

  it('refuses work after close, and a second close is harmless', async () => {
    const pool = new ProverPool({ threads: 1 });
    await pool.close();
    await expect(pool.batch({ prevs: new Uint8Array(32), indices: [1], difficulty: 1 })).rejects.toBeInstanceOf(ProverClosedError);
    await pool.close();
  });
});
