// One suite factory, several engines: the node:crypto reference, the WASM core in-thread (SIMD and
// scalar builds) and the WASM core through the piscina pool all answer the same calls.
import { afterAll, beforeAll, describe } from 'vitest';
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import { referenceBeat } from './reference-beat.js';

/** A beat engine under test. */
export interface BeatEngine {
  beat(prev: string, index: number, difficulty: number, anchorHash?: string | null, nonce?: string): Promise<string>;
  /** Beats fromIndex+1 … fromIndex+count after `from`; returns every hash. */
  chain(from: string, fromIndex: number, count: number, difficulty: number, anchorHash?: string | null, nonce?: string): Promise<string[]>;
  batch(items: { prev: string; index: number }[], difficulty: number, anchorHash?: string | null, nonce?: string): Promise<string[]>;
}

const reference: BeatEngine = {
  async beat(prev, index, d, anchor, nonce) {
    return referenceBeat(prev, index, d, anchor, nonce);
  },
  async chain(from, fromIndex, count, d, anchor, nonce) {
    const out: string[] = [];
    for (let i = 1; i <= count; i++) out.push(referenceBeat(out.at(-1) ?? from, fromIndex + i, d, anchor, nonce));
    return out;
  },
  async batch(items, d, anchor, nonce) {
    return items.map((it) => referenceBeat(it.prev, it.index, d, anchor, nonce));
  },
};

function split(bytes: Uint8Array): string[] {
  return Array.from({ length: bytes.length / 32 }, (_, j) => bytesToHex(bytes.subarray(32 * j, 32 * j + 32)));
}

function packPrevs(items: { prev: string }[]): Uint8Array {
  const prevs = new Uint8Array(items.length * 32);
  items.forEach((it, j) => prevs.set(hexToBytes(it.prev), 32 * j));
  return prevs;
}

function inThread(prover: () => Prover): BeatEngine {
  return {
    async beat(prev, index, difficulty, anchorHash, nonce) {
      return prover().beat({ prev, index, difficulty, anchorHash, nonce });
    },
    async chain(from, fromIndex, count, difficulty, anchorHash, nonce) {
      return split(prover().chain({ from, fromIndex, count, difficulty, anchorHash, nonce, keepBeats: true, segmentBeats: 7 }).beats!);
    },
    async batch(items, difficulty, anchorHash, nonce) {
      return split(prover().batch({ prevs: packPrevs(items), indices: items.map((it) => it.index), difficulty, anchorHash, nonce }));
    },
  };
}

function pooled(pool: () => ProverPool): BeatEngine {
  return {
    async beat(prev, index, difficulty, anchorHash, nonce) {
      return (await pool().chain({ from: prev, fromIndex: index - 1, count: 1, difficulty, anchorHash, nonce })).toHash;
    },
    async chain(from, fromIndex, count, difficulty, anchorHash, nonce) {
      return split((await pool().chain({ from, fromIndex, count, difficulty, anchorHash, nonce, keepBeats: true, segmentBeats: 5 })).beats!);
    },
    async batch(items, difficulty, anchorHash, nonce) {
      return split(await pool().batch({ prevs: packPrevs(items), indices: items.map((it) => it.index), difficulty, anchorHash, nonce }));
    },
  };
}

/** Runs `suite` once per engine: reference, WASM SIMD, WASM scalar, and the pool. */
export function describeEachProver(name: string, suite: (engine: () => BeatEngine, engineName: string) => void): void {
  describe(`${name} [node:crypto reference]`, () => suite(() => reference, 'reference'));
  for (const build of ['simd', 'scalar'] as const) {
    describe(`${name} [WASM ${build}, in-thread]`, () => {
      let prover: Prover;
      beforeAll(async () => {
        prover = await loadProver({ build });
      });
      const engine = inThread(() => prover);
      suite(() => engine, `wasm-${build}`);
    });
  }
  describe(`${name} [WASM through the pool]`, () => {
    let pool: ProverPool;
    beforeAll(() => {
      pool = new ProverPool({ threads: 2 });
    });
    afterAll(async () => {
      await pool.close();
    });
    const engine = pooled(() => pool);
    suite(() => engine, 'pool');
  });
}
