// The load generator of the service benchmark's HTTP section: autocannon in a thread of its own, so the client
// never runs on the service's event loop. The task comes in workerData, one HttpLoadMessage goes back.
import { parentPort, workerData } from 'node:worker_threads';
import { loadAutocannon, loadFiguresOf, type LoadFigures } from './autocannon.js';

/** What to load: POST each of `bodies` in turn to `url` from `connections` keep-alive connections. */
export interface HttpLoadTask {
  url: string;
  bodies: string[];
  connections: number;
  durationS: number;
  /** Every this-many-th response is parsed in full and its receipt checked. */
  sampleEvery: number;
  /** What a sampled receipt must state. */
  expect: { beatsVerified: number; assurance: string };
}

/** What autocannon measured, plus the check of the answers. */
export interface HttpLoadSummary extends LoadFigures {
  /** 2xx answers whose body opens with {"valid":true. */
  validTrue: number;
  sampled: number;
  /** Sampled answers holding a signed receipt for the expected beats and assurance. */
  sampledValid: number;
}

/** The worker's one message. */
export type HttpLoadMessage = { ok: true; summary: HttpLoadSummary } | { ok: false; message: string };

/** Runs the load of `task` with autocannon and summarises it. */
export async function runHttpLoad(task: HttpLoadTask): Promise<HttpLoadSummary> {
  const autocannon = loadAutocannon();
  const bodies = task.bodies.map((body) => Buffer.from(body));
  const { pathname } = new URL(task.url);
  let next = 0;
  let answered = 0;
  let validTrue = 0;
  let sampled = 0;
  let sampledValid = 0;
  const run = await autocannon({
    url: task.url,
    connections: task.connections,
    duration: task.durationS,
    requests: [
      {
        method: 'POST',
        path: pathname,
        headers: { 'content-type': 'application/json' },
        // Rotating over the prebuilt proofs: each is valid and may be submitted again.
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
        onResponse: (status, body) => {
          const ok = status >= 200 && status < 300;
          if (ok && body.startsWith('{"valid":true')) validTrue++;
          if (answered++ % task.sampleEvery !== 0) return;
          sampled++;
          if (ok && receiptHolds(body, task.expect)) sampledValid++;
        },
      },
    ],
  });
  return {
    ...loadFiguresOf(autocannon, run, { url: task.url, connections: task.connections }),
    validTrue,
    sampled,
    sampledValid,
  };
}

/** True when `body` is {valid: true, receipt} with a signature over the expected beats and assurance. */
function receiptHolds(body: string, expect: HttpLoadTask['expect']): boolean {
  try {
    const answer = JSON.parse(body) as { valid?: unknown; receipt?: Record<string, unknown> };
    const r = answer.receipt;
    return answer.valid === true && r?.type === 'work_proof' && r.beats_verified === expect.beatsVerified &&
      r.assurance === expect.assurance && typeof r.signature === 'string' && typeof r.kid === 'string';
  } catch {
    return false;
  }
}

if (parentPort && (workerData as { httpLoad?: HttpLoadTask } | null)?.httpLoad) {
  const port = parentPort;
  runHttpLoad((workerData as { httpLoad: HttpLoadTask }).httpLoad).then(
    (summary) => port.postMessage({ ok: true, summary } satisfies HttpLoadMessage),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies HttpLoadMessage),
  );
}
