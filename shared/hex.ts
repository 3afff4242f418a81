// Lowercase hex <-> bytes. Inside beats messages a 32-byte value is plain 64 hex (protocol, intro).

const HEX_64 = /^[0-9a-f]{64}$/;

/** True for a 64-char lowercase hex string (a 32-byte value as the protocol writes it). */
export function isHex64(value: unknown): value is string {
  return typeof value === 'string' && HEX_64.test(value);
}

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]];
  return out;
}

/** Bytes of an even-length hex string (either case); throws TypeError on anything else. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`"hex" expected an even-length hex string, got ${describe(hex)}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (NIBBLE[hex.charCodeAt(2 * i)] << 4) | NIBBLE[hex.charCodeAt(2 * i + 1)];
  return out;
}

/** Bytes of a 32-byte value given as 64 hex chars; `name` appears in the error. */
export function hex32ToBytes(hex: string, name = 'hash'): Uint8Array {
  if (typeof hex !== 'string' || hex.length !== 64 || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TypeError(`"${name}" expected 64 hex characters, got ${describe(hex)}`);
  }
  return hexToBytes(hex);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `length=${value.length}` : `type=${typeof value}`;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Value of a hex digit by char code (the string was checked to hold hex digits only). */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
