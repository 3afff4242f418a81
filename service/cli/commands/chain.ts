// beats chain --from H --start-index I --beats N --difficulty D [--anchor-hash A] [--nonce N] [--json]
// Computes beats I+1 … I+N after H (H stands at index I) in WASM and prints the last hash.
import { MAX_DIFFICULTY } from '../../../prover-wasm/src/beat-input.js';
import { loadProver } from '../../../prover-wasm/src/load-node.js';
import { parseFlags, readHash, readInteger } from '../options.js';
import { readNonce } from './beat.js';

/** Prints the chain's last hash, or with --json its figures. */
export async function chainCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, {
    from: { type: 'string' }, 'start-index': { type: 'string' }, beats: { type: 'string' }, difficulty: { type: 'string' },
    'anchor-hash': { type: 'string' }, nonce: { type: 'string' }, json: { type: 'boolean' },
  });
  const from = readHash(flags, 'from')!;
  const fromIndex = readInteger(flags, 'start-index', 0, Number.MAX_SAFE_INTEGER - 1, 0);
  const count = readInteger(flags, 'beats', 1, Number.MAX_SAFE_INTEGER - 1 - fromIndex);
  const difficulty = readInteger(flags, 'difficulty', 0, MAX_DIFFICULTY);
  const anchorHash = readHash(flags, 'anchor-hash', true);
  const prover = await loadProver();
  const t0 = process.hrtime.bigint();
  const { toHash } = prover.chain({ from, fromIndex, count, difficulty, anchorHash, nonce: readNonce(flags) });
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  if (!flags.json) return out(toHash);
  const iterations = count * (difficulty + 1);
  out(JSON.stringify({
    from_hash: from, start_index: fromIndex, to_hash: toHash, beats: count, difficulty,
    anchor_hash: anchorHash ?? null, iterations, elapsed_ms: Math.round(elapsedNs / 1e4) / 100,
    ns_per_iteration: Math.round((elapsedNs / iterations) * 10) / 10,
  }));
}
