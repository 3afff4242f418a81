// Base58 with the Bitcoin alphabet, byte-for-byte compatible with `bs58` (protocol A2 `solana_entropy`, A3 `public_key_base58`).
import { abytes } from '@noble/hashes/utils.js';

/** The Bitcoin base58 alphabet (no 0, O, I, l). */
export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const DIGIT_OF = new Map([...BASE58_ALPHABET].map((ch, i) => [ch, i]));

/** Base58 of `bytes`; each leading 0x00 byte becomes a leading '1'. */
export function encodeBase58(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Schoolbook base conversion 256 -> 58; digits are kept least significant first.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let j = digits.length - 1; j >= 0; j--) out += BASE58_ALPHABET[digits[j]];
  return out;
}

/** Bytes of a base58 string; each leading '1' becomes a 0x00 byte. Throws TypeError on a character outside the alphabet. */
export function decodeBase58(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got type=${typeof text}`);
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  // Base conversion 58 -> 256; bytes are kept least significant first.
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    let carry = DIGIT_OF.get(text[i]);
    if (carry === undefined) {
      throw new TypeError(`"text" expected base58, got invalid character ${JSON.stringify(text[i])} at position ${i}`);
    }
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let j = 0; j < bytes.length; j++) out[out.length - 1 - j] = bytes[j];
  return out;
}
