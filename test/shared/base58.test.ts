import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase58, encodeBase58 } from '../../shared/base58.js';
import { bytesToHex, hexToBytes } from '../../shared/hex.js';

// Known vectors from the bs58 / base-x test suites.
const VECTORS: [string, string][] = [
  ['', ''],
  ['61', '2g'],
  ['626262', 'a3gV'],
  ['636363', 'aPEr'],
  ['73696d706c792061206c6f6e6720737472696e67', '2cFupjhnEsSn59qHXstmK2ffpLv2'],
  ['00eb15231dfceb60925886b67d065299925915aeb172c06647', '1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L'],
  ['516b6fcd0f', 'ABnLTmg'],
  ['bf4f89001e670274dd', '3SEo3LWLoPntC'],
  ['572e4794', '3EFU7m'],
  ['ecac89cad93923c02321', 'EJDM8drfXA6uyA'],
  ['10c8511e', 'Rt5zm'],
  ['00000000000000000000', '1111111111'],
  ['000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5', '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'],
];

describe('base58', () => {
  it.each(VECTORS)('hex %s <-> %s', (hex, text) => {
    expect(encodeBase58(hexToBytes(hex))).toBe(text);
    expect(bytesToHex(decodeBase58(text))).toBe(hex);
  });

  it('decodes the peer anchor entropy to 32 bytes and re-encodes it identically (protocol A2)', () => {
    const text = '4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZAMdL1VZHirAn';
    const bytes = decodeBase58(text);
    expect(bytes.length).toBe(32);
    expect(encodeBase58(bytes)).toBe(text);
  });

  it('maps leading zero bytes to leading 1s, like bs58 (also for all-zero input)', () => {
    expect(encodeBase58(new Uint8Array(3))).toBe('111');
    expect(decodeBase58('111')).toEqual(new Uint8Array(3));
    expect(decodeBase58('1112')).toEqual(Uint8Array.from([0, 0, 0, 1]));
  });

  it('round-trips arbitrary bytes, leading zeros included', () => {
    const withZeros = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 64 }))
      .map(([zeros, rest]) => Uint8Array.from([...new Uint8Array(zeros), ...rest]));
    fc.assert(fc.property(withZeros, (bytes) => {
      expect(decodeBase58(encodeBase58(bytes))).toEqual(bytes);
    }));
  });

  it('throws TypeError on characters outside the alphabet', () => {
    for (const bad of ['0', 'O', 'I', 'l', 'abc!', ' 2g', '2g\n']) {
      expect(() => decodeBase58(bad)).toThrow(TypeError);
    }
  });

  it('rejects wrong argument types', () => {
    expect(() => encodeBase58('abc' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeBase58(5 as unknown as string)).toThrow(TypeError);
  });
});
