// The long-message NIST vector: one million 'a' through the WASM core, both builds.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';

const { million_a: v } = JSON.parse(readFileSync(new URL('../vectors/sha256-nist.json', import.meta.url), 'utf8'));

it.each(['simd', 'scalar'] as const)("NIST: one million 'a' (%s build)", async (build) => {
  const prover = await loadProver({ build, warmUp: false });
  expect(bytesToHex(prover.sha256(new TextEncoder().encode(v.repeat.repeat(v.count))))).toBe(v.digest);
});
