// Signed receipts: payload plus a base64 Ed25519 signature over its canonical JSON (protocol A3, C; peer-protocol §4).
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json.js';
import { decodeBase64, encodeBase64, utf8Encode } from './base64.js';
import { ed25519Sign, ed25519Verify } from './ed25519.js';
import { bytesToHex } from './hex.js';

/** A value a receipt field may hold: receipts are flat (protocol A3 "All receipt values are scalars"). */
export type ReceiptValue = string | number | boolean | null;

/** A signed payload: every field of the payload plus `signature`. */
export type Signed<P extends object> = P & { signature: string };

/** Ed25519 group order L, little-endian (RFC 8032 §5.1): a valid signature's S is below it. */
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** `{...payload, signature}` with signature = base64 Ed25519(secretKey, utf8(canonicalJson(payload))) (protocol A3). */
export function signReceipt<P extends object>(payload: P, secretKey: Uint8Array): Signed<P> {
  abytes(secretKey, 64, 'secretKey');
  assertScalarPayload(payload);
  const signature = ed25519Sign(utf8Encode(canonicalJson(payload)), secretKey);
  return { ...payload, signature: encodeBase64(signature) };
}

/**
 * True when `receipt.signature` is a valid Ed25519 signature by `publicKey` over the canonical JSON of every
 * other field (protocol A3). False, never a throw, for any malformed receipt; throws only on a malformed `publicKey`.
 */
export function verifyReceipt(receipt: unknown, publicKey: Uint8Array): boolean {
  abytes(publicKey, 32, 'publicKey');
  if (receipt === null || typeof receipt !== 'object' || Array.isArray(receipt)) return false;
  const { signature, ...payload } = receipt as Record<string, unknown>;
  const sig = decodeSignature(signature);
  if (sig === null || !isCanonicalS(sig)) return false;
  try {
    return ed25519Verify(utf8Encode(canonicalJson(payload)), sig, publicKey);
  } catch {
    return false; // e.g. a value JSON.stringify refuses (BigInt, cycles)
  }
}

/** Id of a receipt: hex SHA256 of its decoded signature bytes (protocol C); throws TypeError on a malformed signature. */
export function receiptId(receipt: { signature: string }): string {
  const sig = decodeSignature(receipt?.signature);
  if (sig === null) throw new TypeError('"signature" expected base64 of 64 bytes');
  return bytesToHex(sha256(sig));
}

function decodeSignature(signature: unknown): Uint8Array | null {
  if (typeof signature !== 'string') return null;
  try {
    const sig = decodeBase64(signature);
    return sig.length === 64 ? sig : null;
  } catch {
    return null;
  }
}

// tweetnacl accepts S + L as well as S, which would give one receipt two ids and let it be consumed twice
// (protocol C); RFC 8032 §5.1.7 requires rejecting S >= L.
function isCanonicalS(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i];
    if (s !== GROUP_ORDER_LE[i]) return s < GROUP_ORDER_LE[i];
  }
  return false; // S == L
}

function assertScalarPayload(payload: object): void {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new TypeError(`"payload" expected a plain object, got ${payload === null ? 'null' : typeof payload}`);
  }
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'signature') throw new TypeError('"payload" must not contain a "signature" field');
    const ok =
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new TypeError(`"payload.${key}" expected a string, finite number, boolean or null, got type=${typeof value}`);
  }
}
