// Global anchors: building, signing and checking the anchor object of protocol A2 (peer-protocol §2, §4
// "Anchor receipt"). Pure and browser-safe: a verifier needs only this file, `/key` and `/anchor/:index`.
import { abytes } from '@noble/hashes/utils.js';
import { ANCHOR_GENESIS_PREV, computeAnchorHash } from './anchor-hash.js';
import { decodeBase58, encodeBase58 } from './base58.js';
import { bytesToHex, isHex64 } from './hex.js';
import { signReceipt, verifyReceipt } from './receipts.js';

/** Anchors per epoch: `epoch = floor(beat_index / 100)` (peer-protocol §2, EPOCH_LENGTH). */
export const ANCHOR_EPOCH_LENGTH = 100;

/** The anchor object as served in `GET /anchor` and signed by the anchor key (protocol A2). */
export interface Anchor {
  type: 'anchor';
  beat_index: number;
  /** hex SHA256("PROVENONCE_BEATS_V1" ‖ prev_hash ‖ u64be(beat_index) ‖ entropy). */
  hash: string;
  prev_hash: string;
  /** Epoch milliseconds at which the anchor was made. */
  utc: number;
  /** The difficulty the service publishes; informational, not part of the hash. */
  difficulty: number;
  epoch: number;
  /** The 32 entropy bytes in base58 (the peer's field name, kept so its clients recompute the hash). */
  solana_entropy: string;
  /** The same 32 entropy bytes in hex. */
  entropy: string;
}

/** What the next anchor links to: the previous anchor's index and hash. */
export interface AnchorLink {
  beat_index: number;
  hash: string;
}

/** Input of `buildAnchor`. */
export interface BuildAnchorInput {
  /** The current head, or null for anchor 0. */
  previous: AnchorLink | null;
  /** 32 bytes from a CSPRNG, drawn when the anchor is made. */
  entropy: Uint8Array;
  /** Epoch milliseconds. */
  utc: number;
  difficulty: number;
  /** Anchors per epoch (default ANCHOR_EPOCH_LENGTH). */
  epochLength?: number;
}

/** The anchor following `previous` (index 0 with prev ANCHOR_GENESIS_PREV when null), hash computed (protocol A2). */
export function buildAnchor(input: BuildAnchorInput): Anchor {
  const { previous, entropy, utc, difficulty, epochLength = ANCHOR_EPOCH_LENGTH } = input;
  abytes(entropy, 32, 'entropy');
  // Its base58 is all '1's, which the peer's decoder reads as 33 bytes: its clients could not recompute the hash.
  if (entropy.every((b) => b === 0)) throw new RangeError('"entropy" expected a CSPRNG draw, got 32 zero bytes');
  assertInteger(utc, 'utc', 0);
  assertInteger(difficulty, 'difficulty', 1);
  assertInteger(epochLength, 'epochLength', 1);
  if (previous !== null) {
    assertInteger(previous.beat_index, 'previous.beat_index', 0);
    if (!isHex64(previous.hash)) throw new TypeError('"previous.hash" expected 64 lowercase hex characters');
  }
  const beatIndex = previous === null ? 0 : previous.beat_index + 1;
  assertInteger(beatIndex, 'beat_index', 0);
  const prevHash = previous === null ? ANCHOR_GENESIS_PREV : previous.hash;
  return {
    type: 'anchor',
    beat_index: beatIndex,
    hash: computeAnchorHash(prevHash, beatIndex, entropy),
    prev_hash: prevHash,
    utc,
    difficulty,
    epoch: Math.floor(beatIndex / epochLength),
    solana_entropy: encodeBase58(entropy),
    entropy: bytesToHex(entropy),
  };
}

/** Base64 Ed25519 signature over the canonical JSON of `anchor` (protocol A2 `receipt.signature`). */
export function signAnchor(anchor: Anchor, secretKey: Uint8Array): string {
  return signReceipt(anchor, secretKey).signature;
}

/**
 * True when `anchor` is well formed, its two entropy encodings agree, its hash recomputes from
 * prev_hash, beat_index and entropy, and `signatureBase64` is `publicKey`'s signature over its
 * canonical JSON. False, never a throw, for a malformed anchor; throws only on a malformed `publicKey`.
 */
export function verifyAnchor(anchor: unknown, signatureBase64: unknown, publicKey: Uint8Array): boolean {
  abytes(publicKey, 32, 'publicKey');
  if (!verifyAnchorHash(anchor)) return false;
  if (typeof signatureBase64 !== 'string' || 'signature' in anchor) return false;
  return verifyReceipt({ ...anchor, signature: signatureBase64 }, publicKey);
}

/** True when `anchor` is well formed and its hash recomputes from its fields (protocol A2); no signature check. */
export function verifyAnchorHash(anchor: unknown): anchor is Anchor {
  if (!isAnchorShape(anchor)) return false;
  let entropy: Uint8Array;
  try {
    entropy = decodeBase58(anchor.solana_entropy);
  } catch {
    return false;
  }
  // The peer's clients hash the base58-decoded bytes; `entropy` must name the very same 32 bytes.
  if (entropy.length !== 32 || bytesToHex(entropy) !== anchor.entropy) return false;
  return computeAnchorHash(anchor.prev_hash, anchor.beat_index, entropy) === anchor.hash;
}

/** True when `next` directly extends `previous`: the next index, and prev_hash equal to previous's hash (peer continuity). */
export function verifyAnchorLink(previous: AnchorLink, next: AnchorLink & { prev_hash: string }): boolean {
  return (
    Number.isSafeInteger(previous.beat_index) &&
    next.beat_index === previous.beat_index + 1 &&
    isHex64(previous.hash) &&
    next.prev_hash === previous.hash
  );
}

function isAnchorShape(value: unknown): value is Anchor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  return (
    a.type === 'anchor' &&
    isNonNegativeInteger(a.beat_index) &&
    isHex64(a.hash) &&
    isHex64(a.prev_hash) &&
    isNonNegativeInteger(a.utc) &&
    isNonNegativeInteger(a.difficulty) &&
    (a.difficulty as number) > 0 &&
    isNonNegativeInteger(a.epoch) &&
    typeof a.solana_entropy === 'string' &&
    isHex64(a.entropy)
  );
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function assertInteger(value: number, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`"${name}" expected a safe integer >= ${min}, got ${value}`);
  }
}
