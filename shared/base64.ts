// Standard base64 (RFC 4648 §4, with padding) and UTF-8, without Buffer, for receipts' signatures (protocol A3).
import { abytes } from '@noble/hashes/utils.js';

// Canonical shape only: whole quads, padding at the end, no whitespace (atob alone would accept all of those).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// String.fromCharCode takes its arguments on the stack: stay well under engines' argument limits.
const CHUNK = 0x8000;

/** Standard padded base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Bytes of standard padded base64; throws TypeError on anything else (URL-safe alphabet, whitespace, missing padding). */
export function decodeBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got type=${typeof text}`);
  if (!BASE64.test(text)) throw new TypeError(`"text" expected standard padded base64, got length=${text.length}`);
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got type=${typeof text}`);
  return encoder.encode(text);
}

/** The string whose UTF-8 encoding is `bytes`; throws TypeError on invalid UTF-8. */
export function utf8Decode(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  return decoder.decode(bytes);
}
