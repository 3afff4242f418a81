// Load at a fixed rate on one `beats serve` (SQLite, the default deployment): autocannon mixes heartbeats
// (each agent's first of its anchor), status reads (seed 002 and 001) and v2 work proofs, and every answer
// must be a 2xx. LOAD_TEST_SECONDS (default 15, the figure is 60) and LOAD_TEST_RATE (requests/s,
// default 100) size it; the figures are printed. Agents are prepared through the API, proofs in-thread.
import { afterAll, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { api, Cluster, headOf, metricOf, readyAgent, type ClusterAgent } from './cluster.js';
import { loadAutocannon, type AutocannonRequest, type AutocannonResult } from '../../service/bench/autocannon.js';

const SECONDS = Number(process.env.LOAD_TEST_SECONDS ?? 15);
const RATE = Number(process.env.LOAD_TEST_RATE ?? 100);
const CONNECTIONS = 10;
/** Of every 10 requests: 4 heartbeats, 5 status reads, 1 work proof. */
const MIX = ['heartbeat', 'status', 'heartbeat', 'beat-status', 'status', 'heartbeat', 'status', 'work-proof', 'heartbeat', 'beat-status'] as const;

/**
 * Per route, from the service's own histogram (beats_http_request_duration_seconds, status 200): the
 * bucket bounds (ms) holding the median and the 99th percentile, i.e. upper bounds of each.
 */
function serverLatencies(text: string): Record<string, { count: number; p50: number; p99: number }> {
  const buckets = new Map<string, Array<[number, number]>>();
  for (const line of text.split('\n')) {
    const m = /^beats_http_request_duration_seconds_bucket\{(.*)\} (\d+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/([a-z]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (labels.status !== '200') continue;
    const key = `${labels.method} ${labels.route}`;
    buckets.set(key, [...(buckets.get(key) ?? []), [labels.le === '+Inf' ? Infinity : Number(labels.le) * 1000, Number(m[2])]]);
  }
  const out: Record<string, { count: number; p50: number; p99: number }> = {};
  for (const [key, rows] of buckets) {
    rows.sort((x, y) => x[0] - y[0]);
    const count = rows.at(-1)![1];
    const bound = (q: number) => rows.find(([, n]) => n >= q * count)![0];
    out[key] = { count, p50: bound(0.5), p99: bound(0.99) };
  }
  return out;
}

describe('fixed-rate load on one instance', () => {
  // Anchors every 30 s: the proofs' anchor stays within the grace window for the whole run; info logs, as in production.
  const cluster = new Cluster({ ANCHOR_INTERVAL_MS: '30000', DIFFICULTY: '1000' });
  afterAll(() => cluster.dispose());

  it(`${RATE} requests/s for ${SECONDS} s: heartbeats, status reads and work proofs, every answer a 2xx`, async () => {
    const instance = await cluster.start('loaded');
    const heartbeats = Math.ceil((RATE * SECONDS * MIX.filter((k) => k === 'heartbeat').length) / MIX.length * 1.15) + 20;
    const agents: ClusterAgent[] = [];
    const preparing = Date.now();
    await Promise.all(Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < heartbeats; i += 16) agents.push(await readyAgent(instance.url, `load-${i}`));
    }));
    const anchor = await headOf(instance.url);
    const engine = proverEngine(await loadProver());
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const proof = await buildProofV2({ anchor, subject: agents[i].hash.slice(2), beats: 1_000, difficulty: 1_000, mode: 'sampled', engine });
      bodies.push(JSON.stringify({ work_proof: proof }));
    }
    expect((await api(instance.url, 'POST', '/api/v1/beat/work-proof', { body: JSON.parse(bodies[0]) })).body.valid).toBe(true);
    const prepareS = (Date.now() - preparing) / 1000;

    let sent = 0;
    let nextAgent = 0;
    let bad = 0;
    const kinds: Record<string, number> = {};
    const autocannon = loadAutocannon();
    const result = (await autocannon({
      url: instance.url,
      connections: CONNECTIONS,
      overallRate: RATE,
      duration: SECONDS,
      requests: [{
        setupRequest: (request: AutocannonRequest): AutocannonRequest => {
          const kind = MIX[sent++ % MIX.length];
          kinds[kind] = (kinds[kind] ?? 0) + 1;
          const someone = agents[Math.floor(Math.random() * agents.length)];
          switch (kind) {
            case 'heartbeat': {
              const agent = agents[nextAgent++ % agents.length];
              return { ...request, method: 'POST', path: '/api/v1/agent/heartbeat', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.apiKey}` }, body: '{}' };
            }
            case 'status':
              return { ...request, method: 'GET', path: `/api/v1/status/${someone.hash}`, headers: {}, body: undefined };
            case 'beat-status':
              return { ...request, method: 'GET', path: `/api/v1/agent/beat-status/${someone.hash}`, headers: {}, body: undefined };
            case 'work-proof':
              return { ...request, method: 'POST', path: '/api/v1/beat/work-proof', headers: { 'content-type': 'application/json' }, body: bodies[sent % bodies.length] };
          }
        },
        onResponse: (status: number, body: string) => {
          if (status < 200 || status >= 300 || body.includes('"valid":false')) bad++;
        },
      }],
    })) as AutocannonResult; // on the main thread autocannon aggregates by itself

    const summary = {
      seconds: result.duration, rate: RATE, connections: CONNECTIONS, requests: result.requests.total, requestsPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max }, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
      kinds, agentsPrepared: agents.length, prepareS,
      verifiedByService: await metricOf(instance.url, 'beats_work_proof_verification_seconds_count', { operation: 'submit', outcome: 'valid' }),
      heartbeatsByService: await metricOf(instance.url, 'beats_http_requests_total', { route: '/api/v1/agent/heartbeat', status: '200' }),
      serverSideMs: serverLatencies(await (await fetch(`${instance.url}/metrics`)).text()),
    };
    console.log(`load: ${JSON.stringify(summary)}`);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(bad).toBe(0);
    expect(result.requests.total).toBeGreaterThanOrEqual(RATE * SECONDS * 0.9);
    expect(instance.child.exitCode).toBeNull();
  }, (SECONDS + 120) * 1000);
});
