// beats beat --prev H --index I --difficulty D [--anchor-hash A] [--nonce N]: one beat (protocol A1).
import { loadProver } from '../../../prover-wasm/src/load-node.js';
import { MAX_DIFFICULTY } from '../../../prover-wasm/src/beat-input.js';
import { parseFlags, readHash, readInteger, type Flags } from '../options.js';

/** Prints one beat's hash. */
export async function beatCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, {
    prev: { type: 'string' }, index: { type: 'string' }, difficulty: { type: 'string' },
    'anchor-hash': { type: 'string' }, nonce: { type: 'string' },
  });
  const input = {
    prev: readHash(flags, 'prev')!,
    index: readInteger(flags, 'index', 0, Number.MAX_SAFE_INTEGER),
    difficulty: readInteger(flags, 'difficulty', 0, MAX_DIFFICULTY),
    anchorHash: readHash(flags, 'anchor-hash', true),
    nonce: readNonce(flags),
  };
  const prover = await loadProver({ warmUp: false });
  out(prover.beat(input));
}

/** The --nonce flag as given (any UTF-8 text), or undefined. */
export function readNonce(flags: Flags): string | undefined {
  const nonce = flags.nonce;
  return typeof nonce === 'string' ? nonce : undefined;
}
