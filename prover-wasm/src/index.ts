// The prover's public surface for Node (the browser imports load.ts and prover.ts directly).
export { Prover, type BatchParams, type BeatInput, type ChainParams, type ChainResult } from './prover.js';
export { instantiateProver, loadProverFromUrls, type LoadOptions, type ProverBinaries } from './load.js';
export { loadProver, WASM_FILES } from './load-node.js';
export { ProverPool, type ProverPoolOptions, type ChainCallOptions } from './pool.js';
export { ProverCancelledError, ProverClosedError, ProverQueueFullError } from './errors.js';
export { MAX_DIFFICULTY, MAX_NONCE_BYTES } from './beat-input.js';
