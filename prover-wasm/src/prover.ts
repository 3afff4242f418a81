// Typed functions over one instance of the WASM core: a beat, a chain (in segments, with progress
// and cancellation), a batch of independent beats, SHA-256 and SHA256^W. Browser-safe: no Node
// imports. One Prover per thread; calls are synchronous.
//
// Arena layout per call (offsets from arenaBase()):
//   0    prev / input digest (32)    32  output digest (32)    64  anchor (32)
//   128  PREFIX_ROOM | nonce | SUFFIX_ROOM        then the call's variable buffers (16-aligned)
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import { assertHash, assertInteger, encodeNonce, MAX_DIFFICULTY, normalizeAnchor } from './beat-input.js';
import { ProverCancelledError } from './errors.js';
import { PREFIX_ROOM, SUFFIX_ROOM, type ProverExports } from './exports.js';

const PREV = 0;
const OUT = 32;
const ANCHOR = 64;
const NONCE_REGION = 128;
/** Iterations per chain segment: about 50 ms of work between progress reports and cancel checks. */
const SEGMENT_ITERATIONS = 1 << 17;
/** Beats per batch call, bounding the arena for very large batches. */
const BATCH_CHUNK = 1024;

/** One beat's inputs (protocol A1). */
export interface BeatInput {
  prev: string;
  index: number;
  difficulty: number;
  anchorHash?: string | null;
  nonce?: string;
}

/** A chain of `count` beats after `from`, which stands at index `fromIndex`. */
export interface ChainParams {
  from: string;
  fromIndex: number;
  count: number;
  difficulty: number;
  anchorHash?: string | null;
  nonce?: string;
  /** Keep every beat's digest (32 bytes each), as proof v2 needs. */
  keepBeats?: boolean;
  /** Beats per segment; default ≈ 2^17 iterations. */
  segmentBeats?: number;
  /** Called after every segment with beats done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Polled after every segment; true stops the chain with ProverCancelledError. */
  shouldStop?: () => boolean;
}

/** The chain's last hash and, when kept, all its digests b_{fromIndex+1} … (32 bytes each). */
export interface ChainResult {
  toHash: string;
  beats: Uint8Array | null;
}

/** Independent beats: beat j continues prevs[32j..32j+32) at index indices[j]. */
export interface BatchParams {
  prevs: Uint8Array;
  indices: ArrayLike<number>;
  difficulty: number;
  anchorHash?: string | null;
  nonce?: string;
  /** 'auto' uses SIMD lanes when the build has them; 'scalar' forces the scalar path. */
  path?: 'auto' | 'scalar';
}

/** The beat prover over one WASM instance. */
export class Prover {
  /** True when the loaded build runs batches in 4 SIMD lanes. */
  readonly hasSimd: boolean;
  private readonly base: number;

  constructor(private readonly core: ProverExports) {
    this.hasSimd = core.hasSimd() === 1;
    this.base = core.arenaBase();
    this.reserve(1 << 16);
  }

  /** SHA-256 of `data` (FIPS 180-4). */
  sha256(data: Uint8Array): Uint8Array {
    const input = NONCE_REGION;
    this.reserve(input + data.length);
    this.bytes(input, data.length).set(data);
    this.core.sha256(this.base + input, data.length, this.base + OUT);
    return this.bytes(OUT, 32).slice();
  }

  /** SHA256 applied `iterations` times to a 32-byte value (protocol B3's SHA256^W). */
  sha256Iterate(input: Uint8Array, iterations: number): Uint8Array {
    if (!(input instanceof Uint8Array) || input.length !== 32) {
      throw new TypeError(`"input" expected Uint8Array of length 32, got length=${input?.length}`);
    }
    assertInteger(iterations, 'iterations', 0, 0xffffffff);
    this.bytes(PREV, 32).set(input);
    this.core.sha256Iterate(this.base + PREV, iterations, this.base + OUT);
    return this.bytes(OUT, 32).slice();
  }

  /** One beat's hash (protocol A1). */
  beat(input: BeatInput): string {
    assertInteger(input.index, 'index', 0, Number.MAX_SAFE_INTEGER);
    return this.chain({ ...input, from: input.prev, fromIndex: input.index - 1, count: 1 }).toHash;
  }

  /** Computes beats fromIndex+1 … fromIndex+count after `from`, in segments. */
  chain(params: ChainParams): ChainResult {
    const { from, fromIndex, count, difficulty } = params;
    assertHash(from, 'from');
    assertInteger(fromIndex, 'fromIndex', -1, Number.MAX_SAFE_INTEGER - 1);
    assertInteger(count, 'count', 0, Number.MAX_SAFE_INTEGER - fromIndex); // last index ≤ 2^53 − 1
    assertInteger(difficulty, 'difficulty', 0, MAX_DIFFICULTY);
    const segment = params.segmentBeats ?? Math.max(1, Math.ceil(SEGMENT_ITERATIONS / (difficulty + 1)));
    assertInteger(segment, 'segmentBeats', 1, 1 << 24);
    const anchor = normalizeAnchor(params.anchorHash);
    const nonce = encodeNonce(params.nonce);
    const beats = params.keepBeats ? new Uint8Array(count * 32) : null;

    const keep = align16(NONCE_REGION + PREFIX_ROOM + nonce.length + SUFFIX_ROOM);
    this.reserve(keep + (beats ? Math.min(segment, count) * 32 : 0));
    this.bytes(PREV, 32).set(hexToBytes(from));
    this.writeAnchorAndNonce(anchor, nonce);

    let done = 0;
    while (done < count) {
      const n = Math.min(segment, count - done);
      this.core.chain(
        this.base + PREV, fromIndex + 1 + done, n, difficulty,
        anchor ? this.base + ANCHOR : 0, this.base + NONCE_REGION + PREFIX_ROOM, nonce.length,
        beats ? this.base + keep : 0, this.base + OUT,
      );
      if (beats) beats.set(this.bytes(keep, n * 32), done * 32);
      this.bytes(PREV, 32).set(this.bytes(OUT, 32));
      done += n;
      params.onProgress?.(done, count);
      if (done < count && params.shouldStop?.()) throw new ProverCancelledError();
    }
    return { toHash: bytesToHex(this.bytes(PREV, 32)), beats };
  }

  /** Computes independent beats (the verifier's path): 32 bytes out per beat. */
  batch(params: BatchParams): Uint8Array {
    const { prevs, indices, difficulty } = params;
    const count = indices.length;
    if (!(prevs instanceof Uint8Array) || prevs.length !== count * 32) {
      throw new TypeError(`"prevs" expected Uint8Array of length ${count * 32}, got length=${prevs?.length}`);
    }
    for (let j = 0; j < count; j++) assertInteger(indices[j], `indices[${j}]`, 0, Number.MAX_SAFE_INTEGER);
    assertInteger(difficulty, 'difficulty', 0, MAX_DIFFICULTY);
    const anchor = normalizeAnchor(params.anchorHash);
    const nonce = encodeNonce(params.nonce);
    const run = params.path === 'scalar' ? this.core.batchScalarPath : this.core.batch;

    const outs = align16(NONCE_REGION + PREFIX_ROOM + nonce.length + SUFFIX_ROOM);
    const chunk = Math.min(count, BATCH_CHUNK);
    const prevsAt = outs + chunk * 32;
    const indicesAt = prevsAt + chunk * 32;
    this.reserve(indicesAt + chunk * 8);
    this.writeAnchorAndNonce(anchor, nonce);

    const result = new Uint8Array(count * 32);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      this.bytes(prevsAt, n * 32).set(prevs.subarray(start * 32, (start + n) * 32));
      const idx = new Float64Array(this.core.memory.buffer, this.base + indicesAt, n);
      for (let j = 0; j < n; j++) idx[j] = indices[start + j];
      run(n, this.base + prevsAt, this.base + indicesAt, difficulty,
        anchor ? this.base + ANCHOR : 0, this.base + NONCE_REGION + PREFIX_ROOM, nonce.length, this.base + outs);
      result.set(this.bytes(outs, n * 32), start * 32);
    }
    return result;
  }

  /** Runs each hot export once so V8 tiers it up to optimised code before real work. */
  warmUp(): void {
    const zero = '0'.repeat(64);
    this.chain({ from: zero, fromIndex: 0, count: 1, difficulty: 2000 });
    this.batch({ prevs: new Uint8Array(128), indices: [1, 2, 3, 4], difficulty: 500 });
    this.sha256Iterate(new Uint8Array(32), 4000);
  }

  private writeAnchorAndNonce(anchor: string | null, nonce: Uint8Array): void {
    if (anchor) this.bytes(ANCHOR, 32).set(hexToBytes(anchor));
    this.bytes(NONCE_REGION + PREFIX_ROOM, nonce.length).set(nonce);
  }

  private reserve(bytes: number): void {
    if (!this.core.ensureArena(bytes)) throw new RangeError(`cannot grow WASM memory to ${bytes} bytes`);
  }

  /** A view of arena bytes; made anew each time because growing memory detaches old views. */
  private bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.core.memory.buffer, this.base + offset, length);
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
