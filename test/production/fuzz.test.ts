// Property-based fuzzing of `beats serve` over real HTTP (fast-check): bodies, headers, paths, methods
// and query strings for every route, mutated work proofs, and malformed raw HTTP — over 5 000 cases in
// all. Never a 5xx, every error in the `{error, code}` shape, the process stays up and its RSS bounded.
// Then a slow client trickling its headers (slowloris) is cut off by the headers timeout, and one
// trickling its body by the request timeout, while other clients are served.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildOpenApiDocument } from '../../service/openapi/document.js';
import { buildProofV2, type ProofV2 } from '../../shared/proof-v2/index.js';
import { api, Cluster, CLUSTER_ADMIN_TOKEN, headOf, readyAgent, type Instance } from './cluster.js';

const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;

/**
 * Every route the service serves, one entry per method, from its own OpenAPI document (which a test keeps equal to
 * what Express has registered): `{x}` parameters become `:x`, filled by the fuzzer.
 */
const ROUTES: Array<{ path: string; method: string }> = Object.entries(buildOpenApiDocument({ version: 'fuzz', withServices: true }).paths)
  .flatMap(([path, item]) => Object.keys(item).map((method) => ({ path: path.replace(/\{(\w+)\}/g, ':$1'), method: method.toUpperCase() })));

/** Field names the routes read, so generated bodies reach past "unknown field". */
const FIELDS = [
  'name', 'metadata', 'spawn_authorization', 'beats_receipt', 'payer', 'payer_signature', 'payment_tx', 'global_anchor',
  'sponsored_by', 'work_proof', 'beat', 'hash', 'use', 'agent_hash', 'sigil_name', 'principal', 'tier', 'identity_class',
  'birth_tx', 'refused', 'reason', 'child_hash', 'child_name', 'parent', 'wallet', 'signature', 'challenge', 'action',
  'expires_in_hours', 'max_heartbeats_epoch', 'prev', 'index', 'difficulty', 'anchor_hash', 'nonce', 'version', '__proto__',
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const HEADER_VALUE = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);
const TOKEN = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/);

/** One fuzzed request. */
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The answer: status, headers and body text. */
interface FuzzAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

describe('fuzzing beats serve', () => {
  const cluster = new Cluster({
    RATE_LIMITS: 'off', ANCHOR_INTERVAL_MS: '60000', HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let instance: Instance;
  let port: number;
  let apiKey: string;
  let agentHash: string;
  let proof: ProofV2;
  let cases = 0;
  const rss: number[] = [];

  beforeAll(async () => {
    instance = await cluster.start('fuzzed');
    port = Number(new URL(instance.url).port);
    const ready = await readyAgent(instance.url, 'fuzz-target');
    apiKey = ready.apiKey;
    agentHash = ready.hash;
    proof = await buildProofV2({
      anchor: await headOf(instance.url), subject: agentHash.slice(2), beats: 64, difficulty: 100, mode: 'full',
      engine: proverEngine(await loadProver()),
    });
    expect((await api(instance.url, 'POST', '/api/v1/beat/work-proof', { body: { work_proof: proof } })).body.valid).toBe(true);
    rss.push(rssOf(instance.pid));
  });
  afterAll(async () => {
    agent.destroy();
    await cluster.dispose();
  });

  function send(request: FuzzRequest): Promise<FuzzAnswer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: request.method, path: request.path, headers: request.headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(request.body);
    });
  }

  /** The invariants of every answer. */
  function check(request: FuzzRequest, answer: FuzzAnswer): void {
    cases++;
    const where = `${request.method} ${request.path} → ${answer.status} ${answer.text.slice(0, 200)}`;
    expect(answer.status, where).toBeGreaterThanOrEqual(200);
    expect(answer.status, where).toBeLessThan(500);
    if (answer.status >= 400 && request.method !== 'HEAD' && answer.headers['content-type']?.startsWith('application/json')) {
      const body = JSON.parse(answer.text) as { error?: unknown; code?: unknown; beat_initialized?: unknown };
      // Seed 001's own 404 of beat-status (an agent without a chain) is the one answer in the peer's shape.
      const seedShape = answer.status === 404 && request.path.startsWith('/api/v1/agent/beat-status/') && body.beat_initialized === false;
      if (!seedShape) {
        expect(typeof body.code, where).toBe('string');
        expect(typeof body.error, where).toBe('string');
      }
    }
    expect(answer.text, where).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
  }

  const hashLike = fc.oneof(
    fc.constant('0x' + 'ab'.repeat(32)),
    fc.constantFrom(agentHashOr, '0x', '', '..', '%2e%2e', '%zz', '%00', '-1', '1e400', 'null', '__proto__'),
    fc.stringMatching(/^[0-9a-fA-Fx]{0,70}$/),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
  );
  function agentHashOr(): string {
    return agentHash;
  }

  const query = fc.array(fc.tuple(fc.oneof(TOKEN, fc.constantFrom('v', 'api_key', '__proto__', 'a[b]', 'index')), fc.string({ maxLength: 30 })), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')));

  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.constant('apiKey'),
    fc.constant(`Bearer ${CLUSTER_ADMIN_TOKEN}`),
    fc.constantFrom('Bearer ', 'Bearer pvn_', 'Basic Zm9vOmJhcg==', 'bearer pvn_' + 'A'.repeat(43)),
    HEADER_VALUE.map((s) => `Bearer pvn_${s}`),
    HEADER_VALUE,
  );

  const contentType = fc.oneof(
    fc.constant('application/json'),
    fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.api+json', ''),
    HEADER_VALUE,
  );

  const fieldBody = fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
  const mutatedProof = fc.tuple(fc.constantFrom('version', 'mode', 'from_hash', 'to_hash', 'anchor_index', 'anchor_hash', 'subject', 'beats_computed',
    'difficulty', 'spot_checks', 'merkle_root', 'k', 'challenge_work', 'extra'), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
    .map(([key, value, flat]) => {
      const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
      copy[key] = value;
      return flat ? copy : { work_proof: copy };
    });
  const body = fc.oneof(
    { weight: 3, arbitrary: fieldBody.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: mutatedProof.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[', 'null', '""', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', ' '.repeat(300_000)) },
  );

  it('answers every fuzzed request to every route without a 5xx (structured requests)', async () => {
    const request = fc.record({
      route: fc.constantFrom(...ROUTES),
      method: fc.oneof({ weight: 4, arbitrary: fc.constant('route') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      params: fc.array(hashLike, { minLength: 2, maxLength: 2 }),
      query,
      authorization,
      contentType,
      requestId: fc.option(HEADER_VALUE, { nil: undefined }),
      extra: fc.dictionary(TOKEN.filter((t) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade'].includes(t.toLowerCase())), HEADER_VALUE, { maxKeys: 3 }),
      body: fc.option(body, { nil: undefined, freq: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let params = 0;
        const path = r.route.path.replace(/:[a-z]+/g, () => {
          const value = r.params[params++];
          return typeof value === 'function' ? value() : value;
        });
        const method = r.method === 'route' ? r.route.method : r.method;
        const headers: Record<string, string> = { ...r.extra };
        if (r.authorization !== undefined) headers.authorization = r.authorization === 'apiKey' ? `Bearer ${apiKey}` : r.authorization;
        if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
        const sendsBody = r.body !== undefined && method !== 'GET' && method !== 'HEAD';
        if (sendsBody) {
          headers['content-type'] = r.contentType;
          // Node's client frames OPTIONS and DELETE bodies only when told their length.
          headers['content-length'] = String(Buffer.byteLength(r.body!));
        }
        const fuzzed: FuzzRequest = { method, path: path + r.query, headers, body: sendsBody ? r.body : undefined };
        check(fuzzed, await send(fuzzed));
      }),
      { numRuns: 3_500 },
    );
    rss.push(rssOf(instance.pid));
  });

  it('answers random paths, methods and query strings without a 5xx', async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'v1', 'beat', 'agent', 'admin', 'status', 'anchor', 'key', '..', '.', '%2e%2e', '%2F', '%zz', '%00', '%ff', '~', 'index.html', 'main.js', 'favicon.svg'),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
      fc.stringMatching(/^[!-~]{0,30}$/).map((s) => s.replace(/[?#%]/g, '')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 8 }), query, fc.constantFrom(...METHODS), fc.boolean(), async (segments, q, method, trailing) => {
        const fuzzed: FuzzRequest = { method, path: '/' + segments.join('/') + (trailing ? '/' : '') + q, headers: {} };
        check(fuzzed, await send(fuzzed));
      }),
      { numRuns: 1_500 },
    );
    rss.push(rssOf(instance.pid));
  });

  it('survives malformed raw HTTP (bad request lines, headers, framing)', async () => {
    const raw = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'BREW', 'G ET', ''), TOKEN),
      target: fc.oneof(fc.constantFrom('/api/health', '/api/v1/register', '*', 'http://x/api/health', '//', ''), fc.stringMatching(/^[!-~]{0,40}$/)),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTX/1.1', ''),
      headers: fc.array(fc.oneof(
        fc.constantFrom('Host: x', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1, 2', 'Transfer-Encoding: chunked',
          'Transfer-Encoding: gzip, chunked', 'Content-Type: application/json', 'Expect: 100-continue', 'X: \u0001', ': empty', 'NoColon'),
        fc.tuple(TOKEN, HEADER_VALUE).map(([k, v]) => `${k}: ${v}`),
      ), { maxLength: 6 }),
      body: fc.oneof(fc.constant(''), fc.constantFrom('{}', '0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n'), fc.string({ maxLength: 40 })),
    });
    await fc.assert(
      fc.asyncProperty(raw, async (r) => {
        const text = `${r.method} ${r.target} ${r.version}\r\n${r.headers.join('\r\n')}\r\n\r\n${r.body}`;
        const answer = await sendRaw(port, text);
        cases++;
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
        if (status !== undefined) expect(Number(status), `${JSON.stringify(text)} → ${answer.slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
    rss.push(rssOf(instance.pid));
  });

  it('is still up, still serving, with a bounded RSS', async () => {
    expect(cases).toBeGreaterThanOrEqual(5_000);
    expect(instance.child.exitCode).toBeNull();
    expect((await api(instance.url, 'GET', '/api/health')).status).toBe(200);
    expect((await api(instance.url, 'GET', `/api/v1/status/${agentHash}`)).status).toBe(200);
    const mb = rss.map((bytes) => Math.round(bytes / 2 ** 20));
    console.log(`fuzz: ${cases} cases; RSS MiB after setup and after each property: ${mb.join(', ')}`);
    expect(Math.max(...rss)).toBeLessThan(rss[0] + 200 * 2 ** 20);
    expect(Math.max(...rss)).toBeLessThan(768 * 2 ** 20);
  });

  it('cuts off a client trickling its headers (slowloris) while serving others', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const started = Date.now();
    socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Pad-${sent++}: y\r\n`);
    }, 200);
    const closedAfter = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    clearInterval(trickle);
    expect(closedAfter).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(closedAfter).toBeLessThan(HEADERS_TIMEOUT_MS + 2_500);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await api(instance.url, 'GET', '/api/health')).status).toBe(200);
    console.log(`slowloris: cut off after ${closedAfter} ms (${sent} header lines trickled; HEADERS_TIMEOUT_MS ${HEADERS_TIMEOUT_MS})`);
  });

  it('cuts off a client trickling its body after the request timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    socket.write('POST /api/v1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(' ');
    }, 200);
    socket.on('data', () => undefined);
    const closedAfter = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    clearInterval(trickle);
    expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(closedAfter).toBeLessThan(REQUEST_TIMEOUT_MS + 2_500);
    expect(instance.child.exitCode).toBeNull();
  });
});

/** Resident set size of process `pid` in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

/** Writes `text` on a new connection and returns what comes back before the server closes it (or 2 s pass). */
function sendRaw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, 2_000);
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk;
      // One answer is enough: the server may keep the connection open for more.
      if (/\r\n\r\n/.test(answer)) setTimeout(done, 20);
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(text, () => socket.end());
  });
}
