import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { createHash } from 'node:crypto';
import {
  ANCHOR_KEY_INFO, WORK_PROOF_KEY_INFO, deriveKeyPair, deriveSeed, deriveServiceKeys, keyId,
} from '../../shared/signing-keys.js';
import { bytesToHex } from '../../shared/hex.js';

// peer-protocol §4 "Signing vector" (synthetic; the peer's info strings, not ours).
const ROOT = new Uint8Array(32).fill(0x01);
const PEER_WORK_PROOF_INFO = 'provenonce:beats:work-proof:v1';
const PEER_TIMESTAMP_INFO = 'provenonce:beats:timestamp-receipt:v1';

describe('signing keys (protocol A3)', () => {
  it('derives the peer vector HKDF output and public keys', () => {
    expect(bytesToHex(deriveSeed(ROOT, PEER_WORK_PROOF_INFO))).toBe('d260e111827b03950c83b5402439f13fd5bdff1ef1463b7903e16bc1fb7b666a');
    expect(bytesToHex(deriveKeyPair(ROOT, PEER_WORK_PROOF_INFO).publicKey)).toBe('b643bbddbb30867cd3a9af8395956a650a87255e4ca8d2cbc079b6c9d1face20');
    expect(bytesToHex(deriveKeyPair(ROOT, PEER_TIMESTAMP_INFO).publicKey)).toBe('a140b97b7b17fdc529f3f750e1bf03f3269ca6b1610492f82e8b2bcd89f3d1b9');
  });

  it('returns tweetnacl 64-byte secret keys that sign for the public key', () => {
    const { publicKey, secretKey } = deriveKeyPair(ROOT, WORK_PROOF_KEY_INFO);
    expect(secretKey.length).toBe(64);
    expect(secretKey.subarray(32)).toEqual(publicKey);
    const msg = Uint8Array.from([1, 2, 3]);
    expect(nacl.sign.detached.verify(msg, nacl.sign.detached(msg, secretKey), publicKey)).toBe(true);
  });

  it('kid is the first 16 hex chars of SHA256(public key)', () => {
    const { publicKey, kid } = deriveKeyPair(ROOT, ANCHOR_KEY_INFO);
    expect(kid).toBe(createHash('sha256').update(publicKey).digest('hex').slice(0, 16));
    expect(keyId(publicKey)).toBe(kid);
    expect(kid).toMatch(/^[0-9a-f]{16}$/);
  });

  it('deriveServiceKeys uses the two Beats info strings and gives distinct keys', () => {
    const keys = deriveServiceKeys(ROOT);
    expect(keys.anchor).toEqual(deriveKeyPair(ROOT, 'beats:anchor:v1'));
    expect(keys.workProof).toEqual(deriveKeyPair(ROOT, 'beats:work-proof:v1'));
    expect(keys.anchor.kid).not.toBe(keys.workProof.kid);
    expect(deriveServiceKeys(new Uint8Array(32).fill(2)).anchor.kid).not.toBe(keys.anchor.kid);
  });

  it('requires a 32-byte root seed and a string info', () => {
    expect(() => deriveSeed(new Uint8Array(31), ANCHOR_KEY_INFO)).toThrow(
      new RangeError('"rootSeed" expected Uint8Array of length 32, got length=31'),
    );
    expect(() => deriveSeed('seed' as unknown as Uint8Array, ANCHOR_KEY_INFO)).toThrow(TypeError);
    expect(() => deriveSeed(ROOT, 7 as unknown as string)).toThrow(TypeError);
  });
});
