// Node's loader: reads the builds from prover-wasm/build (dist/prover-wasm/build once compiled).
import { readFileSync } from 'node:fs';
import { instantiateProver, type LoadOptions } from './load.js';
import type { Prover } from './prover.js';

/** Paths of the two WASM builds next to this module. */
export const WASM_FILES = {
  simd: new URL('../build/beats-simd.wasm', import.meta.url),
  scalar: new URL('../build/beats-scalar.wasm', import.meta.url),
};

/** Loads a Prover in Node from the built WASM files. */
export async function loadProver(options?: LoadOptions): Promise<Prover> {
  return instantiateProver({ simd: readFileSync(WASM_FILES.simd), scalar: readFileSync(WASM_FILES.scalar) }, options);
}
