// RFC 6962 §2.1 Merkle Tree Hash and audit paths, the commitment of work proof v2 (protocol B3).
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, anumber, isBytes } from '@noble/hashes/utils.js';
import { equalBytes, writeU64BEInto } from './bytes.js';

/** A one-shot hash returning 32 bytes; it must not keep a reference to its input (scratch buffers are reused). */
export type HashFn = (data: Uint8Array) => Uint8Array;

const LEAF_PREFIX = 0x00; // RFC 6962 §2.1: MTH({d}) = SHA-256(0x00 || d)
const NODE_PREFIX = 0x01; // RFC 6962 §2.1: SHA-256(0x01 || MTH(left) || MTH(right))
/** Length of a leaf datum D_i = u64be(i) ‖ b_i (protocol B3). */
export const LEAF_DATA_LENGTH = 40;

/** Leaf datum D_i = u64be(index) ‖ beatHash (protocol B3). */
export function leafData(index: number, beatHash: Uint8Array): Uint8Array {
  anumber(index, 'index');
  abytes(beatHash, 32, 'beatHash');
  const out = new Uint8Array(LEAF_DATA_LENGTH);
  writeU64BEInto(out, 0, index);
  out.set(beatHash, 8);
  return out;
}

/** Leaf hash SHA256(0x00 ‖ data) (RFC 6962 §2.1). */
export function hashLeaf(data: Uint8Array, hash: HashFn = sha256): Uint8Array {
  return digest(hash, hashLeafInput(data));
}

/** Interior node hash SHA256(0x01 ‖ left ‖ right) (RFC 6962 §2.1). */
export function hashNode(left: Uint8Array, right: Uint8Array, hash: HashFn = sha256): Uint8Array {
  abytes(left, 32, 'left');
  abytes(right, 32, 'right');
  const buf = new Uint8Array(65);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 33);
  return digest(hash, buf);
}

/**
 * A Merkle tree kept as one Uint8Array of 32 × count bytes per level, built bottom-up: pairs are hashed and an
 * unpaired last node is promoted unchanged. That equals RFC 6962's split at the largest power of two below n,
 * because the left subtree of every split is complete (test/shared/merkle.test.ts checks it against the recursion).
 */
export class MerkleTree {
  /** Number of leaves. */
  readonly size: number;
  /** levels[0] holds the leaf hashes, the last level the root. */
  private readonly levels: Uint8Array[];
  private readonly rootHash: Uint8Array;

  private constructor(leafHashes: Uint8Array, hash: HashFn) {
    this.size = leafHashes.length / 32;
    this.levels = [leafHashes];
    const scratch = new Uint8Array(65);
    scratch[0] = NODE_PREFIX;
    for (let level = leafHashes; level.length > 32; ) {
      const count = level.length / 32;
      const next = new Uint8Array(Math.ceil(count / 2) * 32);
      for (let i = 0; i + 1 < count; i += 2) {
        scratch.set(level.subarray(i * 32, i * 32 + 64), 1);
        next.set(digest(hash, scratch), (i / 2) * 32);
      }
      if (count % 2 === 1) next.set(level.subarray((count - 1) * 32), next.length - 32);
      this.levels.push(next);
      level = next;
    }
    this.rootHash = this.levels[this.levels.length - 1].slice();
  }

  /** Tree over leaf hashes given as one buffer of 32 × n bytes (copied). */
  static fromLeafHashes(leafHashes: Uint8Array, hash: HashFn = sha256): MerkleTree {
    abytes(leafHashes, undefined, 'leafHashes');
    if (leafHashes.length === 0 || leafHashes.length % 32 !== 0) {
      throw new RangeError(`"leafHashes" expected a non-zero multiple of 32 bytes, got length=${leafHashes.length}`);
    }
    return new MerkleTree(leafHashes.slice(), hash);
  }

  /** Tree over the leaf data `leaves` (each hashed as SHA256(0x00 ‖ d)). */
  static fromLeafData(leaves: readonly Uint8Array[], hash: HashFn = sha256): MerkleTree {
    if (!Array.isArray(leaves) || leaves.length === 0) throw new RangeError('"leaves" expected a non-empty array');
    const hashes = new Uint8Array(leaves.length * 32);
    leaves.forEach((leaf, i) => hashes.set(digest(hash, hashLeafInput(leaf)), i * 32));
    return new MerkleTree(hashes, hash);
  }

  /**
   * The protocol B3 tree over the N+1 leaves D_0 = u64be(0) ‖ fromHash and D_i = u64be(i) ‖ b_i, where
   * `beatHashes` holds b_1 … b_N back to back (32 × N bytes). No per-leaf arrays are made.
   */
  static fromChain(fromHash: Uint8Array, beatHashes: Uint8Array, hash: HashFn = sha256): MerkleTree {
    abytes(fromHash, 32, 'fromHash');
    abytes(beatHashes, undefined, 'beatHashes');
    if (beatHashes.length % 32 !== 0) {
      throw new RangeError(`"beatHashes" expected a multiple of 32 bytes, got length=${beatHashes.length}`);
    }
    const n = beatHashes.length / 32 + 1;
    const hashes = new Uint8Array(n * 32);
    const scratch = new Uint8Array(1 + LEAF_DATA_LENGTH); // 0x00 ‖ u64be(i) ‖ b_i
    scratch[0] = LEAF_PREFIX;
    for (let i = 0; i < n; i++) {
      writeU64BEInto(scratch, 1, i);
      scratch.set(i === 0 ? fromHash : beatHashes.subarray((i - 1) * 32, i * 32), 9);
      hashes.set(digest(hash, scratch), i * 32);
    }
    return new MerkleTree(hashes, hash);
  }

  /** The Merkle Tree Hash of all leaves (a copy). */
  get root(): Uint8Array {
    return this.rootHash.slice();
  }

  /** Hash of leaf `m` (a copy). */
  leafHash(m: number): Uint8Array {
    this.assertIndex(m);
    return this.levels[0].slice(m * 32, m * 32 + 32);
  }

  /** RFC 6962 §2.1.1 PATH(m, D[n]): the sibling nodes from leaf `m` up to the root, bottom-up (copies). */
  auditPath(m: number): Uint8Array[] {
    this.assertIndex(m);
    const path: Uint8Array[] = [];
    for (let level = 0, i = m; level < this.levels.length - 1; level++, i = Math.floor(i / 2)) {
      const sibling = i ^ 1;
      // No sibling means the node is promoted unchanged: the RFC recursion adds nothing at this height.
      if (sibling * 32 < this.levels[level].length) path.push(this.levels[level].slice(sibling * 32, sibling * 32 + 32));
    }
    return path;
  }

  private assertIndex(m: number): void {
    anumber(m, 'm');
    if (m >= this.size) throw new RangeError(`"m" expected integer < ${this.size}, got ${m}`);
  }
}

/**
 * True when `path` leads from `leafHash` at index `m` of a tree of `n` leaves to `root`
 * (RFC 9162 §2.1.3.2). False, never a throw, for any malformed argument.
 */
export function verifyAuditPath(
  leafHash: Uint8Array,
  m: number,
  n: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
  hash: HashFn = sha256,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(path)) return false;
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n) return false;
  // Plain arithmetic, not bit operators: sizes may exceed 2^32.
  let fn = m;
  let sn = n - 1;
  let r = leafHash;
  for (const p of path) {
    if (!isHash(p) || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(p, r, hash);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashNode(r, p, hash);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

function digest(hash: HashFn, data: Uint8Array): Uint8Array {
  const out = hash(data);
  if (!isBytes(out) || out.length !== 32) {
    throw new TypeError(`"hash" expected to return Uint8Array of length 32, got ${isBytes(out) ? `length=${out.length}` : `type=${typeof out}`}`);
  }
  return out;
}

function hashLeafInput(data: Uint8Array): Uint8Array {
  abytes(data, undefined, 'data');
  const buf = new Uint8Array(1 + data.length);
  buf[0] = LEAF_PREFIX;
  buf.set(data, 1);
  return buf;
}

function isHash(value: unknown): value is Uint8Array {
  return isBytes(value) && value.length === 32;
}
