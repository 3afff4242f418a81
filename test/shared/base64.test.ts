import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase64, encodeBase64, utf8Decode, utf8Encode } from '../../shared/base64.js';

describe('base64 (RFC 4648 §4)', () => {
  it.each([
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10 vector %j -> %s', (text, b64) => {
    expect(encodeBase64(utf8Encode(text))).toBe(b64);
    expect(utf8Decode(decodeBase64(b64))).toBe(text);
  });

  it('matches Buffer on random bytes, including inputs larger than one chunk', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b64 = encodeBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(b64)).toEqual(bytes);
    }));
    const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff);
    expect(encodeBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(decodeBase64(encodeBase64(big))).toEqual(big);
  });

  it('throws TypeError on anything but canonical padded standard base64', () => {
    for (const bad of ['Zg', 'Zg=', 'Z===', 'Zm9v\n', 'Zm 9v', '-_8=', 'Zm9v=', '====']) {
      expect(() => decodeBase64(bad)).toThrow(TypeError);
    }
  });
});

describe('utf8', () => {
  it('round-trips non-ASCII text', () => {
    const text = 'beats ✓ 𝄞 é';
    expect(utf8Encode(text)).toEqual(new Uint8Array(Buffer.from(text, 'utf8')));
    expect(utf8Decode(utf8Encode(text))).toBe(text);
  });

  it('throws TypeError on invalid UTF-8', () => {
    expect(() => utf8Decode(Uint8Array.from([0xff, 0xfe]))).toThrow(TypeError);
  });
});
