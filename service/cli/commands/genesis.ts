// beats genesis --seed S: the genesis hash of a chain (protocol A1).
import { genesisHash } from '../../../shared/genesis.js';
import { parseFlags, requireString } from '../options.js';

/** Prints the genesis hash of the chain named by --seed. */
export async function genesisCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, { seed: { type: 'string' } });
  out(genesisHash(requireString(flags, 'seed')));
}
