import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MerkleTree, hashLeaf, hashNode, leafData, verifyAuditPath } from '../../shared/merkle.js';

// Straightforward RFC 6962 §2.1 / §2.1.1 recursion over node:crypto, independent of the module.
const H = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest());
const largestPow2Below = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return H();
  if (d.length === 1) return H(Uint8Array.of(0), d[0]);
  const k = largestPow2Below(d.length);
  return H(Uint8Array.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = largestPow2Below(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

const beat = (i: number) => H(Uint8Array.from([i & 0xff, i >> 8, 0xbe]));
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafData(i, beat(i)));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const hexes = (nodes: Uint8Array[]) => nodes.map(hex);
const SIZES = Array.from({ length: 70 }, (_, i) => i + 1);

describe('leafData (protocol B3)', () => {
  it('is u64be(i) ‖ b_i, also above 2^32', () => {
    const b = beat(1);
    expect(hex(leafData(1, b))).toBe('0000000000000001' + hex(b));
    expect(hex(leafData(2 ** 32 + 2, b))).toBe('0000000100000002' + hex(b));
    expect(hex(leafData(Number.MAX_SAFE_INTEGER, b))).toBe('001fffffffffffff' + hex(b));
  });

  it('rejects a bad index or hash', () => {
    expect(() => leafData(-1, beat(0))).toThrow(RangeError);
    expect(() => leafData(0, new Uint8Array(31))).toThrow(new RangeError('"beatHash" expected Uint8Array of length 32, got length=31'));
  });
});

describe('hashLeaf / hashNode (RFC 6962 §2.1)', () => {
  it('prefix 0x00 for leaves, 0x01 for nodes', () => {
    const a = beat(1), b = beat(2);
    expect(hashLeaf(a)).toEqual(H(Uint8Array.of(0), a));
    expect(hashNode(a, b)).toEqual(H(Uint8Array.of(1), a, b));
  });
});

describe('MerkleTree equals the RFC 6962 recursion', () => {
  it.each(SIZES)('size %d: root and every audit path', (n) => {
    const d = leaves(n);
    const tree = MerkleTree.fromLeafData(d);
    const root = mth(d);
    expect(tree.size).toBe(n);
    expect(hex(tree.root)).toBe(hex(root));
    for (let m = 0; m < n; m++) {
      const p = tree.auditPath(m);
      expect(hexes(p)).toEqual(hexes(path(m, d)));
      expect(hex(tree.leafHash(m))).toBe(hex(H(Uint8Array.of(0), d[m])));
      expect(verifyAuditPath(tree.leafHash(m), m, n, p, root)).toBe(true);
    }
  });

  it.each(SIZES)('size %d: fromChain and fromLeafHashes build the same tree', (n) => {
    const d = leaves(n);
    const beats = new Uint8Array((n - 1) * 32);
    for (let i = 1; i < n; i++) beats.set(beat(i), (i - 1) * 32);
    const chain = MerkleTree.fromChain(beat(0), beats);
    const hashes = new Uint8Array(n * 32);
    d.forEach((leaf, i) => hashes.set(H(Uint8Array.of(0), leaf), i * 32));
    const fromHashes = MerkleTree.fromLeafHashes(hashes);
    expect(hex(chain.root)).toBe(hex(mth(d)));
    expect(hex(fromHashes.root)).toBe(hex(mth(d)));
    for (let m = 0; m < n; m++) expect(hexes(chain.auditPath(m))).toEqual(hexes(fromHashes.auditPath(m)));
  });

  it('fromChain over 100 001 leaves from one flat buffer matches the recursion', () => {
    const N = 100_000;
    const beats = new Uint8Array(32 * N);
    for (let i = 0; i < beats.length; i++) beats[i] = (i * 7919) & 0xff;
    const from = beat(0);
    const tree = MerkleTree.fromChain(from, beats);
    const d = [leafData(0, from), ...Array.from({ length: N }, (_, i) => leafData(i + 1, beats.subarray(32 * i, 32 * i + 32)))];
    expect(hex(tree.root)).toBe(hex(mth(d)));
    for (const m of [0, 1, 65_535, 65_536, 99_999, N]) {
      expect(verifyAuditPath(H(Uint8Array.of(0), d[m]), m, N + 1, tree.auditPath(m), tree.root)).toBe(true);
    }
  });

  it('uses an injected hash function', () => {
    const d = leaves(9);
    let calls = 0;
    const counting = (data: Uint8Array) => { calls++; return H(data); };
    expect(hex(MerkleTree.fromLeafData(d, counting).root)).toBe(hex(mth(d)));
    expect(calls).toBe(9 + 8); // n leaves + n−1 nodes
  });
});

describe('verifyAuditPath rejects (RFC 9162 §2.1.3.2)', () => {
  it.each(SIZES)('size %d: wrong index, wrong size, tampered node, truncated or extended path', (n) => {
    const d = leaves(n);
    const tree = MerkleTree.fromLeafData(d);
    const root = tree.root;
    const others = [n - 1, n + 1, n + 2].filter((size) => size >= 1).map((size) => {
      const other = leaves(size);
      return { size, root: mth(other), paths: other.map((_, m) => hexes(path(m, other)).join()) };
    });
    for (let m = 0; m < n; m++) {
      const leaf = tree.leafHash(m);
      const p = tree.auditPath(m);
      for (const wrong of [m - 1, m + 1, n, n + 1, ...(n <= 16 ? SIZES.slice(0, n) : [])]) {
        if (wrong !== m) expect(verifyAuditPath(leaf, wrong, n, p, root)).toBe(false);
      }
      // Claiming another size: the path must fail against that size's true root unless it really is that
      // size's path too. (Against this tree's root it may pass: a path proves m in a tree of the claimed size
      // with the claimed root, e.g. leaf 0 of 4 leaves and of a 3-leaf tree whose last leaf is H(2‖3).)
      for (const { size, root: otherRoot, paths } of others) {
        const expected = m < size && paths[m] === hexes(p).join();
        expect(verifyAuditPath(leaf, m, size, p, otherRoot)).toBe(expected);
      }
      for (let j = 0; j < p.length; j++) {
        const tampered = p.map((node) => node.slice());
        tampered[j][j % 32] ^= 1;
        expect(verifyAuditPath(leaf, m, n, tampered, root)).toBe(false);
      }
      if (p.length > 0) {
        expect(verifyAuditPath(leaf, m, n, p.slice(0, -1), root)).toBe(false);
        expect(verifyAuditPath(leaf, m, n, p.slice(1), root)).toBe(false);
      }
      expect(verifyAuditPath(leaf, m, n, [...p, root], root)).toBe(false);
      const badLeaf = leaf.slice();
      badLeaf[0] ^= 1;
      expect(verifyAuditPath(badLeaf, m, n, p, root)).toBe(false);
    }
  });

  it('returns false, never throws, for malformed arguments', () => {
    const tree = MerkleTree.fromLeafData(leaves(5));
    const leaf = tree.leafHash(2), p = tree.auditPath(2), root = tree.root;
    expect(verifyAuditPath(leaf, 2, 5, p, root)).toBe(true);
    const bad: [unknown, unknown, unknown, unknown, unknown][] = [
      [leaf, -1, 5, p, root], [leaf, 2.5, 5, p, root], [leaf, 2, 0, p, root], [leaf, 2, Number.NaN, p, root],
      [leaf, 2, 5, 'path', root], [leaf, 2, 5, [p[0].subarray(1), ...p.slice(1)], root], [leaf, 2, 5, [hex(p[0]), ...p.slice(1)], root],
      [leaf.subarray(1), 2, 5, p, root], [leaf, 2, 5, p, root.subarray(1)], [null, 2, 5, p, root],
    ];
    for (const args of bad) expect((verifyAuditPath as (...a: unknown[]) => boolean)(...args)).toBe(false);
  });
});

describe('MerkleTree input checks', () => {
  it('rejects empty and misaligned inputs, out-of-range indices and bad hash functions', () => {
    expect(() => MerkleTree.fromLeafData([])).toThrow(RangeError);
    expect(() => MerkleTree.fromLeafHashes(new Uint8Array(0))).toThrow(RangeError);
    expect(() => MerkleTree.fromLeafHashes(new Uint8Array(33))).toThrow(RangeError);
    expect(() => MerkleTree.fromChain(beat(0), new Uint8Array(33))).toThrow(RangeError);
    expect(() => MerkleTree.fromChain(new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
    const tree = MerkleTree.fromLeafData(leaves(3));
    expect(() => tree.auditPath(3)).toThrow(RangeError);
    expect(() => tree.auditPath(-1)).toThrow(RangeError);
    expect(() => MerkleTree.fromLeafData(leaves(3), () => new Uint8Array(31))).toThrow(TypeError);
  });

  it('fromChain with no beats is the one-leaf tree of from_hash', () => {
    const tree = MerkleTree.fromChain(beat(0), new Uint8Array(0));
    expect(tree.size).toBe(1);
    expect(hex(tree.root)).toBe(hex(H(Uint8Array.of(0), leafData(0, beat(0)))));
    expect(tree.auditPath(0)).toEqual([]);
  });

  it('hands out copies, so callers cannot corrupt the tree', () => {
    const tree = MerkleTree.fromLeafData(leaves(4));
    const root = hex(tree.root);
    tree.root.fill(0);
    tree.auditPath(0)[0].fill(0);
    tree.leafHash(1).fill(0);
    expect(hex(tree.root)).toBe(root);
    expect(verifyAuditPath(tree.leafHash(1), 1, 4, tree.auditPath(1), tree.root)).toBe(true);
  });
});
