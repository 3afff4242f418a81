// The piscina worker: one WASM prover per thread, loaded once; plain task in, plain result out.
import { workerData } from 'node:worker_threads';
import { loadProver } from './load-node.js';
import type { ProgressMessage, ProverTask, ProverTaskResult } from './messages.js';

const prover = await loadProver({ build: workerData?.build ?? 'auto' });

/** Runs one task; never throws (errors become `{ ok: false, code }`). */
export default function run(task: ProverTask): ProverTaskResult<unknown> {
  try {
    return { ok: true, value: execute(task) };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, code: e.code ?? (e instanceof RangeError || e instanceof TypeError ? 'INVALID_INPUT' : 'FAILED'), name: e.name, message: e.message };
  }
}

function execute(task: ProverTask): unknown {
  switch (task.kind) {
    case 'chain': {
      const { port, cancel } = task;
      const post = (message: ProgressMessage) => port?.postMessage(message);
      post({ type: 'started' });
      try {
        return prover.chain({
          ...task.params,
          onProgress: (done, total) => post({ type: 'progress', done, total }),
          shouldStop: () => cancel !== undefined && Atomics.load(cancel, 0) !== 0,
        });
      } finally {
        post({ type: 'finished' });
        port?.close();
      }
    }
    case 'batch':
      return prover.batch(task.params);
    case 'iterate':
      return prover.sha256Iterate(task.input, task.iterations);
    default:
      throw new TypeError(`unknown task kind ${(task as { kind: unknown }).kind}`);
  }
}
