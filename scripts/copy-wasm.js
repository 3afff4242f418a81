// Copies the WASM builds next to the compiled loader, so dist/ resolves them the way sources do.
import { cpSync } from 'node:fs';

cpSync('prover-wasm/build', 'dist/prover-wasm/build', { recursive: true });
