// Several `beats serve` processes as an operator runs them: one PostgreSQL database per test (created
// here, dropped afterwards) or a SQLite DATA_DIR, one Redis with a key prefix per test (ioredis reads
// `?keyPrefix=` from REDIS_URL), the same BEATS_SIGNING_SEED and ADMIN_TOKEN, each process on a port of
// its own (PORT=0: it logs the URL it got). Every process is killed and every store removed by dispose().
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import nacl from 'tweetnacl';
import { expect } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { heartbeatPaymentMessage } from '../../service/registry/beat-chain-service.js';
import { walletLinkMessage } from '../../service/registry/wallet-service.js';
import { verifyAnchor, verifyAnchorLink } from '../../shared/anchor.js';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { hexToBytes } from '../../shared/hex.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../service/bench/scratch-database.js';
import { postgresUnavailable, TEST_DATABASE_URL } from '../helpers/engines.js';

/** The CLI entry (runs dist/: `npm test` builds it first). */
export const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;
/** The root seed every instance of a cluster shares. */
export const CLUSTER_SEED = '7a'.repeat(32);
/** The admin token every instance of a cluster shares. */
export const CLUSTER_ADMIN_TOKEN = 'cluster-admin-token-0123456789';
/** The DIFFICULTY every instance of a cluster has by default: the least difficulty a receipt may carry. */
export const CLUSTER_DIFFICULTY = 100;

/** One `beats serve` process. */
export interface Instance {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** Every line it printed (JSON log lines, and anything else). */
  lines: string[];
  /** Resolves with the exit code (null after a signal) once it exited. */
  exited: Promise<number | null>;
  /** Parsed JSON log lines. */
  messages(): Array<Record<string, unknown>>;
}

export { postgresUnavailable };

/** True when PostgreSQL suites should be skipped (unreachable, and not in CI, where they fail instead). */
export const skipWithoutPostgres = postgresUnavailable !== undefined && process.env.CI !== 'true';

/** A fresh PostgreSQL database on the test server and its URL. */
export type TestDatabase = ScratchDatabase;

/** Creates an empty database on TEST_DATABASE_URL's server (CREATE DATABASE), for one test. */
export function createTestDatabase(label: string): Promise<TestDatabase> {
  return createScratchDatabase(TEST_DATABASE_URL, label);
}

/** Runs `sql` on the database at `url` and returns its rows. */
export async function queryDatabase<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Processes started for one test; `dispose()` kills what is left and removes their directories. */
export class Cluster {
  readonly instances: Instance[] = [];
  private readonly dirs: string[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];

  /** `env` is every instance's environment (the seed, admin token, fast anchors and quiet pool are defaults). */
  constructor(private readonly env: Record<string, string> = {}) {}

  /** A new temporary directory, removed by dispose(). */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'beats-cluster-'));
    this.dirs.push(dir);
    return dir;
  }

  /** Runs `fn` at dispose() (dropping a database, closing a client). */
  onDispose(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Starts `beats serve` with the cluster's environment plus `env`; resolves once it listens. */
  async start(name: string, env: Record<string, string> = {}): Promise<Instance> {
    const fullEnv: Record<string, string> = {
      ...process.env as Record<string, string>,
      HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', PROVER_THREADS: '1', ANCHOR_INTERVAL_MS: '1000',
      BEATS_SIGNING_SEED: CLUSTER_SEED, ADMIN_TOKEN: CLUSTER_ADMIN_TOKEN, RATE_LIMITS: 'off', DIFFICULTY: String(CLUSTER_DIFFICULTY),
      ...this.env, ...env,
    };
    if (!fullEnv.DATA_DIR) fullEnv.DATA_DIR = this.tempDir();
    const child = spawn(process.execPath, [BIN, 'serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const onLine = (line: string) => {
        lines.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'beats service listening' && entry.url) resolve(entry.url);
        } catch {
          // Not a log line (stderr): kept in `lines`.
        }
      };
      for (const stream of [child.stdout!, child.stderr!]) {
        let rest = '';
        stream.setEncoding('utf8').on('data', (chunk: string) => {
          const parts = (rest + chunk).split('\n');
          rest = parts.pop()!;
          for (const line of parts) if (line) onLine(line);
        });
      }
      void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening:\n${lines.join('\n')}`)));
    });
    const instance: Instance = {
      name, child, pid: child.pid!, url, lines, exited,
      messages: () => lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    };
    this.instances.push(instance);
    return instance;
  }

  /** Kills every process still running, then runs the cleanups and removes the directories. */
  async dispose(): Promise<void> {
    await Promise.all(this.instances.splice(0).map(async (instance) => {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGKILL');
      await instance.exited;
    }));
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A JSON answer. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** `method path` on `base` with a JSON body and optional bearer token. */
export async function api(base: string, method: string, path: string, options: { body?: unknown; bearer?: string } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const res = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: ApiAnswer['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** A registered agent's credentials. */
export interface ClusterAgent {
  hash: string;
  apiKey: string;
}

/** Registers, initializes and gives a SIGIL (admin token): an agent that may heartbeat. */
export async function readyAgent(base: string, name: string): Promise<ClusterAgent> {
  const registered = await api(base, 'POST', '/api/v1/register', { body: { name } });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const agent = { hash: registered.body.hash as string, apiKey: registered.body.api_key as string };
  expect((await api(base, 'POST', '/api/v1/agent/init', { bearer: agent.apiKey })).status).toBe(201);
  const sigil = await api(base, 'POST', '/api/v1/admin/sigil', {
    bearer: CLUSTER_ADMIN_TOKEN,
    body: { agent_hash: agent.hash, sigil_name: name, principal: 'cluster', tier: 'ind', identity_class: 'orchestrator' },
  });
  expect(sigil.status, JSON.stringify(sigil.body)).toBe(200);
  return agent;
}

let prover: ReturnType<typeof loadProver> | undefined;

/**
 * A real v2 receipt: `subjectHash`'s work of `beats` beats at `base`'s current anchor (mode full up to
 * 2 048 beats, sampled beyond), posted to `base`'s POST /work-proof. Throws (a plain Error, never an
 * assertion) when the service does not answer `valid: true`, so load workers can treat it as a refusal.
 */
export async function workReceipt(base: string, subjectHash: string, beats: number, difficulty = CLUSTER_DIFFICULTY): Promise<Record<string, unknown>> {
  const anchor = await headOf(base);
  prover ??= loadProver();
  const proof = await buildProofV2({
    anchor, subject: subjectHash.replace(/^0x/, ''), beats, difficulty, mode: beats <= 2048 ? 'full' : 'sampled', engine: proverEngine(await prover),
  });
  const submitted = await api(base, 'POST', '/api/v1/beat/work-proof', { body: { work_proof: proof } });
  if (submitted.status !== 200 || submitted.body.valid !== true) throw new Error(`work-proof refused: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  return submitted.body.receipt as Record<string, unknown>;
}

/** The authorization row id a `spawn_authorization` token names (its payload is base64url JSON `{v, id, …}`). */
export function spawnAuthorizationId(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { id: string }).id;
}

/** A fresh Ed25519 key pair: a test wallet. */
export function newWallet(): nacl.SignKeyPair {
  return nacl.sign.keyPair.fromSeed(new Uint8Array(randomBytes(32)));
}

/**
 * Links `wallet` to `agent` over HTTP: the challenge from `base`, the signed link message to
 * `linkBase` (another instance, to cross processes). Returns the wallet's base58 address.
 */
export async function linkWallet(base: string, agent: ClusterAgent, wallet: nacl.SignKeyPair, linkBase = base): Promise<string> {
  const challenge = await api(base, 'POST', '/api/v1/agent/wallet', { bearer: agent.apiKey, body: { action: 'challenge' } });
  expect(challenge.status, JSON.stringify(challenge.body)).toBe(200);
  const address = encodeBase58(wallet.publicKey);
  const message = utf8Encode(walletLinkMessage(agent.hash, address, challenge.body.challenge as string));
  const linked = await api(linkBase, 'POST', '/api/v1/agent/wallet', {
    bearer: agent.apiKey, body: { wallet: address, signature: encodeBase64(nacl.sign.detached(message, wallet.secretKey)), challenge: challenge.body.challenge },
  });
  expect(linked.status, JSON.stringify(linked.body)).toBe(200);
  return address;
}

/**
 * A heartbeat of `agent` at `base` paid by `payer`: signed over the anchor `base` serves as its head
 * just before (the payer signs `{agent_hash, anchor_index, purpose}`); returns the answer and that anchor.
 * When the head moves between the two calls the answer is 402 PAYMENT_REQUIRED `invalid_payer_signature`.
 */
export async function paidHeartbeat(base: string, agent: ClusterAgent, payer: nacl.SignKeyPair): Promise<{ answer: ApiAnswer; signedAnchor: number }> {
  const { index } = await headOf(base);
  const signature = encodeBase64(nacl.sign.detached(utf8Encode(heartbeatPaymentMessage(agent.hash, index)), payer.secretKey));
  const answer = await api(base, 'POST', '/api/v1/agent/heartbeat', {
    bearer: agent.apiKey, body: { payer: encodeBase58(payer.publicKey), payer_signature: signature },
  });
  return { answer, signedAnchor: index };
}

/** The newest anchor a service serves. */
export async function headOf(base: string): Promise<{ index: number; hash: string; utc: number }> {
  const { body } = await api(base, 'GET', '/api/v1/beat/anchor');
  return { index: body.anchor.beat_index, hash: body.anchor.hash, utc: body.anchor.utc };
}

/** Polls the head of `base` until its index reaches `index`; returns it. */
export async function waitForHead(base: string, index: number, timeoutMs: number): Promise<{ index: number; hash: string; utc: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await headOf(base);
    if (head.index >= index) return head;
    if (Date.now() > deadline) throw new Error(`head ${head.index} never reached ${index} within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/**
 * Fetches anchors 0…head from `base` and checks them as a client would: indices contiguous, each
 * signature valid under the anchor key that /key publishes for its kid, each linked to the previous one.
 * Returns the anchors.
 */
export async function verifyAnchorChain(base: string): Promise<Array<{ beat_index: number; hash: string; utc: number }>> {
  const keyDoc = (await api(base, 'GET', '/api/v1/beat/key')).body;
  const anchorKeys = new Map<string, Uint8Array>([[keyDoc.keys.timestamp.kid, hexToBytes(keyDoc.keys.timestamp.public_key_hex)]]);
  const head = await headOf(base);
  const anchors = [];
  for (let i = 0; i <= head.index; i++) {
    const { status, body } = await api(base, 'GET', `/api/v1/beat/anchor/${i}`);
    expect(status, `anchor ${i}`).toBe(200);
    const key = anchorKeys.get(body.receipt.kid);
    expect(key, `anchor ${i}: kid ${body.receipt.kid} is the published anchor key`).toBeDefined();
    expect(body.anchor.beat_index).toBe(i);
    expect(verifyAnchor(body.anchor, body.receipt.signature, key!), `anchor ${i} signature`).toBe(true);
    if (i > 0) expect(verifyAnchorLink(anchors[i - 1], body.anchor), `anchor ${i} links to ${i - 1}`).toBe(true);
    anchors.push(body.anchor);
  }
  return anchors;
}

/** The value of sample `name` (first match of `labels`) in the Prometheus text of GET /metrics. */
export async function metricOf(base: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
