// Adapters from the prover to the proof engines of shared/proof-engine.ts: in-thread (tests, CLI,
// browsers' workers) and the pool (the service: batches spread across workers, 4 lanes each).
import type { ProvingEngine, VerifyingEngine } from '../../shared/proof-engine.js';
import type { ProverPool } from './pool.js';
import type { Prover } from './prover.js';

/** Proving and verifying on one in-thread Prover. */
export function proverEngine(prover: Prover): ProvingEngine & VerifyingEngine {
  return {
    async chain(p) {
      const { toHash, beats } = prover.chain({ ...p, keepBeats: true, shouldStop: () => p.signal?.aborted ?? false });
      return { toHash, beats: beats! };
    },
    async batch(p) {
      return prover.batch(p);
    },
    async iterate(input, iterations) {
      return prover.sha256Iterate(input, iterations);
    },
  };
}

/** Proving and verifying on the worker pool: a batch is split into one share per worker. */
export function poolEngine(pool: ProverPool): ProvingEngine & VerifyingEngine {
  return {
    async chain(p) {
      const { onProgress, signal, ...params } = p;
      const { toHash, beats } = await pool.chain({ ...params, keepBeats: true }, { onProgress, signal });
      return { toHash, beats: beats! };
    },
    async batch(p) {
      const count = p.indices.length;
      // Shares are whole groups of 4 so that no worker pads SIMD lanes it could have filled.
      const share = Math.max(4, Math.ceil(count / pool.threads / 4) * 4);
      if (count <= share) return pool.batch(p);
      const parts: Promise<Uint8Array>[] = [];
      for (let start = 0; start < count; start += share) {
        const end = Math.min(count, start + share);
        parts.push(pool.batch({ ...p, prevs: p.prevs.subarray(start * 32, end * 32), indices: p.indices.slice(start, end) }));
      }
      const out = new Uint8Array(count * 32);
      (await Promise.all(parts)).forEach((part, i) => out.set(part, i * share * 32));
      return out;
    },
    async iterate(input, iterations) {
      return pool.sha256Iterate(input, iterations);
    },
  };
}
