// Checks on beat inputs before they reach WASM, in the shape of typed asserts: a TypeError or
// RangeError naming the field. The core trusts what it is given, so everything is checked here.

const LOWER_HEX_64 = /^[0-9a-f]{64}$/;
/** Largest difficulty the core accepts (u32 iterations per beat). */
export const MAX_DIFFICULTY = 0xffffffff;
/** Largest nonce, in UTF-8 bytes. */
export const MAX_NONCE_BYTES = 1 << 20;

/** Throws unless `value` is a 64-char lowercase hex string (how the protocol writes 32 bytes). */
export function assertHash(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !LOWER_HEX_64.test(value)) {
    const got = typeof value === 'string' ? `length=${value.length}` : `type=${typeof value}`;
    throw new TypeError(`"${name}" expected 64 lowercase hex characters, got ${got}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function assertInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`"${name}" expected an integer, got ${typeof value === 'number' ? value : `type=${typeof value}`}`);
  }
  if (value < min || value > max) throw new RangeError(`"${name}" expected an integer in [${min}, ${max}], got ${value}`);
}

/** The anchor to weave, or null: '' and null mean none, as in the peer's computeBeat. */
export function normalizeAnchor(anchorHash: string | null | undefined): string | null {
  if (anchorHash === undefined || anchorHash === null || anchorHash === '') return null;
  assertHash(anchorHash, 'anchorHash');
  return anchorHash;
}

/** UTF-8 bytes of the nonce ('' when absent), bounded by MAX_NONCE_BYTES. */
export function encodeNonce(nonce: string | undefined): Uint8Array {
  if (nonce === undefined) return new Uint8Array(0);
  if (typeof nonce !== 'string') throw new TypeError(`"nonce" expected a string, got type=${typeof nonce}`);
  const bytes = new TextEncoder().encode(nonce);
  if (bytes.length > MAX_NONCE_BYTES) throw new RangeError(`"nonce" expected at most ${MAX_NONCE_BYTES} UTF-8 bytes, got ${bytes.length}`);
  return bytes;
}
