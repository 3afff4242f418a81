// The Ed25519 backends agree: Node's OpenSSL signs exactly what tweetnacl signs (RFC 8032 is
// deterministic), each verifies the other's signatures, and both refuse the same forgeries.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { ed25519Sign, ed25519Verify, isSmallOrder, TWEETNACL_BACKEND, useEd25519Backend } from '../../shared/ed25519.js';
import { signReceipt, verifyReceipt } from '../../shared/receipts.js';
import { NODE_ED25519_BACKEND } from '../../service/ed25519-node.js';

describe('Ed25519 backends', () => {
  afterEach(() => {
    useEd25519Backend(TWEETNACL_BACKEND);
  });

  it('sign identically and verify each other on random keys and messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 2000 }), (seed, message) => {
        const { secretKey, publicKey } = nacl.sign.keyPair.fromSeed(seed);
        const a = TWEETNACL_BACKEND.sign(message, secretKey);
        const b = NODE_ED25519_BACKEND.sign(message, secretKey);
        expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
        expect(NODE_ED25519_BACKEND.verify(message, a, publicKey)).toBe(true);
        expect(TWEETNACL_BACKEND.verify(message, b, publicKey)).toBe(true);
        const flipped = Uint8Array.from(b);
        flipped[message.length % 64] ^= 1;
        expect(NODE_ED25519_BACKEND.verify(message, flipped, publicKey)).toBe(false);
        expect(TWEETNACL_BACKEND.verify(message, flipped, publicKey)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('receipts signed under one backend verify under the other; a wrong key or junk never throws', () => {
    const { secretKey, publicKey } = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
    useEd25519Backend(NODE_ED25519_BACKEND);
    const receipt = signReceipt({ type: 'work_proof', beats_verified: 5 }, secretKey);
    useEd25519Backend(TWEETNACL_BACKEND);
    expect(verifyReceipt(receipt, publicKey)).toBe(true);
    expect(signReceipt({ type: 'work_proof', beats_verified: 5 }, secretKey).signature).toBe(receipt.signature);
    useEd25519Backend(NODE_ED25519_BACKEND);
    expect(verifyReceipt(receipt, publicKey)).toBe(true);
    expect(verifyReceipt(receipt, new Uint8Array(32).fill(1))).toBe(false);
    expect(ed25519Verify(new Uint8Array(3), new Uint8Array(64), new Uint8Array(32))).toBe(false); // small-order key
    expect(ed25519Sign(new Uint8Array(1), secretKey)).toHaveLength(64);
  });

  it('refuses small-order public keys under every backend, where a forged all-zero signature verifies for many messages', () => {
    const zeroKey = new Uint8Array(32);
    const zeroSignature = new Uint8Array(64);
    // About one message in four: R + [k]A is the identity when A has order 4 (OpenSSL accepts it).
    const forgeable = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => new Uint8Array([n])).find((m) => NODE_ED25519_BACKEND.verify(m, zeroSignature, zeroKey));
    expect(forgeable).toBeDefined();
    for (const b of [NODE_ED25519_BACKEND, TWEETNACL_BACKEND]) {
      useEd25519Backend(b);
      expect(ed25519Verify(forgeable!, zeroSignature, zeroKey)).toBe(false);
      const orderTwo = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xec : i === 31 ? 0xff : 0xff)); // p−1 with the sign bit set
      expect(isSmallOrder(orderTwo)).toBe(true);
      expect(ed25519Verify(new Uint8Array(1), zeroSignature, orderTwo)).toBe(false);
    }
    expect(isSmallOrder(nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3)).publicKey)).toBe(false);
  });
});
