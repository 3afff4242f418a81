import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { createHash } from 'node:crypto';
import { receiptId, signReceipt, verifyReceipt } from '../../shared/receipts.js';
import { deriveKeyPair } from '../../shared/signing-keys.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { decodeBase64, encodeBase64, utf8Encode } from '../../shared/base64.js';

// peer-protocol §4 "Signing vector".
const ROOT = new Uint8Array(32).fill(0x01);
const KEY = deriveKeyPair(ROOT, 'provenonce:beats:work-proof:v1');
const OTHER = deriveKeyPair(ROOT, 'provenonce:beats:timestamp-receipt:v1');
const PAYLOAD = {
  type: 'work_proof',
  beats_verified: 1000,
  difficulty: 1000,
  anchor_index: 42,
  anchor_hash: null,
  from_hash: '447b93808b55f55e147d6cdbd43f1a2e390b73bc113fc33987a5287985673633',
  to_hash: 'e01885259b469c8e4e50b91247ba767ff0db983a45070ca696307d8e7a320ab2',
  utc: '2026-02-22T00:00:00.000Z',
};
const SIGNATURE = '0cCKHvC3T9rLuZESiqTQINJZu0BgAYoTh0Njna9sWpTrkJjFWVdxgEPk7NgBDUYsa0wYbC+zpjrczDQY9AYgAQ==';

// Ed25519 group order L (RFC 8032 §5.1).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

describe('receipts (protocol A3)', () => {
  it('reproduces the peer signing vector exactly', () => {
    const receipt = signReceipt(PAYLOAD, KEY.secretKey);
    expect(receipt.signature).toBe(SIGNATURE);
    expect(receipt).toEqual({ ...PAYLOAD, signature: SIGNATURE });
  });

  it('verifies the vector, also after a JSON round trip with keys in another order', () => {
    const receipt = { ...PAYLOAD, signature: SIGNATURE };
    expect(verifyReceipt(receipt, KEY.publicKey)).toBe(true);
    const shuffled = JSON.parse(JSON.stringify({ signature: SIGNATURE, ...Object.fromEntries(Object.entries(PAYLOAD).reverse()) }));
    expect(verifyReceipt(shuffled, KEY.publicKey)).toBe(true);
  });

  it('fails when any field is tampered with, added or removed', () => {
    const receipt: Record<string, unknown> = signReceipt(PAYLOAD, KEY.secretKey);
    for (const [key, value] of Object.entries(PAYLOAD)) {
      const changed = typeof value === 'number' ? value + 1 : value === null ? '00'.repeat(32) : `${value}x`;
      expect(verifyReceipt({ ...receipt, [key]: changed }, KEY.publicKey)).toBe(false);
      const { [key]: _removed, ...without } = receipt;
      expect(verifyReceipt(without, KEY.publicKey)).toBe(false);
    }
    expect(verifyReceipt({ ...receipt, extra: 1 }, KEY.publicKey)).toBe(false);
    expect(verifyReceipt({ ...receipt, beats_verified: '1000' }, KEY.publicKey)).toBe(false);
  });

  it('fails with another key', () => {
    expect(verifyReceipt({ ...PAYLOAD, signature: SIGNATURE }, OTHER.publicKey)).toBe(false);
  });

  it('returns false, never throws, for missing or malformed signatures and receipts', () => {
    const bad: unknown[] = [
      PAYLOAD,
      { ...PAYLOAD, signature: null },
      { ...PAYLOAD, signature: 42 },
      { ...PAYLOAD, signature: '' },
      { ...PAYLOAD, signature: 'not base64!' },
      { ...PAYLOAD, signature: SIGNATURE.slice(0, -4) },
      { ...PAYLOAD, signature: encodeBase64(new Uint8Array(65)) },
      { ...PAYLOAD, signature: encodeBase64(new Uint8Array(64)) },
      { ...PAYLOAD, big: 1n, signature: SIGNATURE },
      null, undefined, 'receipt', 7, [SIGNATURE],
    ];
    for (const receipt of bad) expect(verifyReceipt(receipt, KEY.publicKey)).toBe(false);
  });

  it('rejects a malleated signature (S + L) that tweetnacl alone would accept (RFC 8032 §5.1.7)', () => {
    const sig = decodeBase64(SIGNATURE);
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]);
    const malleated = sig.slice();
    let t = s + L;
    expect(t < 2n ** 256n).toBe(true);
    for (let i = 0; i < 32; i++, t >>= 8n) malleated[32 + i] = Number(t & 0xffn);
    const message = utf8Encode(canonicalJson(PAYLOAD));
    expect(nacl.sign.detached.verify(message, malleated, KEY.publicKey)).toBe(true);
    expect(verifyReceipt({ ...PAYLOAD, signature: encodeBase64(malleated) }, KEY.publicKey)).toBe(false);
  });

  it('receiptId is hex SHA256 of the signature bytes (protocol C)', () => {
    const expected = createHash('sha256').update(Buffer.from(SIGNATURE, 'base64')).digest('hex');
    expect(receiptId({ ...PAYLOAD, signature: SIGNATURE })).toBe(expected);
    expect(() => receiptId({ signature: 'nope' })).toThrow(TypeError);
    expect(() => receiptId({ signature: encodeBase64(new Uint8Array(32)) })).toThrow(TypeError);
  });

  it('refuses to sign non-scalar payloads, a payload with a signature, or with a bad key', () => {
    expect(() => signReceipt({ a: { b: 1 } }, KEY.secretKey)).toThrow(TypeError);
    expect(() => signReceipt({ a: undefined }, KEY.secretKey)).toThrow(TypeError);
    expect(() => signReceipt({ a: Number.NaN }, KEY.secretKey)).toThrow(TypeError);
    expect(() => signReceipt({ signature: 'x' }, KEY.secretKey)).toThrow(TypeError);
    expect(() => signReceipt(PAYLOAD, KEY.publicKey)).toThrow(
      new RangeError('"secretKey" expected Uint8Array of length 64, got length=32'),
    );
    expect(() => verifyReceipt(PAYLOAD, KEY.secretKey)).toThrow(RangeError);
  });
});
