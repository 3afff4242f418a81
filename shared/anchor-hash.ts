// Hash of a global anchor, the peer's "v3" formula (protocol A2; peer-protocol §2).
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, anumber } from '@noble/hashes/utils.js';
import { bytesToHex, hex32ToBytes } from './hex.js';
import { utf8Encode } from './base64.js';
import { writeU64BEInto } from './bytes.js';

/** `prev_hash` of anchor 0: hex SHA256(utf8("beats:genesis:v1:")) (protocol A2). */
export const ANCHOR_GENESIS_PREV = '85bcee012b801a99d2bac509b66d5127e482c227a769b72d609b04167f00e1cd';

/** ASCII domain tag that opens every anchor preimage (protocol A2). */
export const ANCHOR_DOMAIN = 'PROVENONCE_BEATS_V1';

const DOMAIN = utf8Encode(ANCHOR_DOMAIN);

/** hex SHA256(ascii("PROVENONCE_BEATS_V1") ‖ prev(32 B) ‖ u64be(beatIndex) ‖ entropy(32 B)) (protocol A2). */
export function computeAnchorHash(prevHashHex: string, beatIndex: number, entropy: Uint8Array): string {
  const prev = hex32ToBytes(prevHashHex, 'prevHashHex');
  anumber(beatIndex, 'beatIndex');
  abytes(entropy, 32, 'entropy');
  // 19 + 32 + 8 + 32 = 91 bytes, hashed once; difficulty is not part of it (peer-protocol §2).
  const preimage = new Uint8Array(DOMAIN.length + 32 + 8 + 32);
  preimage.set(DOMAIN, 0);
  preimage.set(prev, DOMAIN.length);
  writeU64BEInto(preimage, DOMAIN.length + 32, beatIndex);
  preimage.set(entropy, DOMAIN.length + 40);
  return bytesToHex(sha256(preimage));
}
