import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ANCHOR_GENESIS_PREV, computeAnchorHash } from '../../shared/anchor-hash.js';
import { decodeBase58 } from '../../shared/base58.js';

const ENTROPY = decodeBase58('4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZAMdL1VZHirAn');

// The preimage built with Buffer and BigInt, independently of the module.
function reference(prev: string, index: number, entropy: Uint8Array): string {
  const idx = Buffer.alloc(8);
  idx.writeBigUInt64BE(BigInt(index));
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from('PROVENONCE_BEATS_V1', 'ascii'), Buffer.from(prev, 'hex'), idx, entropy]))
    .digest('hex');
}

describe('anchor hash (protocol A2)', () => {
  it('ANCHOR_GENESIS_PREV is SHA256("beats:genesis:v1:")', () => {
    expect(ANCHOR_GENESIS_PREV).toBe(createHash('sha256').update('beats:genesis:v1:').digest('hex'));
  });

  it('matches the peer v3 vector', () => {
    expect(computeAnchorHash(ANCHOR_GENESIS_PREV, 1, ENTROPY)).toBe('b699fd8babc06edb4ce52f7e989174f03e1a79617ee6d024fc597d353c81c605');
  });

  it.each([0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 123, Number.MAX_SAFE_INTEGER])('writes u64be(%d) correctly', (index) => {
    expect(computeAnchorHash(ANCHOR_GENESIS_PREV, index, ENTROPY)).toBe(reference(ANCHOR_GENESIS_PREV, index, ENTROPY));
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => computeAnchorHash('00', 1, ENTROPY)).toThrow(TypeError);
    expect(() => computeAnchorHash(ANCHOR_GENESIS_PREV, -1, ENTROPY)).toThrow(RangeError);
    expect(() => computeAnchorHash(ANCHOR_GENESIS_PREV, 1.5, ENTROPY)).toThrow(RangeError);
    expect(() => computeAnchorHash(ANCHOR_GENESIS_PREV, 2 ** 53, ENTROPY)).toThrow(RangeError);
    expect(() => computeAnchorHash(ANCHOR_GENESIS_PREV, 1, ENTROPY.subarray(1))).toThrow(
      new RangeError('"entropy" expected Uint8Array of length 32, got length=31'),
    );
  });
});
