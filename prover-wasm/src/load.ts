// Instantiates the WASM core from bytes or a compiled module: the path a browser takes (no Node
// imports here). SIMD is used where the engine validates the SIMD build.
import type { ProverExports } from './exports.js';
import { Prover } from './prover.js';

/** The two builds of the core; `scalar` is the fallback for engines without 128-bit SIMD. */
export interface ProverBinaries {
  simd?: BufferSource | WebAssembly.Module;
  scalar?: BufferSource | WebAssembly.Module;
}

/** Options for instantiating a prover. */
export interface LoadOptions {
  /** 'auto' (default): SIMD when available; 'scalar' forces the fallback build. */
  build?: 'auto' | 'simd' | 'scalar';
  /** Run each hot export once so V8 optimises it before real work (default true). */
  warmUp?: boolean;
}

/** Instantiates a Prover from the given builds; picks SIMD when the engine supports it. */
export async function instantiateProver(binaries: ProverBinaries, options: LoadOptions = {}): Promise<Prover> {
  const wanted = options.build ?? 'auto';
  const simdUsable = binaries.simd !== undefined && (binaries.simd instanceof WebAssembly.Module || WebAssembly.validate(binaries.simd));
  const useSimd = wanted === 'simd' || (wanted === 'auto' && simdUsable);
  const source = useSimd ? binaries.simd : binaries.scalar;
  if (source === undefined) throw new TypeError(`no ${useSimd ? 'SIMD' : 'scalar'} build of the prover was given`);
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  const prover = new Prover(instance.exports as unknown as ProverExports);
  if (options.warmUp !== false) prover.warmUp();
  return prover;
}

/** Fetches both builds from URLs (browser or any fetch-capable runtime) and instantiates. */
export async function loadProverFromUrls(urls: { simd: string | URL; scalar: string | URL }, options?: LoadOptions): Promise<Prover> {
  const fetchBytes = async (url: string | URL) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot fetch ${String(url)}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const [simd, scalar] = await Promise.all([fetchBytes(urls.simd), fetchBytes(urls.scalar)]);
  return instantiateProver({ simd, scalar }, options);
}
