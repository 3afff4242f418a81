// Big-endian integer encodings and byte comparison shared by the protocol's preimages (protocol, intro:
// `u64be`/`u32be` are big-endian integers). Pure and browser-safe.
import { anumber } from '@noble/hashes/utils.js';

/** Writes `value` (a safe integer ≥ 0) as 8 big-endian bytes at `offset` of `out`. */
export function writeU64BEInto(out: Uint8Array, offset: number, value: number): void {
  anumber(value, 'value');
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // Two u32 halves: bitwise operators would truncate values above 2^32.
  view.setUint32(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 4, value >>> 0);
}

/** Writes `value` (an integer in [0, 2^32 − 1]) as 4 big-endian bytes at `offset` of `out`. */
export function writeU32BEInto(out: Uint8Array, offset: number, value: number): void {
  anumber(value, 'value');
  if (value > 0xffffffff) throw new RangeError(`"value" expected integer <= ${0xffffffff}, got ${value}`);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(offset, value);
}

/** u64be(value): 8 big-endian bytes of a safe integer ≥ 0. */
export function u64be(value: number): Uint8Array {
  const out = new Uint8Array(8);
  writeU64BEInto(out, 0, value);
  return out;
}

/** u32be(value): 4 big-endian bytes of an integer in [0, 2^32 − 1]. */
export function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32BEInto(out, 0, value);
  return out;
}

/** True when `a` and `b` hold the same bytes (not constant-time: for public values only). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
