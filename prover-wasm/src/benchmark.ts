// Side-by-side timing of SHA-256 beat chains (Node only): the WASM prover, the peer's createHash
// loop, Node's best plain alternative, and the SIMD verifier. Methods run round-robin, one sample
// each per round, so drift on the machine touches all of them alike; each figure is a median.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { genesisHash } from '../../shared/genesis.js';
import { describeMachine, median, type MachineInfo } from './bench-stats.js';
import type { Prover } from './prover.js';

/** How to run the benchmark. */
export interface BenchmarkOptions {
  prover: Prover;
  /** Samples per method (default 7). */
  repeats?: number;
  /** Target duration of one sample in milliseconds (default 150). */
  targetMs?: number;
  /** Path to a built ../shared/tools/sha-limit binary, to put the native limit in the same run. */
  nativeBinary?: string;
}

/** One measured method. */
export interface BenchmarkRow {
  id: string;
  method: string;
  /** Median nanoseconds per SHA-256 iteration of the beat formula (per lane for batches). */
  nsPerIteration: number;
  samples: number[];
}

/** The whole run: the machine, the rows and the ratios between them. */
export interface BenchmarkReport {
  machine: MachineInfo;
  rows: BenchmarkRow[];
  ratios: Record<string, number>;
}

interface Method {
  id: string;
  method: string;
  /** Runs about `n` iterations; returns how many it ran. */
  run(n: number): number;
}

/** Runs every method `repeats` times round-robin and reports medians and ratios. */
export function runBenchmark(options: BenchmarkOptions): BenchmarkReport {
  const { prover } = options;
  const repeats = options.repeats ?? 7;
  const targetMs = options.targetMs ?? 150;
  const start = genesisHash('bench');
  const methods: Method[] = [
    {
      id: 'wasm-chain', method: 'WASM prover, one chain (scalar core)',
      run: (n) => (prover.chain({ from: start, fromIndex: 0, count: 1, difficulty: n }), n + 1),
    },
    { id: 'peer-createhash', method: "node:crypto createHash().update().digest('hex') loop (the peer)", run: (n) => (createHashLoop(start, n), n) },
    { id: 'node-hash', method: "node:crypto crypto.hash('sha256', s) loop", run: (n) => (oneShotLoop(start, n), n) },
    {
      id: 'wasm-simd-batch', method: `WASM verifier, 4 independent beats (${prover.hasSimd ? 'SIMD lanes' : 'no SIMD: scalar'}), per lane`,
      run: (n) => batch(prover, start, Math.ceil(n / 4), 'auto'),
    },
    { id: 'wasm-scalar-batch', method: 'WASM verifier, scalar fallback path, per beat', run: (n) => batch(prover, start, Math.ceil(n / 4), 'scalar') },
    { id: 'wasm-iterate-bin', method: 'WASM SHA256^W on 32-byte digests (challenge derivation)', run: (n) => (prover.sha256Iterate(new Uint8Array(32), n), n) },
  ];

  const sizes = methods.map((m) => calibrate(m, targetMs));
  const samples = methods.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    methods.forEach((m, i) => {
      const t0 = process.hrtime.bigint();
      const iterations = m.run(sizes[i]);
      samples[i].push(Number(process.hrtime.bigint() - t0) / iterations);
    });
  }
  const rows: BenchmarkRow[] = methods.map((m, i) => ({ id: m.id, method: m.method, nsPerIteration: median(samples[i]), samples: samples[i] }));
  if (options.nativeBinary) rows.push(...runNative(options.nativeBinary, repeats, targetMs));
  return { machine: describeMachine(prover.hasSimd), rows, ratios: ratios(rows) };
}

function createHashLoop(s: string, n: number): string {
  for (let i = 0; i < n; i++) s = crypto.createHash('sha256').update(s).digest('hex');
  return s;
}

function oneShotLoop(s: string, n: number): string {
  for (let i = 0; i < n; i++) s = crypto.hash('sha256', s);
  return s;
}

function batch(prover: Prover, start: string, difficulty: number, path: 'auto' | 'scalar'): number {
  const prevs = new Uint8Array(128).fill(7);
  prover.batch({ prevs, indices: [1, 2, 3, 4], difficulty, anchorHash: start, path });
  return 4 * (difficulty + 1);
}

/** Iterations for one sample of about `targetMs`, from two probe runs (the first also warms up). */
function calibrate(m: Method, targetMs: number): number {
  let n = 2000;
  for (let probe = 0; probe < 2; probe++) {
    const t0 = process.hrtime.bigint();
    const ran = m.run(n);
    const ns = Number(process.hrtime.bigint() - t0) / ran;
    n = Math.max(1000, Math.round((targetMs * 1e6) / ns));
  }
  return n;
}


/** Runs the sha-limit tool and keeps its one-chain hex row and its 4-chain bin row. */
function runNative(binary: string, repeats: number, targetMs: number): BenchmarkRow[] {
  const output = execFileSync(binary, [String(repeats), String(targetMs)], { encoding: 'utf8' });
  const rows: BenchmarkRow[] = [];
  for (const line of output.split('\n')) {
    const [tag, method, formula, medianField] = line.split('\t');
    if (tag !== 'RESULT') continue;
    const ns = Number(medianField?.replace('median_ns=', ''));
    const id = `native-${method.includes('SHA-NI') ? 'shani' : 'scalar'}${/(\d) independent/.exec(method)?.[1] ? `-x${/(\d) independent/.exec(method)![1]}` : ''}-${formula}`;
    rows.push({ id, method: `native C: ${method} (${formula})`, nsPerIteration: ns, samples: [ns] });
  }
  return rows;
}

function ratios(rows: BenchmarkRow[]): Record<string, number> {
  const ns = (id: string) => rows.find((r) => r.id === id)?.nsPerIteration;
  const out: Record<string, number> = {};
  const put = (name: string, a?: number, b?: number) => {
    if (a !== undefined && b !== undefined) out[name] = Math.round((a / b) * 1000) / 1000;
  };
  put('prover_vs_peer', ns('wasm-chain'), ns('peer-createhash'));
  put('prover_vs_node_hash', ns('wasm-chain'), ns('node-hash'));
  put('prover_vs_native_shani', ns('wasm-chain'), ns('native-shani-hex'));
  put('prover_vs_native_scalar', ns('wasm-chain'), ns('native-scalar-hex'));
  put('simd_lane_vs_peer', ns('wasm-simd-batch'), ns('peer-createhash'));
  put('simd_lane_vs_scalar_batch', ns('wasm-simd-batch'), ns('wasm-scalar-batch'));
  return out;
}
