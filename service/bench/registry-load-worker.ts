// The load generator of the registry benchmark: autocannon in a thread of its own, POST /api/v1/agent/heartbeat
// with each request authenticated as the next agent of the task, so that every request is that agent's first
// heartbeat at the current anchor. The task comes in workerData, one RegistryLoadMessage goes back.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { loadAutocannon, loadFiguresOf, type LoadFigures } from './autocannon.js';

/** What to load: one heartbeat per agent, `connections` keep-alive connections, then stop. */
export interface RegistryLoadTask {
  /** The heartbeat route's full URL on each instance; connections are spread over them in turn. */
  urls: string[];
  /** The agents' API keys; request i is sent as agent i (exactly `apiKeys.length` requests). */
  apiKeys: string[];
  /** The agents' hashes, in the same order: each answer must name its agent. */
  agentHashes: string[];
  connections: number;
  /** The anchor the agents were synced at: every answer's `anchor_index` must be at or after it. */
  fromAnchor: number;
}

/** What autocannon measured, plus the check of every answer. */
export interface RegistryLoadSummary extends LoadFigures {
  /** 2xx answers that are the first heartbeat of the agent the request was sent as (ok, total_heartbeats 1, its hash, a current anchor). */
  firstHeartbeats: number;
  /** Distinct agents among those answers (equals `firstHeartbeats` when no agent was used twice). */
  distinctAgents: number;
  /** Up to 3 answers that were not such a heartbeat, `status body`, to say what went wrong. */
  rejected: string[];
}

/** The worker's one message. */
export type RegistryLoadMessage = { ok: true; summary: RegistryLoadSummary } | { ok: false; message: string };

/** Per-connection context: the agent of the request in flight (one at a time per connection, no pipelining). */
interface RequestContext {
  agent?: number;
}

/** Runs the load of `task` with autocannon and checks every answer. */
export async function runRegistryLoad(task: RegistryLoadTask): Promise<RegistryLoadSummary> {
  const autocannon = loadAutocannon();
  const { pathname } = new URL(task.urls[0]);
  const body = Buffer.from('{}');
  const used = new Uint8Array(task.apiKeys.length);
  let next = 0;
  let firstHeartbeats = 0;
  let distinctAgents = 0;
  let lastAnswerAt = 0;
  const rejected: string[] = [];
  // With `amount`, autocannon ends its run at its next 1 s sampling tick, so its own duration overstates the
  // run by up to a second: the rate is taken from the first request to the last answer instead.
  const startedAt = performance.now();
  const run = await autocannon<RequestContext>({
    url: task.urls,
    connections: task.connections,
    amount: task.apiKeys.length,
    requests: [
      {
        method: 'POST',
        path: pathname,
        // autocannon builds exactly one request per request sent (`amount` in all), so no agent is used twice.
        setupRequest: (request, context) => {
          const agent = next++;
          context.agent = agent;
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${task.apiKeys[agent % task.apiKeys.length]}` },
            body,
          };
        },
        onResponse: (status, text, context) => {
          lastAnswerAt = performance.now();
          const agent = context.agent ?? -1;
          if (status >= 200 && status < 300 && isFirstHeartbeat(text, task.agentHashes[agent], task.fromAnchor)) {
            firstHeartbeats++;
            if (used[agent] === 0) distinctAgents++;
            used[agent] = 1;
          } else if (rejected.length < 3) {
            rejected.push(`${status} ${text.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  const durationS = Math.max(1e-3, (lastAnswerAt - startedAt) / 1000);
  return {
    ...loadFiguresOf(autocannon, run, { url: task.urls[0], connections: task.connections }, durationS),
    firstHeartbeats,
    distinctAgents,
    rejected,
  };
}

/** True when `text` accepts the first heartbeat of `agentHash` at an anchor at or after `fromAnchor`. */
function isFirstHeartbeat(text: string, agentHash: string | undefined, fromAnchor: number): boolean {
  try {
    const answer = JSON.parse(text) as Record<string, unknown>;
    return answer.ok === true && answer.status === 'active' && answer.agent_hash === agentHash && answer.total_heartbeats === 1 &&
      typeof answer.anchor_index === 'number' && answer.anchor_index >= fromAnchor && answer.last_global_sync === answer.anchor_index;
  } catch {
    return false;
  }
}

if (parentPort && (workerData as { registryLoad?: RegistryLoadTask } | null)?.registryLoad) {
  const port = parentPort;
  runRegistryLoad((workerData as { registryLoad: RegistryLoadTask }).registryLoad).then(
    (summary) => port.postMessage({ ok: true, summary } satisfies RegistryLoadMessage),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies RegistryLoadMessage),
  );
}
