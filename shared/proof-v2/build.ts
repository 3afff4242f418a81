// The prover side of work proof v2: the chain from the bound seed (protocol B1, B2), then either the Merkle
// commitment and Fiat–Shamir spot checks (protocol B3) or every beat (protocol B4).
import { anumber } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes, isHex64 } from '../hex.js';
import { MerkleTree, type HashFn } from '../merkle.js';
import type { ProvingEngine } from '../proof-engine.js';
import { challengeSeed, deriveChallenges, deriveFromHash } from './derivation.js';
import { DEFAULT_PROOF_LIMITS } from './limits.js';
import type { AssuranceV2, ProofMode, ProofV2, SpotCheck } from './types.js';

/** What buildProofV2 needs: the anchor to start from, whose work it is, how much, and the engine. */
export interface BuildProofV2Params {
  anchor: { index: number; hash: string };
  /** 32 bytes as 64 lowercase hex (the registry's agent hash without 0x) (protocol B1). */
  subject: string;
  /** N, the number of beats to compute. */
  beats: number;
  difficulty: number;
  mode: ProofMode;
  /** Sampled only: challenges (default DEFAULT_PROOF_LIMITS.k.default); ignored in mode full. */
  k?: number;
  /** Sampled only: W of SHA256^W (default DEFAULT_PROOF_LIMITS.challengeWork.default); ignored in mode full. */
  challengeWork?: number;
  engine: ProvingEngine;
  /** Hash of the Merkle tree (default @noble/hashes sha256). */
  hash?: HashFn;
  /** Progress of the chain, in beats. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops the chain (the engine rejects) or the build before its next step. */
  signal?: AbortSignal;
}

/** The receipt's `assurance` for a mode: 'full', or `fs-${k}` for k Fiat–Shamir challenges (protocol B5). */
export function assuranceOf(mode: ProofMode, k?: number): AssuranceV2 {
  if (mode === 'full') return 'full';
  if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) throw new RangeError(`"k" expected integer >= 1, got ${k}`);
  return `fs-${k}`;
}

/** Computes the chain for `params` and returns the v2 proof of it (protocol B1–B4). */
export async function buildProofV2(params: BuildProofV2Params): Promise<ProofV2> {
  const { anchor, subject, beats: n, difficulty, mode, engine, signal } = params;
  if (mode !== 'sampled' && mode !== 'full') throw new TypeError(`"mode" expected sampled or full, got ${String(mode)}`);
  assertHex64(anchor?.hash, 'anchor.hash');
  assertHex64(subject, 'subject');
  anumber(n, 'beats');
  if (n < 1) throw new RangeError(`"beats" expected integer >= 1, got ${n}`);
  anumber(difficulty, 'difficulty');
  signal?.throwIfAborted();

  const fromHash = deriveFromHash(anchor.hash, anchor.index, subject);
  const chain = await engine.chain({
    from: fromHash, fromIndex: 0, count: n, difficulty, anchorHash: anchor.hash, onProgress: params.onProgress, signal,
  });
  signal?.throwIfAborted();
  const head = {
    version: 2 as const, mode, subject, from_hash: fromHash, to_hash: chain.toHash, beats_computed: n, difficulty,
    anchor_index: anchor.index, anchor_hash: anchor.hash,
  };
  const beatHex = (i: number) => (i === 0 ? fromHash : bytesToHex(chain.beats.subarray(32 * (i - 1), 32 * i)));
  if (mode === 'full') return { ...head, beats: Array.from({ length: n }, (_, j) => beatHex(j + 1)) };

  const k = params.k ?? DEFAULT_PROOF_LIMITS.k.default;
  const challengeWork = params.challengeWork ?? DEFAULT_PROOF_LIMITS.challengeWork.default;
  const tree = MerkleTree.fromChain(hexToBytes(fromHash), chain.beats, params.hash);
  const merkleRoot = bytesToHex(tree.root);
  const c0 = challengeSeed({
    anchorHash: anchor.hash, anchorIndex: anchor.index, subject, fromHash, toHash: chain.toHash, beats: n, difficulty,
    k, merkleRoot,
  });
  const challenges = await deriveChallenges(c0, challengeWork, k, n, engine.iterate);
  signal?.throwIfAborted();
  // Protocol B3: checks at [1, N, i_0, …, i_{k−1}], in that order.
  const spotChecks: SpotCheck[] = [1, n, ...challenges].map((index) => ({
    index,
    prev: beatHex(index - 1),
    hash: beatHex(index),
    prev_path: tree.auditPath(index - 1).map(bytesToHex),
    hash_path: tree.auditPath(index).map(bytesToHex),
  }));
  return { ...head, k, challenge_work: challengeWork, merkle_root: merkleRoot, spot_checks: spotChecks };
}

function assertHex64(value: unknown, name: string): asserts value is string {
  if (!isHex64(value)) {
    const got = typeof value === 'string' ? `length=${value.length}` : `type=${typeof value}`;
    throw new TypeError(`"${name}" expected 64 lowercase hex characters, got ${got}`);
  }
}
