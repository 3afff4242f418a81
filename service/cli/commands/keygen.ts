// beats keygen: prints a new 32-byte signing seed (64 hex) from the CSPRNG, for BEATS_SIGNING_SEED.
import { randomBytes } from 'node:crypto';
import { parseFlags } from '../options.js';

/** Prints a fresh root signing seed. */
export async function keygenCommand(argv: string[], out: (line: string) => void): Promise<void> {
  parseFlags(argv, {});
  out(randomBytes(32).toString('hex'));
}
