// The prover's Web Worker: the WASM core computes chains in segments of about 2^17 SHA-256
// iterations (~40 ms); between segments the worker reports progress and yields to its event loop,
// so a cancel message is seen within one segment. Bundled by scripts/build-web.js as a classic worker.
import { loadProverFromUrls } from '../../prover-wasm/src/load.js';
import type { Prover } from '../../prover-wasm/src/prover.js';
import type { ChainRequest, FromWorker, IterateRequest, ToWorker, WorkerFailureCode } from './worker-messages.js';

/** The WASM builds' URLs relative to this script, with their content versions (set by the build). */
declare const BEATS_WASM_URLS: { simd: string; scalar: string };

/** The parts of DedicatedWorkerGlobalScope used here (the project's lib has DOM, not WebWorker). */
interface WorkerScope {
  location: { href: string };
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}

/** Iterations per segment, as the Prover's own segments: progress and cancel checks every ~40 ms. */
const SEGMENT_ITERATIONS = 1 << 17;

const scope = globalThis as unknown as WorkerScope;
/** Requests being computed, and those of them asked to stop. */
const active = new Set<number>();
const cancelled = new Set<number>();

class Cancelled extends Error {}

const prover: Promise<Prover> = loadProverFromUrls({
  simd: new URL(BEATS_WASM_URLS.simd, scope.location.href),
  scalar: new URL(BEATS_WASM_URLS.scalar, scope.location.href),
});
prover.then(
  (p) => scope.postMessage({ type: 'ready', simd: p.hasSimd }),
  (error: unknown) => scope.postMessage({ type: 'failed', id: null, code: 'LOAD_FAILED', ...describe(error) }),
);

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'cancel') {
    // A cancel that crossed the request's answer on the way is moot.
    if (active.has(message.id)) cancelled.add(message.id);
    return;
  }
  active.add(message.id);
  const run = message.type === 'chain' ? runChain(message) : runIterate(message);
  run
    .catch((error: unknown) => scope.postMessage({ type: 'failed', id: message.id, code: failureCode(error), ...describe(error) }))
    .finally(() => {
      active.delete(message.id);
      cancelled.delete(message.id);
    });
});

async function runChain(request: ChainRequest): Promise<void> {
  const core = await loadedProver();
  const { id, fromIndex, count, difficulty, anchorHash } = request;
  const segment = Math.max(1, Math.ceil(SEGMENT_ITERATIONS / (difficulty + 1)));
  const beats = new Uint8Array(count * 32);
  let previous = request.from;
  let done = 0;
  while (done < count) {
    if (cancelled.has(id)) throw new Cancelled();
    const n = Math.min(segment, count - done);
    const part = core.chain({ from: previous, fromIndex: fromIndex + done, count: n, difficulty, anchorHash, keepBeats: true });
    beats.set(part.beats!, done * 32);
    previous = part.toHash;
    done += n;
    scope.postMessage({ type: 'progress', id, done, total: count });
    // Let queued messages (a cancel) run before the next segment.
    if (done < count) await yieldToEventLoop();
  }
  scope.postMessage({ type: 'chain-done', id, toHash: previous, beats }, [beats.buffer]);
}

async function runIterate(request: IterateRequest): Promise<void> {
  const core = await loadedProver();
  if (cancelled.has(request.id)) throw new Cancelled();
  const output = core.sha256Iterate(request.input, request.iterations);
  scope.postMessage({ type: 'iterate-done', id: request.id, output }, [output.buffer]);
}

async function loadedProver(): Promise<Prover> {
  try {
    return await prover;
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { loadFailed: true });
  }
}

/** Resolves after the event loop has run other tasks (a MessageChannel round trip: no 4 ms timer clamp). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function failureCode(error: unknown): WorkerFailureCode {
  if (error instanceof Cancelled) return 'CANCELLED';
  if ((error as { loadFailed?: boolean })?.loadFailed) return 'LOAD_FAILED';
  if (error instanceof TypeError || error instanceof RangeError) return 'INVALID_INPUT';
  return 'INTERNAL';
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
