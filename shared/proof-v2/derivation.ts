// The derived values of work proof v2: the chain's start bound to an anchor and a subject (protocol B1)
// and the Fiat–Shamir challenges drawn from the committed chain (protocol B3). Pure and browser-safe.
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, anumber, isBytes } from '@noble/hashes/utils.js';
import { utf8Encode } from '../base64.js';
import { writeU32BEInto, writeU64BEInto } from '../bytes.js';
import { bytesToHex, hexToBytes, isHex64 } from '../hex.js';
import type { IterateFn } from '../proof-engine.js';

/** ASCII tag opening the from_hash preimage (protocol B1). */
export const SEED_DOMAIN = 'beats/v2/seed';
/** ASCII tag opening the challenge seed c0 preimage (protocol B3). */
export const FS_DOMAIN = 'beats/v2/fs';

const SEED_TAG = utf8Encode(SEED_DOMAIN);
const FS_TAG = utf8Encode(FS_DOMAIN);
const U32_MAX = 0xffffffff;

/** from_hash = hex SHA256(ascii("beats/v2/seed") ‖ anchor_hash ‖ u64be(anchor_index) ‖ subject) (protocol B1). */
export function deriveFromHash(anchorHash: string, anchorIndex: number, subject: string): string {
  const anchor = hash32(anchorHash, 'anchorHash');
  anumber(anchorIndex, 'anchorIndex');
  const who = hash32(subject, 'subject');
  const preimage = new Uint8Array(SEED_TAG.length + 32 + 8 + 32);
  preimage.set(SEED_TAG, 0);
  preimage.set(anchor, SEED_TAG.length);
  writeU64BEInto(preimage, SEED_TAG.length + 32, anchorIndex);
  preimage.set(who, SEED_TAG.length + 40);
  return bytesToHex(sha256(preimage));
}

/** Everything the challenge seed c0 commits to (protocol B3), 32-byte values as 64 lowercase hex. */
export interface ChallengeSeedInput {
  anchorHash: string;
  anchorIndex: number;
  subject: string;
  fromHash: string;
  toHash: string;
  /** N = beats_computed. */
  beats: number;
  /** d, a u32. */
  difficulty: number;
  /** k, a u32. */
  k: number;
  merkleRoot: string;
}

/**
 * c0 = SHA256(ascii("beats/v2/fs") ‖ anchor_hash ‖ u64be(anchor_index) ‖ subject ‖ from_hash ‖ to_hash ‖ u64be(N) ‖
 * u32be(d) ‖ u32be(k) ‖ merkle_root) (protocol B3), as 32 bytes.
 */
export function challengeSeed(input: ChallengeSeedInput): Uint8Array {
  const { anchorIndex, beats, difficulty, k } = input;
  const parts = [
    hash32(input.anchorHash, 'anchorHash'),
    hash32(input.subject, 'subject'),
    hash32(input.fromHash, 'fromHash'),
    hash32(input.toHash, 'toHash'),
    hash32(input.merkleRoot, 'merkleRoot'),
  ];
  anumber(anchorIndex, 'anchorIndex');
  anumber(beats, 'beats');
  u32(difficulty, 'difficulty');
  u32(k, 'k');
  const [anchor, subject, from, to, root] = parts;
  const out = new Uint8Array(FS_TAG.length + 32 + 8 + 32 + 32 + 32 + 8 + 4 + 4 + 32);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    out.set(bytes, at);
    at += bytes.length;
  };
  put(FS_TAG);
  put(anchor);
  writeU64BEInto(out, at, anchorIndex);
  at += 8;
  put(subject);
  put(from);
  put(to);
  writeU64BEInto(out, at, beats);
  at += 8;
  writeU32BEInto(out, at, difficulty);
  writeU32BEInto(out, at + 4, k);
  at += 8;
  put(root);
  return sha256(out);
}

/**
 * The k challenged indices i_j = 1 + (u64be(SHA256(s ‖ u32be(j))[0..8]) mod N), j = 0..k−1, with s = SHA256^W(c0)
 * computed by `iterate` (protocol B3). Each index lies in [1, N].
 */
export async function deriveChallenges(c0: Uint8Array, challengeWork: number, k: number, n: number, iterate: IterateFn): Promise<number[]> {
  abytes(c0, 32, 'c0');
  u32(challengeWork, 'challengeWork');
  u32(k, 'k');
  anumber(n, 'n');
  if (n < 1) throw new RangeError(`"n" expected integer >= 1, got ${n}`);
  const s = await iterate(c0, challengeWork);
  if (!isBytes(s) || s.length !== 32) throw new TypeError('"iterate" expected to return Uint8Array of length 32');
  const buf = new Uint8Array(36); // s ‖ u32be(j)
  buf.set(s, 0);
  const modulus = BigInt(n);
  const indices = new Array<number>(k);
  for (let j = 0; j < k; j++) {
    writeU32BEInto(buf, 32, j);
    const h = sha256(buf);
    const view = new DataView(h.buffer, h.byteOffset, 8);
    // The u64 does not fit a double exactly, so the reduction is done in BigInt.
    indices[j] = 1 + Number(view.getBigUint64(0) % modulus);
  }
  return indices;
}

/** Bytes of a 32-byte value written as 64 lowercase hex (the only form the protocol accepts). */
function hash32(value: unknown, name: string): Uint8Array {
  if (!isHex64(value)) {
    const got = typeof value === 'string' ? `length=${value.length}` : `type=${typeof value}`;
    throw new TypeError(`"${name}" expected 64 lowercase hex characters, got ${got}`);
  }
  return hexToBytes(value);
}

function u32(value: number, name: string): void {
  anumber(value, name);
  if (value > U32_MAX) throw new RangeError(`"${name}" expected integer <= ${U32_MAX}, got ${value}`);
}
