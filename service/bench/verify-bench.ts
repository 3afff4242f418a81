// Sections 1–3 of the service benchmark: one v2 verification on one worker and its parts, v2 proofs per
// second with the whole pool, and spot-check beats per second against the peer's createHash loop.
import { poolEngine } from '../../prover-wasm/src/engines.js';
import { ProverPool } from '../../prover-wasm/src/pool.js';
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import { hashLeaf, leafData, verifyAuditPath } from '../../shared/merkle.js';
import {
  challengeSeed,
  DEFAULT_PROOF_LIMITS,
  mustParseProofV2,
  parseProofV2,
  verifyProofV2,
  type AnchorSource,
  type ProofV2,
  type VerifyContext,
} from '../../shared/proof-v2/index.js';
import { median, nowMs, percentile, round, timeMs } from '../../prover-wasm/src/bench-stats.js';
import { nodeSha256 } from '../work-proof/node-sha256.js';
import { distinctChecks, peerBeat, proofBytes } from './proof-fixture.js';

/** Median and 90th percentile of one measured step, in milliseconds. */
export interface StepTiming {
  medianMs: number;
  p90Ms: number;
  samplesMs: number[];
}

/** Section 1: verifyProofV2 on a pool of one worker, whole and in parts. */
export interface SingleVerifyResult {
  beats: number;
  difficulty: number;
  k: number;
  challengeWork: number;
  /** Beats recomputed: the distinct indices among the k + 2 checks. */
  distinctBeats: number;
  /** Audit paths checked: two per check. */
  auditPaths: number;
  proofBytes: number;
  runs: number;
  verify: StepTiming;
  /** SHA256^W through engine.iterate on the worker (protocol B3 challenge derivation). */
  challengeDerivation: StepTiming;
  /** The distinct beats in one engine.batch on the worker (SIMD lanes). */
  beatBatch: StepTiming;
  /** Every audit path, on the main thread (Node's SHA-256, as the service). */
  merklePaths: StepTiming;
  /** parseProofV2 (zod schema and the rules between fields), on the main thread. */
  parse: StepTiming;
  targetMs: number;
}

/** Section 2: many verifications in flight on the whole pool. */
export interface PoolThroughputResult {
  threads: number;
  concurrency: number;
  windows: number;
  windowMs: number;
  /** Median over the windows of verifications ended per second. */
  proofsPerSecond: number;
  proofsPerSecondPerThread: number;
  /** Verifications that ended in each window, per second. */
  windowRates: number[];
  verified: number;
  /** Time from start to end of each verification, all windows together. */
  latency: { medianMs: number; p90Ms: number; p99Ms: number };
}

/** Section 3: beats of d verified per second on one core, SIMD batch path vs the peer's loop. */
export interface SpotCheckRateResult {
  difficulty: number;
  /** Beats per batch call and per peer loop (the proof's first distinct checks, a multiple of 4). */
  beatsPerCall: number;
  repeats: number;
  simdBeatsPerSecond: number;
  peerBeatsPerSecond: number;
  /** simd / peer. */
  ratio: number;
  targetRatio: number;
  simdSamples: number[];
  peerSamples: number[];
}

/** Target of section 1: one sampled proof verified in at most this many milliseconds. */
export const SINGLE_VERIFY_TARGET_MS = 25;
/** Target of section 3: the SIMD path verifies at least this many times the peer's beats per core. */
export const SPOT_CHECK_TARGET_RATIO = 6;

const LIMITS = DEFAULT_PROOF_LIMITS;

/** Times verifyProofV2 of `proof` on `pool` (one worker) `runs` times, each run also timing the parts alone. */
export async function measureSingleVerify(proof: ProofV2, anchors: AnchorSource, pool: ProverPool, runs: number): Promise<SingleVerifyResult> {
  const engine = poolEngine(pool);
  // As the service verifies: Merkle paths through Node's SHA-256, the proof parsed once (timed apart below).
  const ctx: VerifyContext = { limits: LIMITS, engine, anchors, hash: nodeSha256 };
  const parsed = mustParseProofV2(proof, LIMITS);
  const checks = proof.spot_checks!;
  const distinct = distinctChecks(proof);
  const c0 = challengeSeed({
    anchorHash: proof.anchor_hash, anchorIndex: proof.anchor_index, subject: proof.subject, fromHash: proof.from_hash,
    toHash: proof.to_hash, beats: proof.beats_computed, difficulty: proof.difficulty, k: proof.k!, merkleRoot: proof.merkle_root!,
  });
  const batch = packBatch(proof, distinct.length);
  const root = hexToBytes(proof.merkle_root!);
  const size = proof.beats_computed + 1;

  const steps = {
    verify: async () => {
      const result = await verifyProofV2(parsed, ctx);
      if (!result.valid) throw new Error(`the benchmark proof was refused: ${result.reason}`);
    },
    challengeDerivation: () => engine.iterate(c0, proof.challenge_work!),
    beatBatch: () => engine.batch(batch),
    // What verifyProofV2 does per check: leaves index−1 and index of the tree of N+1 leaves (protocol B3).
    merklePaths: () => {
      for (const check of checks) {
        const ok = pathLeads(check.index - 1, check.prev, check.prev_path) && pathLeads(check.index, check.hash, check.hash_path);
        if (!ok) throw new Error(`the benchmark proof has a bad audit path at ${check.index}`);
      }
    },
    parse: () => {
      if (!parseProofV2(proof, LIMITS).ok) throw new Error('the benchmark proof does not parse');
    },
  };
  const pathLeads = (index: number, beat: string, path: string[]) =>
    verifyAuditPath(hashLeaf(leafData(index, hexToBytes(beat)), nodeSha256), index, size, path.map(hexToBytes), root, nodeSha256);

  const names = Object.keys(steps) as Array<keyof typeof steps>;
  // Warm-up: V8 tiers up the JS, the worker its WASM, before any sample counts.
  for (let i = 0; i < 3; i++) for (const name of names) await steps[name]();
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof steps, number[]>;
  // Round-robin, one sample of each step per round: drift on the machine touches them all alike.
  for (let r = 0; r < runs; r++) for (const name of names) samples[name].push(await timeMs(steps[name]));

  return {
    beats: proof.beats_computed, difficulty: proof.difficulty, k: proof.k!, challengeWork: proof.challenge_work!,
    distinctBeats: distinct.length, auditPaths: 2 * checks.length, proofBytes: proofBytes(proof), runs,
    verify: timing(samples.verify), challengeDerivation: timing(samples.challengeDerivation), beatBatch: timing(samples.beatBatch),
    merklePaths: timing(samples.merklePaths), parse: timing(samples.parse), targetMs: SINGLE_VERIFY_TARGET_MS,
  };
}

/** Keeps `concurrency` verifications of `proof` in flight on a pool of `threads` for `windows` windows of `windowMs`. */
export async function measurePoolThroughput(
  proof: ProofV2, anchors: AnchorSource, options: { threads: number; concurrency: number; windows: number; windowMs: number },
): Promise<PoolThroughputResult> {
  const { threads, concurrency, windows, windowMs } = options;
  const pool = new ProverPool({ threads });
  try {
    const ctx: VerifyContext = { limits: LIMITS, engine: poolEngine(pool), anchors, hash: nodeSha256 };
    const latencies: number[] = [];
    const verifyOnce = async () => {
      const t0 = nowMs();
      const result = await verifyProofV2(mustParseProofV2(proof, LIMITS), ctx);
      if (!result.valid) throw new Error(`the benchmark proof was refused: ${result.reason}`);
      return nowMs() - t0;
    };
    // Warm-up: every worker runs both kinds of task before the first window.
    await Promise.all(Array.from({ length: concurrency }, verifyOnce));
    // One continuous run: each window counts the verifications that ended in it, so no window waits for a drain.
    const completions = new Array<number>(windows).fill(0);
    const t0 = nowMs();
    const end = t0 + windows * windowMs;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (nowMs() < end) {
          latencies.push(await verifyOnce());
          const w = Math.floor((nowMs() - t0) / windowMs);
          if (w < windows) completions[w]++;
        }
      }),
    );
    const windowRates = completions.map((count) => (count * 1000) / windowMs);
    const proofsPerSecond = median(windowRates);
    return {
      threads, concurrency, windows, windowMs, proofsPerSecond: round(proofsPerSecond, 1),
      proofsPerSecondPerThread: round(proofsPerSecond / threads, 1), windowRates: windowRates.map((r) => round(r, 1)),
      verified: latencies.length,
      latency: { medianMs: round(median(latencies), 2), p90Ms: round(percentile(latencies, 90), 2), p99Ms: round(percentile(latencies, 99), 2) },
    };
  } finally {
    await pool.close();
  }
}

/**
 * Beats of the proof's difficulty verified per second: the proof's first `beatsPerCall` distinct checks recomputed by
 * one worker's batch (SIMD lanes) and by the peer's createHash loop on this thread, samples interleaved.
 */
export async function measureSpotCheckRate(
  proof: ProofV2, pool: ProverPool, options: { beatsPerCall: number; repeats: number; targetMs: number },
): Promise<SpotCheckRateResult> {
  const { beatsPerCall, repeats, targetMs } = options;
  const checks = distinctChecks(proof).slice(0, beatsPerCall);
  if (checks.length !== beatsPerCall) throw new RangeError(`"beatsPerCall" expected at most ${checks.length}, got ${beatsPerCall}`);
  const batch = packBatch(proof, beatsPerCall);
  const expected = checks.map((c) => c.hash).join('');
  const simd = async () => {
    if (bytesToHex(await pool.batch(batch)) !== expected) throw new Error('the SIMD batch disagrees with the proof');
  };
  const peer = () => {
    for (const c of checks) {
      if (peerBeat(c.prev, c.index, proof.difficulty, proof.anchor_hash) !== c.hash) throw new Error('the peer loop disagrees with the proof');
    }
  };
  const methods = [simd, peer];
  // Calls per sample of about targetMs, from a probe that also warms up.
  const calls: number[] = [];
  for (const method of methods) {
    await method();
    calls.push(Math.max(1, Math.round(targetMs / (await timeMs(method)))));
  }
  const rates: number[][] = [[], []];
  for (let r = 0; r < repeats; r++) {
    for (const [i, method] of methods.entries()) {
      const ms = await timeMs(async () => {
        for (let c = 0; c < calls[i]; c++) await method();
      });
      rates[i].push((calls[i] * beatsPerCall * 1000) / ms);
    }
  }
  const [simdRate, peerRate] = rates.map(median);
  return {
    difficulty: proof.difficulty, beatsPerCall, repeats,
    simdBeatsPerSecond: round(simdRate, 0), peerBeatsPerSecond: round(peerRate, 0), ratio: round(simdRate / peerRate, 2),
    targetRatio: SPOT_CHECK_TARGET_RATIO, simdSamples: rates[0].map((v) => round(v, 0)), peerSamples: rates[1].map((v) => round(v, 0)),
  };
}

/** The engine batch that recomputes the proof's first `count` distinct checked beats. */
function packBatch(proof: ProofV2, count: number) {
  const checks = distinctChecks(proof).slice(0, count);
  const prevs = new Uint8Array(checks.length * 32);
  checks.forEach((c, j) => prevs.set(hexToBytes(c.prev), 32 * j));
  return { prevs, indices: checks.map((c) => c.index), difficulty: proof.difficulty, anchorHash: proof.anchor_hash };
}

function timing(samples: number[]): StepTiming {
  return { medianMs: round(median(samples), 3), p90Ms: round(percentile(samples, 90), 3), samplesMs: samples.map((s) => round(s, 3)) };
}
