// shared/anchor.ts: building, signing and checking anchors (protocol A2), against the protocol's vector
// and the peer's own hash recomputation.
import { createBeatsClient, type AnchorResponse as PeerAnchorResponse, type BeatAnchor } from '@provenonce/beats-client';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  ANCHOR_EPOCH_LENGTH,
  buildAnchor,
  signAnchor,
  verifyAnchor,
  verifyAnchorHash,
  verifyAnchorLink,
  type Anchor,
} from '../../shared/anchor.js';
import { ANCHOR_GENESIS_PREV } from '../../shared/anchor-hash.js';
import { decodeBase58, encodeBase58 } from '../../shared/base58.js';
import { bytesToHex } from '../../shared/hex.js';
import { canonicalJson } from '../../shared/canonical-json.js';

// Protocol A2 / peer-protocol §2 vector: prev = genesis prev, index 1, this entropy.
const VECTOR_ENTROPY_B58 = '4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZAMdL1VZHirAn';
const VECTOR_HASH = 'b699fd8babc06edb4ce52f7e989174f03e1a79617ee6d024fc597d353c81c605';

const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4));
const peer = createBeatsClient({ baseUrl: 'http://127.0.0.1:9', fetchImpl: () => Promise.reject(new Error('offline')) });

function entropyOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

describe('buildAnchor', () => {
  it('reproduces the protocol vector (prev = genesis prev, index 1)', () => {
    const entropy = decodeBase58(VECTOR_ENTROPY_B58);
    const anchor = buildAnchor({
      previous: { beat_index: 0, hash: ANCHOR_GENESIS_PREV },
      entropy,
      utc: 1_771_282_459_742,
      difficulty: 1000,
    });
    expect(anchor).toEqual({
      type: 'anchor',
      beat_index: 1,
      hash: VECTOR_HASH,
      prev_hash: ANCHOR_GENESIS_PREV,
      utc: 1_771_282_459_742,
      difficulty: 1000,
      epoch: 0,
      solana_entropy: VECTOR_ENTROPY_B58,
      entropy: bytesToHex(entropy),
    });
    expect(verifyAnchorHash(anchor)).toBe(true);
  });

  it('makes anchor 0 on the genesis prev when there is no previous anchor', () => {
    const anchor = buildAnchor({ previous: null, entropy: entropyOf(9), utc: 5, difficulty: 100 });
    expect(anchor.beat_index).toBe(0);
    expect(anchor.prev_hash).toBe(ANCHOR_GENESIS_PREV);
    expect(anchor.epoch).toBe(0);
    expect(anchor.solana_entropy).toBe(encodeBase58(entropyOf(9)));
    expect(anchor.entropy).toBe('09'.repeat(32));
  });

  it('numbers epochs as floor(beat_index / epochLength)', () => {
    const at = (index: number, epochLength?: number) =>
      buildAnchor({ previous: { beat_index: index - 1, hash: 'ab'.repeat(32) }, entropy: entropyOf(1), utc: 0, difficulty: 1, epochLength }).epoch;
    expect(ANCHOR_EPOCH_LENGTH).toBe(100);
    expect([at(99), at(100), at(199), at(200)]).toEqual([0, 1, 1, 2]);
    expect([at(9, 10), at(10, 10), at(25, 10)]).toEqual([0, 1, 2]);
  });

  it('passes the peer client hash recomputation (verifyAnchorHash of @provenonce/beats-client)', async () => {
    let previous = null as Anchor | null;
    const leadingZeros = Uint8Array.from({ length: 32 }, (_, i) => (i < 3 ? 0 : i)); // base58 '111…'
    for (const entropy of [entropyOf(1), entropyOf(255), leadingZeros, entropyOf(7), entropyOf(0x80)]) {
      const anchor = buildAnchor({ previous, entropy, utc: 1000, difficulty: 1000 });
      // The peer's typings declare its Solana-only `tx_signature`; its code never reads it.
      expect(await peer.verifyAnchorHash(anchor as unknown as BeatAnchor)).toBe(true);
      previous = anchor;
    }
  });

  it('rejects bad input with typed errors', () => {
    const ok = { previous: null, entropy: entropyOf(1), utc: 0, difficulty: 1 };
    expect(() => buildAnchor({ ...ok, entropy: entropyOf(1).subarray(1) })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, entropy: 'ab'.repeat(32) as unknown as Uint8Array })).toThrow();
    // All-zero entropy encodes as 32 '1's, which the peer's base58 decoder reads as 33 bytes.
    expect(() => buildAnchor({ ...ok, entropy: new Uint8Array(32) })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, utc: -1 })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, utc: 1.5 })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, difficulty: 0 })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, epochLength: 0 })).toThrow(RangeError);
    expect(() => buildAnchor({ ...ok, previous: { beat_index: 0, hash: 'XY' } })).toThrow(TypeError);
    expect(() => buildAnchor({ ...ok, previous: { beat_index: Number.MAX_SAFE_INTEGER, hash: 'ab'.repeat(32) } })).toThrow(
      RangeError,
    );
  });
});

describe('signAnchor / verifyAnchor', () => {
  const anchor = buildAnchor({ previous: null, entropy: entropyOf(7), utc: 1_700_000_000_000, difficulty: 1000 });
  const signature = signAnchor(anchor, keys.secretKey);

  it('signs the canonical JSON of the anchor object (peer-protocol §4, anchor receipt)', () => {
    const message = new TextEncoder().encode(canonicalJson(anchor));
    expect(nacl.sign.detached.verify(message, Buffer.from(signature, 'base64'), keys.publicKey)).toBe(true);
    expect(verifyAnchor(anchor, signature, keys.publicKey)).toBe(true);
  });

  it('is verified by the peer client with our key, hex or base58', async () => {
    const response = { anchor, receipt: { signature, public_key: encodeBase58(keys.publicKey) } } as unknown as PeerAnchorResponse;
    expect(await peer.verifyReceipt(response, { publicKey: bytesToHex(keys.publicKey) })).toBe(true);
    expect(await peer.verifyReceipt(response, { publicKey: encodeBase58(keys.publicKey) })).toBe(true);
    expect(await peer.verifyReceipt(response, { publicKey: bytesToHex(other.publicKey) })).toBe(false);
  });

  it('fails for another key, a tampered field, mismatched entropy encodings or a recomputed-hash mismatch', () => {
    expect(verifyAnchor(anchor, signature, other.publicKey)).toBe(false);
    expect(verifyAnchor({ ...anchor, utc: anchor.utc + 1 }, signature, keys.publicKey)).toBe(false);
    expect(verifyAnchor({ ...anchor, difficulty: 999 }, signature, keys.publicKey)).toBe(false);
    // Re-signed but internally inconsistent anchors still fail: the hash is recomputed.
    const wrongEntropy = { ...anchor, entropy: '00'.repeat(32) };
    expect(verifyAnchor(wrongEntropy, signAnchor(wrongEntropy, keys.secretKey), keys.publicKey)).toBe(false);
    const wrongHash = { ...anchor, hash: 'ab'.repeat(32) };
    expect(verifyAnchor(wrongHash, signAnchor(wrongHash, keys.secretKey), keys.publicKey)).toBe(false);
    const wrongIndex = { ...anchor, beat_index: 1 };
    expect(verifyAnchor(wrongIndex, signAnchor(wrongIndex, keys.secretKey), keys.publicKey)).toBe(false);
  });

  it('answers false, never throws, for malformed anchors and signatures', () => {
    for (const bad of [null, 'anchor', [], {}, { ...anchor, type: 'beat' }, { ...anchor, solana_entropy: '0OIl' }, { ...anchor, beat_index: -1 }]) {
      expect(verifyAnchor(bad, signature, keys.publicKey)).toBe(false);
    }
    expect(verifyAnchor(anchor, 'not base64!', keys.publicKey)).toBe(false);
    expect(verifyAnchor(anchor, undefined, keys.publicKey)).toBe(false);
    expect(verifyAnchor({ ...anchor, signature }, signature, keys.publicKey)).toBe(false);
    expect(() => verifyAnchor(anchor, signature, new Uint8Array(31))).toThrow(RangeError);
    expect(() => verifyAnchor(null, signature, new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('verifyAnchorLink', () => {
  const a0 = buildAnchor({ previous: null, entropy: entropyOf(1), utc: 0, difficulty: 1 });
  const a1 = buildAnchor({ previous: a0, entropy: entropyOf(2), utc: 1, difficulty: 1 });
  const a2 = buildAnchor({ previous: a1, entropy: entropyOf(3), utc: 2, difficulty: 1 });

  it('accepts the next anchor and refuses jumps, regressions and breaks', () => {
    expect(verifyAnchorLink(a0, a1)).toBe(true);
    expect(verifyAnchorLink(a1, a2)).toBe(true);
    expect(verifyAnchorLink(a0, a2)).toBe(false); // jump
    expect(verifyAnchorLink(a1, a1)).toBe(false); // same index
    expect(verifyAnchorLink(a2, a1)).toBe(false); // regression
    expect(verifyAnchorLink(a0, { ...a1, prev_hash: a2.hash })).toBe(false); // chain break
  });
});
