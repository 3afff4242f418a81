// A registry under test: the whole service on the suite's database with a test clock, so anchors are
// made one at a time by `nextAnchor()` (the clock's tick, then the dead man's switch sweep) and never
// by the passing of real time. Helpers drive the HTTP API with supertest.
import request from 'supertest';
import nacl from 'tweetnacl';
import { expect } from 'vitest';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64, utf8Encode } from '../../shared/base64.js';
import { walletLinkMessage } from '../../service/registry/wallet-service.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import type { ProofMode } from '../../shared/proof-v2/types.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import type { Database } from '../../service/store/database.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';

/** The admin token of test services (see startTestService). */
export const ADMIN_TOKEN = 'admin-token-for-tests-0123';
/** The anchor period of registry tests; no anchor is made unless a test asks. */
export const INTERVAL_MS = 60_000;

/** A registered agent's credentials. */
export interface TestAgent {
  hash: string;
  apiKey: string;
}

/** A running registry with a hand-driven clock. */
export class TestRegistry {
  private time: number;

  private constructor(
    readonly svc: TestService,
    start: number,
  ) {
    this.time = start;
  }

  /** Starts the service on `db` (DIFFICULTY 100 unless `env` says otherwise) and makes anchor 0. */
  static async start(db: Database, env: Record<string, string> = {}): Promise<TestRegistry> {
    let registry: TestRegistry | undefined;
    const start = Date.now();
    const svc = await startTestService(
      db,
      { DIFFICULTY: '100', ANCHOR_INTERVAL_MS: String(INTERVAL_MS), ...env },
      { startClock: false, now: () => registry?.now() ?? start },
    );
    registry = new TestRegistry(svc, start);
    // A store reused after a restart already has anchors: continue after the newest.
    const head = await svc.services.reader.head();
    if (head) registry.time = Math.max(start, head.anchor.utc);
    if (!head) await registry.nextAnchor();
    return registry;
  }

  get app() {
    return this.svc.app;
  }

  /** The test clock (epoch ms). */
  now(): number {
    return this.time;
  }

  /** Moves the test clock forward without making an anchor. */
  advance(ms: number): void {
    this.time += ms;
  }

  /** Makes `count` anchors, one period apart, each followed by its dead man's switch sweep; returns the last index. */
  async nextAnchor(count = 1): Promise<number> {
    let index = -1;
    for (let i = 0; i < count; i++) {
      const head = await this.svc.services.reader.head();
      if (head) this.time = Math.max(this.time, head.anchor.utc + INTERVAL_MS);
      const stored = await this.svc.services.clock.tick();
      expect(stored, 'the clock made an anchor').toBeDefined();
      index = stored!.anchor.beat_index;
    }
    await this.svc.services.registry.deadMansSwitch.idle();
    return index;
  }

  /** The newest anchor's index and hash. */
  async head(): Promise<{ index: number; hash: string }> {
    const head = await this.svc.services.reader.head();
    return { index: head!.anchor.beat_index, hash: head!.anchor.hash };
  }

  /** POST /register → the agent (201). */
  async register(name = 'agent', extra: Record<string, unknown> = {}): Promise<TestAgent> {
    const res = await request(this.app).post('/api/v1/register').send({ name, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { hash: res.body.hash, apiKey: res.body.api_key };
  }

  /** A POST with the agent's bearer key. */
  post(agent: TestAgent | string, path: string, body?: unknown): request.Test {
    const key = typeof agent === 'string' ? agent : agent.apiKey;
    const req = request(this.app).post(path).set('authorization', `Bearer ${key}`);
    return body === undefined ? req : req.send(body as object);
  }

  /** POST /agent/init (expects 2xx). */
  async init(agent: TestAgent): Promise<request.Response> {
    const res = await this.post(agent, '/api/v1/agent/init');
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res;
  }

  /** POST /admin/sigil for `agent`. */
  async sigil(agent: TestAgent, fields: Partial<{ tier: string; identity_class: string; birth_tx: string }> = {}): Promise<request.Response> {
    const res = await request(this.app)
      .post('/api/v1/admin/sigil')
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ agent_hash: agent.hash, sigil_name: 'test-sigil', principal: 'beats', tier: 'ind', identity_class: 'autonomous', ...fields });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  }

  /** POST /admin/refuse. */
  refuse(agent: TestAgent, refused: boolean, reason?: string): request.Test {
    return request(this.app).post('/api/v1/admin/refuse').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ agent_hash: agent.hash, refused, ...(reason && { reason }) });
  }

  /** Registers, initialises and (by default) gives a SIGIL: an agent ready to heartbeat. */
  async ready(name = 'agent', { withSigil = true } = {}): Promise<TestAgent> {
    const agent = await this.register(name);
    await this.init(agent);
    if (withSigil) await this.sigil(agent);
    return agent;
  }

  /** POST /agent/heartbeat. */
  heartbeat(agent: TestAgent, body: Record<string, unknown> = {}): request.Test {
    return this.post(agent, '/api/v1/agent/heartbeat', body);
  }

  /** GET /status/:hash. */
  status(hash: string): request.Test {
    return request(this.app).get(`/api/v1/status/${hash}`);
  }

  /** GET /agent/beat-status/:hash. */
  beatStatus(hash: string): request.Test {
    return request(this.app).get(`/api/v1/agent/beat-status/${hash}`);
  }

  /**
   * A real v2 receipt from this service's POST /beat/work-proof for `beats` beats of work bound to
   * `subject` (default: the agent hash without 0x) at the current anchor (or `anchor`).
   */
  async receipt(
    subject: string,
    beats: number,
    options: { difficulty?: number; mode?: ProofMode; anchor?: { index: number; hash: string } } = {},
  ): Promise<Record<string, unknown>> {
    const anchor = options.anchor ?? (await this.head());
    const proof = await buildProofV2({
      anchor, subject: subject.replace(/^0x/, ''), beats, difficulty: options.difficulty ?? 100,
      mode: options.mode ?? (beats <= 2048 ? 'full' : 'sampled'), engine: proverEngine(await loadProver()),
    });
    const res = await request(this.app).post('/api/v1/beat/work-proof').send({ work_proof: proof });
    expect(res.body.valid, JSON.stringify(res.body)).toBe(true);
    return res.body.receipt;
  }

  /** POST /agent/spawn with the parent's key. */
  spawn(parent: TestAgent, body: Record<string, unknown>): request.Test {
    return this.post(parent, '/api/v1/agent/spawn', body);
  }

  /**
   * The seed's 7 steps for `parent` over HTTP: the probe (402 RECEIPT_REQUIRED, expecting
   * `expectedCost` when given), a real v2 receipt of exactly that many beats at the current anchor, the
   * paid request, POST /register with the authorization, and the finalize. Returns the child and the price.
   * A parent spends at most one receipt per anchor (v2 work is spent once per chain start): make an
   * anchor between two spawns of one parent.
   */
  async spawnChild(parent: TestAgent, name: string, expectedCost?: number): Promise<TestAgent & { cost: number }> {
    const probe = await this.spawn(parent, { child_name: name });
    expect([probe.status, probe.body.code], JSON.stringify(probe.body)).toEqual([402, 'RECEIPT_REQUIRED']);
    const cost = probe.body.required_beats as number;
    if (expectedCost !== undefined) expect(cost).toBe(expectedCost);
    const receipt = await this.receipt(parent.hash, cost);
    const paid = await this.spawn(parent, { child_name: name, beats_receipt: receipt });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ ok: true, eligible: true, receipt_based: true, required_beats: cost });
    const child = await this.registerChild(parent, name, paid.body.spawn_authorization);
    const finalized = await this.spawn(parent, { child_name: name, child_hash: child.hash });
    expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);
    expect(finalized.body).toMatchObject({ ok: true, eligible: true, child_hash: child.hash });
    return { ...child, cost };
  }

  /** POST /register of a child with the parent's key and `spawn_authorization` (expects 201). */
  async registerChild(parent: TestAgent, name: string, authorization: string): Promise<TestAgent> {
    const res = await this.post(parent, '/api/v1/register', { name, spawn_authorization: authorization });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { hash: res.body.hash, apiKey: res.body.api_key };
  }

  /** Links `wallet` (a tweetnacl key pair) to `agent` through a challenge; returns its base58 address. */
  async linkWallet(agent: TestAgent, wallet: { publicKey: Uint8Array; secretKey: Uint8Array }): Promise<string> {
    const challenge = await this.post(agent, '/api/v1/agent/wallet', { action: 'challenge' });
    expect(challenge.status, JSON.stringify(challenge.body)).toBe(200);
    const address = encodeBase58(wallet.publicKey);
    const message = utf8Encode(walletLinkMessage(agent.hash, address, challenge.body.challenge));
    const signature = encodeBase64(nacl.sign.detached(message, wallet.secretKey));
    const res = await this.post(agent, '/api/v1/agent/wallet', { wallet: address, signature });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return address;
  }

  /** Overwrites columns of an agent's chain (stored facts a test needs, e.g. a full epoch). */
  async setChain(agent: TestAgent, fields: Record<string, number | string | null>): Promise<void> {
    const keys = Object.keys(fields);
    const sets = keys.map((k, i) => `${k} = $${i + 2}`).join(', ');
    await this.svc.services.db.run(`UPDATE beat_chains SET ${sets} WHERE agent_hash = $1`, [agent.hash, ...keys.map((k) => fields[k])]);
  }

  close(): Promise<void> {
    return this.svc.close();
  }
}

/** A deterministic Ed25519 key pair (a test wallet) from one byte. */
export function testWallet(byte: number): nacl.SignKeyPair {
  return nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(byte));
}

/** Expects an error response with `status` and `code`; returns the body. */
export function expectError(res: request.Response, status: number, code: string): Record<string, unknown> {
  expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([status, code]);
  expect(typeof res.body.error).toBe('string');
  return res.body;
}
