// Input checks before WASM, and memory: ~32 bytes per kept beat beyond a fixed base.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { referenceBeat } from '../helpers/reference-beat.js';

const H = '0f'.repeat(32);

describe('Prover inputs', () => {
  let prover: Prover;
  beforeAll(async () => {
    prover = await loadProver();
  });

  it.each([
    ['prev not hex', { prev: 'zz'.repeat(32), index: 1, difficulty: 1 }, TypeError, /"from"/],
    ['prev in upper case (the seed would differ from the peer)', { prev: 'AB'.repeat(32), index: 1, difficulty: 1 }, TypeError, /"from"/],
    ['prev too short', { prev: 'ab', index: 1, difficulty: 1 }, TypeError, /length=2/],
    ['index fractional', { prev: H, index: 1.5, difficulty: 1 }, TypeError, /"index"/],
    ['index above 2^53−1', { prev: H, index: 2 ** 53, difficulty: 1 }, RangeError, /"index"/],
    ['index negative', { prev: H, index: -1, difficulty: 1 }, RangeError, /"index"/],
    ['difficulty above u32', { prev: H, index: 1, difficulty: 2 ** 32 }, RangeError, /"difficulty"/],
    ['difficulty a string', { prev: H, index: 1, difficulty: '10' as unknown as number }, TypeError, /"difficulty"/],
    ['anchor not hex', { prev: H, index: 1, difficulty: 1, anchorHash: 'nope' }, TypeError, /"anchorHash"/],
    ['nonce not a string', { prev: H, index: 1, difficulty: 1, nonce: 5 as unknown as string }, TypeError, /"nonce"/],
  ])('%s → %s', (_name, input, type, message) => {
    expect(() => prover.beat(input)).toThrow(type);
    expect(() => prover.beat(input)).toThrow(message);
  });

  it('refuses a nonce over 1 MiB', () => {
    expect(() => prover.beat({ prev: H, index: 1, difficulty: 1, nonce: 'x'.repeat((1 << 20) + 1) })).toThrow(RangeError);
  });

  it('beat index 0 and difficulty 0 follow the formula', () => {
    expect(prover.beat({ prev: H, index: 0, difficulty: 0 })).toBe(referenceBeat(H, 0, 0));
  });

  it('a chain of 0 beats returns its start', () => {
    expect(prover.chain({ from: H, fromIndex: 5, count: 0, difficulty: 9 })).toEqual({ toHash: H, beats: null });
  });

  it('sha256Iterate wants exactly 32 bytes', () => {
    expect(() => prover.sha256Iterate(new Uint8Array(31), 1)).toThrow(/length=31/);
  });
});

describe('Prover memory', () => {
  it('keeping 300 000 beats costs 32 bytes per beat in JS and no growth of WASM memory', async () => {
    const prover = await loadProver({ warmUp: false });
    const core = (prover as unknown as { core: { memory: WebAssembly.Memory } }).core;
    prover.chain({ from: H, fromIndex: 0, count: 5000, difficulty: 0, keepBeats: true, segmentBeats: 4096 });
    const base = core.memory.buffer.byteLength;
    const { beats } = prover.chain({ from: H, fromIndex: 0, count: 300_000, difficulty: 0, keepBeats: true, segmentBeats: 4096 });
    expect(beats!.byteLength).toBe(300_000 * 32);
    expect(core.memory.buffer.byteLength).toBe(base);
    expect(Buffer.from(beats!.subarray(0, 32)).toString('hex')).toBe(referenceBeat(H, 1, 0));
  });
});
