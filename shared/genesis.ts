// Genesis of a beat chain (protocol A1).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from './hex.js';
import { utf8Encode } from './base64.js';

/** Domain prefix of a chain's genesis preimage (protocol A1). */
export const GENESIS_PREFIX = 'beats:genesis:v1:';

/** Hash of beat 0 of the chain named `seed`: hex SHA256(utf8("beats:genesis:v1:" + seed)) (protocol A1). */
export function genesisHash(seed: string): string {
  if (typeof seed !== 'string') throw new TypeError(`"seed" expected string, got type=${typeof seed}`);
  return bytesToHex(sha256(utf8Encode(GENESIS_PREFIX + seed)));
}
