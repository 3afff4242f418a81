// A client of the registry for one agent (seed pages 000–004): register, init, heartbeats with
// back-off, status, and the two flows that cost work — resync() and spawnChild(), each one call
// that asks the price, proves it through proveWork and pays with the receipt.
import type { ProvingEngine } from '../proof-engine.js';
import type { WorkProofReceipt } from '../work-proof-receipt.js';
import type { BeatsClient } from './beats-client.js';
import { BeatsApiError } from './errors.js';
import { requestJson, sleep, type HttpOptions } from './http.js';
import { proveWork } from './prove-work.js';

/** An agent's identity: its hash and API key (the key is a secret: keep it out of logs). */
export interface AgentCredentials {
  hash: string;
  apiKey: string;
}

/** What proving needs: a Beats client and an engine (the worker pool in Node, a Web Worker in browsers). */
export interface ProvingSetup {
  beats: BeatsClient;
  engine: ProvingEngine;
  mode?: 'sampled' | 'full';
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Options of startHeartbeats. */
export interface HeartbeatLoopOptions {
  /** Time between heartbeats (default 60 s, one per anchor). */
  intervalMs?: number;
  /** Longest back-off after failures (default 10 min). */
  maxBackoffMs?: number;
  onHeartbeat?: (answer: Record<string, unknown>) => void;
  onError?: (error: unknown) => void;
  /** The payer fields of each heartbeat (a wallet's or a sponsoring parent's signature), if any. */
  payment?: (anchorIndex: number) => Promise<{ payer: string; payer_signature: string } | undefined>;
}

/** A running heartbeat loop. */
export interface HeartbeatLoop {
  stop(): Promise<void>;
}

/** Registers a root agent; answers its credentials (the API key is shown once by the registry). */
export async function registerAgent(
  options: HttpOptions,
  params: { name: string; metadata?: Record<string, unknown>; registrationSecret?: string },
): Promise<AgentCredentials & { answer: Record<string, unknown> }> {
  const answer = await requestJson<Record<string, unknown>>(options, 'POST', '/api/v1/register', {
    body: { name: params.name, ...(params.metadata ? { metadata: params.metadata } : {}) },
    headers: params.registrationSecret ? { 'x-registration-secret': params.registrationSecret } : {},
  });
  return { hash: answer.hash as string, apiKey: answer.api_key as string, answer };
}

/** The registry as one agent sees it. */
export class AgentClient {
  private credentials: AgentCredentials;
  /** The anchor of the last proof this client paid with: one v2 chain start pays once. */
  private lastPaidAnchor = -1;

  constructor(private readonly options: HttpOptions, credentials: AgentCredentials) {
    this.credentials = { ...credentials };
  }

  /** This agent's hash. */
  get hash(): string {
    return this.credentials.hash;
  }

  /** POST /agent/init: the beat chain (idempotent). */
  init(): Promise<Record<string, unknown>> {
    return this.post('/api/v1/agent/init', {});
  }

  /** POST /agent/heartbeat at the current anchor. */
  heartbeat(payment?: { payer: string; payer_signature: string }): Promise<Record<string, unknown>> {
    return this.post('/api/v1/agent/heartbeat', payment ?? {});
  }

  /**
   * Heartbeats every `intervalMs`; a 429 waits its `retry_after_ms`, a 503 its `Retry-After`, other
   * failures back off exponentially (1, 2, 4 … intervals, capped); stop() ends the loop. A payment signed
   * for an anchor that moved on before the heartbeat arrived is signed again for the new one, once.
   */
  startHeartbeats(options: HeartbeatLoopOptions = {}): HeartbeatLoop {
    const interval = options.intervalMs ?? 60_000;
    const maxBackoff = options.maxBackoffMs ?? 600_000;
    const controller = new AbortController();
    const loop = (async () => {
      let failures = 0;
      while (!controller.signal.aborted) {
        let wait = interval;
        try {
          const answer = await this.paidHeartbeat(options.payment);
          failures = 0;
          options.onHeartbeat?.(answer);
        } catch (error) {
          options.onError?.(error);
          const hinted = error instanceof BeatsApiError ? error.retryAfterMs : undefined;
          failures++;
          wait = hinted ?? Math.min(maxBackoff, interval * 2 ** Math.min(failures - 1, 20));
        }
        await sleep(wait, controller.signal).catch(() => undefined);
      }
    })();
    return {
      async stop() {
        controller.abort();
        await loop;
      },
    };
  }

  /** GET /status/:hash (this agent by default). */
  status(hash = this.hash): Promise<Record<string, unknown>> {
    return requestJson(this.options, 'GET', `/api/v1/status/${hash}`);
  }

  /** GET /agent/beat-status/:hash (this agent by default). */
  beatStatus(hash = this.hash): Promise<Record<string, unknown>> {
    return requestJson(this.options, 'GET', `/api/v1/agent/beat-status/${hash}`);
  }

  /** POST /agent/resync: asks the price, proves it and pays (seed 000); free when the registry does not require beats. */
  async resync(proving: ProvingSetup): Promise<Record<string, unknown>> {
    try {
      return await this.post('/api/v1/agent/resync', {});
    } catch (error) {
      if (!(error instanceof BeatsApiError && error.code === 'RECEIPT_REQUIRED')) throw error;
      const receipt = await this.prove(proving, error.body.required_beats as number);
      return this.post('/api/v1/agent/resync', { beats_receipt: receipt });
    }
  }

  /**
   * The seven steps of seed 004 in one call: probe, (anchor, beats, receipt) when the price is not
   * covered by available beats, authorization, the child's registration, finalize. Answers the
   * child's credentials.
   */
  async spawnChild(name: string, proving: ProvingSetup): Promise<AgentCredentials & { receiptBased: boolean }> {
    let authorization: string;
    let receiptBased = false;
    try {
      const probe = await this.post('/api/v1/agent/spawn', { child_name: name });
      authorization = probe.spawn_authorization as string;
    } catch (error) {
      if (!(error instanceof BeatsApiError && error.code === 'RECEIPT_REQUIRED')) throw error;
      const receipt = await this.prove(proving, error.body.required_beats as number);
      const granted = await this.post('/api/v1/agent/spawn', { child_name: name, beats_receipt: receipt });
      authorization = granted.spawn_authorization as string;
      receiptBased = true;
    }
    const child = await this.post('/api/v1/register', { name, spawn_authorization: authorization });
    await this.post('/api/v1/agent/spawn', { child_name: name, child_hash: child.hash });
    return { hash: child.hash as string, apiKey: child.api_key as string, receiptBased };
  }

  /** POST /agent/sponsor: pay the heartbeats of a direct child (seed 003). */
  sponsor(childHash: string, options: { maxHeartbeatsEpoch?: number; expiresInHours?: number } = {}): Promise<Record<string, unknown>> {
    return this.post('/api/v1/agent/sponsor', {
      child_hash: childHash,
      ...(options.maxHeartbeatsEpoch !== undefined ? { max_heartbeats_epoch: options.maxHeartbeatsEpoch } : {}),
      ...(options.expiresInHours !== undefined ? { expires_in_hours: options.expiresInHours } : {}),
    });
  }

  /** DELETE /agent/sponsor. */
  unsponsor(childHash: string): Promise<Record<string, unknown>> {
    return requestJson(this.options, 'DELETE', '/api/v1/agent/sponsor', { body: { child_hash: childHash }, headers: this.auth() });
  }

  /** GET /agent/sponsor: this parent's sponsorships. */
  async sponsorships(): Promise<Array<Record<string, unknown>>> {
    return (await requestJson<{ sponsorships: Array<Record<string, unknown>> }>(this.options, 'GET', '/api/v1/agent/sponsor', { headers: this.auth() })).sponsorships;
  }

  /** POST /agent/key/rotate: the old key stops working at once; this client switches to the new one. */
  async rotateKey(): Promise<string> {
    const answer = await this.post('/api/v1/agent/key/rotate', {});
    this.credentials.apiKey = answer.api_key as string;
    return this.credentials.apiKey;
  }

  /** POST /agent/wallet: links an Ed25519 wallet by signing the registry's challenge with `sign`. */
  async linkWallet(wallet: string, sign: (message: Uint8Array) => Promise<string> | string): Promise<Record<string, unknown>> {
    const { challenge } = await this.post('/api/v1/agent/wallet', { action: 'challenge' });
    const message = new TextEncoder().encode(`beats-wallet-link:v1:${this.hash}:${wallet}:${challenge as string}`);
    return this.post('/api/v1/agent/wallet', { wallet, signature: await sign(message) });
  }

  /** One heartbeat with `payment`'s fields for the current anchor; again once if the anchor moved in between. */
  private async paidHeartbeat(payment: HeartbeatLoopOptions['payment']): Promise<Record<string, unknown>> {
    if (!payment) return this.heartbeat();
    const anchor = await this.currentAnchorIndex();
    try {
      return await this.heartbeat(await payment(anchor));
    } catch (error) {
      const moved = error instanceof BeatsApiError && error.code === 'PAYMENT_REQUIRED' && error.body.reason === 'invalid_payer_signature' &&
        typeof error.body.anchor_index === 'number' && error.body.anchor_index > anchor;
      if (!moved) throw error;
      return this.heartbeat(await payment(error.body.anchor_index as number));
    }
  }

  /** Proves `beats` beats for this agent, after a fresh anchor when the last payment used the current one. */
  private async prove(proving: ProvingSetup, beats: number): Promise<WorkProofReceipt> {
    while ((await this.currentAnchorIndex()) <= this.lastPaidAnchor) await sleep(1000, proving.signal);
    const { receipt } = await proveWork({ client: proving.beats, engine: proving.engine, subject: this.hash, beats, mode: proving.mode, onProgress: proving.onProgress, signal: proving.signal });
    this.lastPaidAnchor = receipt.anchor_index;
    return receipt;
  }

  private async currentAnchorIndex(): Promise<number> {
    const { anchor } = await requestJson<{ anchor: { beat_index: number } | null }>(this.options, 'GET', '/api/v1/beat/anchor');
    return anchor?.beat_index ?? -1;
  }

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.credentials.apiKey}` };
  }

  private post(path: string, body: unknown): Promise<Record<string, unknown>> {
    return requestJson(this.options, 'POST', path, { body, headers: this.auth() });
  }
}
