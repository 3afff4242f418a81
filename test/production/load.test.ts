// Load at a fixed rate on one `beats serve` (SQLite, the default deployment, default pool size): a mix of
// heartbeats (each agent's first of its anchor), status reads (seed 002 and 001) and v2 work proofs, and
// every answer must be a right 2xx. Two shapes of the same rate, one after the other:
// - paced: request i due at i/rate, latency from when it was due (service/bench/paced-load.ts) — the p99
//   the README reports;
// - bursts: autocannon's `overallRate`, which sends each second's requests back to back at its start.
// LOAD_TEST_SECONDS (default 15; the README's figures come from 60) and LOAD_TEST_RATE (requests/s,
// default 100) size the paced phase; the burst phase runs a third as long. Figures are printed.
import { afterAll, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { api, Cluster, headOf, metricOf, readyAgent, type ClusterAgent } from './cluster.js';
import { loadAutocannon, type AutocannonRequest, type AutocannonResult } from '../../service/bench/autocannon.js';
import { runPacedLoad, type PacedRequest } from '../../service/bench/paced-load.js';

const SECONDS = Number(process.env.LOAD_TEST_SECONDS ?? 15);
const BURST_SECONDS = Math.max(5, Math.round(SECONDS / 3));
const RATE = Number(process.env.LOAD_TEST_RATE ?? 100);
const CONNECTIONS = 10;
/** Of every 10 requests: 4 heartbeats, 5 status reads, 1 work proof. */
const MIX = ['heartbeat', 'status', 'heartbeat', 'beat-status', 'status', 'heartbeat', 'status', 'work-proof', 'heartbeat', 'beat-status'] as const;
const HEARTBEAT_SHARE = MIX.filter((k) => k === 'heartbeat').length / MIX.length;

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

  it(`${RATE} requests/s for ${SECONDS} s paced and ${BURST_SECONDS} s in bursts: every answer a right 2xx`, async () => {
    // The pool as an operator runs it: one thread per core.
    const instance = await cluster.start('loaded', { PROVER_THREADS: '' });
    const heartbeats = Math.ceil(RATE * (SECONDS + BURST_SECONDS) * HEARTBEAT_SHARE * 1.15) + 20;
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

    // Request number i of either phase; heartbeats take the next fresh agent.
    let nextAgent = 0;
    const requestOf = (i: number): PacedRequest => {
      const kind = MIX[i % MIX.length];
      const someone = agents[Math.floor(Math.random() * agents.length)];
      switch (kind) {
        case 'heartbeat': {
          const agent = agents[nextAgent++ % agents.length];
          return { kind, method: 'POST', path: '/api/v1/agent/heartbeat', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.apiKey}` }, body: '{}' };
        }
        case 'status':
          return { kind, method: 'GET', path: `/api/v1/status/${someone.hash}` };
        case 'beat-status':
          return { kind, method: 'GET', path: `/api/v1/agent/beat-status/${someone.hash}` };
        case 'work-proof':
          return { kind, method: 'POST', path: '/api/v1/beat/work-proof', headers: { 'content-type': 'application/json' }, body: bodies[i % bodies.length] };
      }
    };
    const isRight = (kind: string, body: string) =>
      kind === 'work-proof' ? body.includes('"valid":true') : kind === 'heartbeat' ? body.includes('"ok":true') : body.includes('"agent_hash"') || body.includes('"hash"');

    const paced = await runPacedLoad({
      url: instance.url, rate: RATE, durationS: SECONDS, request: requestOf,
      check: (request, _status, body) => isRight(request.kind, body),
    });
    const serverSideMs = serverLatencies(await (await fetch(`${instance.url}/metrics`)).text());

    let sent = 0;
    let burstBad = 0;
    const autocannon = loadAutocannon();
    const burst = (await autocannon({
      url: instance.url,
      connections: CONNECTIONS,
      overallRate: RATE,
      ignoreCoordinatedOmission: true,
      duration: BURST_SECONDS,
      requests: [{
        setupRequest: (request: AutocannonRequest): AutocannonRequest => {
          const { headers = {}, ...rest } = requestOf(sent++);
          return { ...request, method: rest.method, path: rest.path, headers, body: rest.body };
        },
        onResponse: (status: number, body: string) => {
          if (status < 200 || status >= 300 || body.includes('"valid":false')) burstBad++;
        },
      }],
    })) as AutocannonResult; // on the main thread autocannon aggregates by itself

    const summary = {
      paced,
      bursts: {
        seconds: burst.duration, requests: burst.requests.total, latencyMs: burst.latency,
        non2xx: burst.non2xx, errors: burst.errors, timeouts: burst.timeouts, bad: burstBad,
      },
      agentsPrepared: agents.length, prepareS,
      verifiedByService: await metricOf(instance.url, 'beats_work_proof_verification_seconds_count', { operation: 'submit', outcome: 'valid' }),
      pacedServerSideMs: serverSideMs,
    };
    console.log(`load: ${JSON.stringify(summary)}`);
    expect(paced).toMatchObject({ sent: RATE * SECONDS, answered: RATE * SECONDS, errors: 0, timeouts: 0, non2xx: 0, bad: 0 });
    expect(paced.byKind['work-proof'].count).toBe(RATE * SECONDS / MIX.length);
    expect(burst.errors).toBe(0);
    expect(burst.timeouts).toBe(0);
    expect(burst.non2xx).toBe(0);
    expect(burstBad).toBe(0);
    expect(burst.requests.total).toBeGreaterThanOrEqual(RATE * BURST_SECONDS * 0.9);
    expect(instance.child.exitCode).toBeNull();
  }, (SECONDS + BURST_SECONDS + 120) * 1000);
});
