// Test data shared by the proof-v2 suites: lowered limits, an in-memory anchor chain, random hex, the two
// engines (in-thread and pool), and a committed chain with chosen links broken (for soundness and
// spot_check_failed), built honestly from there on by buildProofV2 itself.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { poolEngine, proverEngine } from '../../prover-wasm/src/engines.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import type { ProvingEngine, VerifyingEngine } from '../../shared/proof-engine.js';
import { DEFAULT_PROOF_LIMITS, type AnchorSource, type ProofLimits } from '../../shared/proof-v2/index.js';

/** Limits low enough for difficulty 5 and a cheap challenge derivation; everything else as in the service. */
export const FAST_LIMITS: ProofLimits = {
  ...DEFAULT_PROOF_LIMITS,
  minDifficulty: 1,
  challengeWork: { min: 1, max: 1_048_576, default: 1024 },
};

/** 32 random bytes as 64 lowercase hex. */
export const randomHex = (): string => randomBytes(32).toString('hex');

/** An in-memory anchor chain: anchors 0..head with random hashes. */
export interface AnchorChain extends AnchorSource {
  head: number;
  readonly hashes: Map<number, string>;
}

/** Anchors 0..head, each a random hash. */
export function anchorChain(head = 20): AnchorChain {
  const hashes = new Map<number, string>();
  for (let i = 0; i <= head; i++) hashes.set(i, randomHex());
  return {
    head,
    hashes,
    async headIndex() {
      return this.head;
    },
    async hashAt(index) {
      return this.hashes.get(index) ?? null;
    },
  };
}

/** An engine for both roles. */
export type Engine = ProvingEngine & VerifyingEngine;

/** Runs `suite` once with the in-thread engine and once with a 2-thread pool (closed afterwards). */
export function describeEachEngine(name: string, suite: (engine: () => Engine, engineName: string) => void): void {
  describe(`${name} [in-thread]`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = proverEngine(await loadProver());
    });
    suite(() => engine, 'in-thread');
  });
  describe(`${name} [pool]`, () => {
    let pool: ProverPool;
    let engine: Engine;
    beforeAll(() => {
      pool = new ProverPool({ threads: 2 });
      engine = poolEngine(pool);
    });
    afterAll(async () => {
      await pool.close();
    });
    suite(() => engine, 'pool');
  });
}

/**
 * A proving engine whose chain replaces b_i by a random value for each i in `broken` and continues honestly from
 * it: exactly the links i in `broken` are not the beat of their predecessor. Its iterate is the honest one.
 */
export function brokenChainEngine(prover: Prover, broken: ReadonlySet<number>): ProvingEngine {
  const honest = proverEngine(prover);
  return {
    iterate: honest.iterate,
    async chain({ from, fromIndex, count, difficulty, anchorHash }) {
      const beats = new Uint8Array(count * 32);
      let prev = from;
      let i = fromIndex + 1;
      while (i <= fromIndex + count) {
        if (broken.has(i)) {
          const fake = randomBytes(32);
          beats.set(fake, (i - fromIndex - 1) * 32);
          prev = fake.toString('hex');
          i++;
          continue;
        }
        let end = i; // honest run i..end
        while (end + 1 <= fromIndex + count && !broken.has(end + 1)) end++;
        const run = prover.chain({ from: prev, fromIndex: i - 1, count: end - i + 1, difficulty, anchorHash, keepBeats: true });
        beats.set(run.beats!, (i - fromIndex - 1) * 32);
        prev = run.toHash;
        i = end + 1;
      }
      return { toHash: prev, beats };
    },
  };
}
