// The page's one code path for proofs, used by the Prove button and by the console API alike:
// buildProof = buildProofV2 over the Web Worker engine; proveWork = the SDK's proveWork (verified
// anchor → chain in the worker → v2 proof → submit → receipt verified in the browser).
import { bytesToHex } from '../../shared/hex.js';
import type { ProvingEngine } from '../../shared/proof-engine.js';
import { buildProofV2, type ProofMode, type ProofV2 } from '../../shared/proof-v2/index.js';
import { proveWork, type BeatsClient, type ProvedWork } from '../../shared/sdk/index.js';

/** The steps of a proof, in order ('commit' and 'challenges' only in sampled mode). */
export type ProvePhase = 'anchor' | 'chain' | 'commit' | 'challenges' | 'submit';

/** Progress of the chain: beats done of total, at `difficulty`. */
export type ChainProgress = (done: number, total: number, difficulty: number) => void;

/** What to prove against the live service. */
export interface ProveParams {
  beats: number;
  /** Default 'sampled'. */
  mode?: ProofMode;
  /** 64 hex, with or without 0x; default a random 32 bytes. */
  subject?: string;
  /** Default: the anchor's difficulty. */
  difficulty?: number;
  onProgress?: ChainProgress;
  onPhase?: (phase: ProvePhase) => void;
  signal?: AbortSignal;
}

/** What to build, offline, from a given anchor (nothing is fetched or submitted). */
export interface BuildParams {
  anchor: { index: number; hash: string };
  subject: string;
  beats: number;
  difficulty: number;
  /** Default 'sampled'. */
  mode?: ProofMode;
  k?: number;
  challengeWork?: number;
  onProgress?: ChainProgress;
  signal?: AbortSignal;
}

/** What the page proves with. */
export interface ProveContext {
  client: BeatsClient;
  engine: ProvingEngine;
}

/** Proves work against the service and returns the receipt, verified in the browser, with its proof. */
export async function provePageWork(ctx: ProveContext, params: ProveParams): Promise<ProvedWork & { subject: string }> {
  const mode = params.mode ?? 'sampled';
  const subject = normalizeSubject(params.subject ?? randomSubject());
  params.onPhase?.('anchor');
  const result = await proveWork({
    client: ctx.client,
    engine: phasedEngine(ctx.engine, mode, params),
    subject,
    beats: params.beats,
    difficulty: params.difficulty,
    mode,
    signal: params.signal,
  });
  return { ...result, subject };
}

/** Builds a v2 proof from `params.anchor` on the worker (the same engine the Prove button uses). */
export async function buildPageProof(ctx: Pick<ProveContext, 'engine'>, params: BuildParams): Promise<ProofV2> {
  const { anchor, beats, difficulty, k, challengeWork, signal } = params;
  return buildProofV2({
    anchor, subject: normalizeSubject(params.subject), beats, difficulty, mode: params.mode ?? 'sampled', k, challengeWork, signal,
    engine: ctx.engine,
    onProgress: params.onProgress ? (done, total) => params.onProgress!(done, total, difficulty) : undefined,
  });
}

/** 32 random bytes as 64 hex (Web Crypto). */
export function randomSubject(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** `0x`-prefixed or mixed-case 64 hex → 64 lowercase hex; a TypeError otherwise. */
export function normalizeSubject(subject: string): string {
  const body = subject.trim().replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(body)) throw new TypeError('"subject" expected 64 hex characters, with or without 0x');
  return body;
}

/** The engine, reporting which step the proof is at and the chain's progress with its difficulty. */
function phasedEngine(engine: ProvingEngine, mode: ProofMode, params: ProveParams): ProvingEngine {
  const phase = (p: ProvePhase) => params.onPhase?.(p);
  return {
    async chain(p) {
      phase('chain');
      const onProgress = params.onProgress ? (done: number, total: number) => params.onProgress!(done, total, p.difficulty) : undefined;
      const result = await engine.chain({ ...p, onProgress });
      // Full mode goes straight to submission; sampled mode builds its Merkle tree first.
      phase(mode === 'full' ? 'submit' : 'commit');
      return result;
    },
    async iterate(input, iterations) {
      phase('challenges');
      const result = await engine.iterate(input, iterations);
      phase('submit');
      return result;
    },
  };
}
