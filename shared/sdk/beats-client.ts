// A client of a Beats service for Node and browsers: verified anchors (signature, hash and chain
// continuity), the keyset, work-proof submission, and offline receipt verification against a
// pinned key or keyset. Unlike the peer's client it never takes a key from the answer it checks.
import { verifyAnchor, type Anchor } from '../anchor.js';
import { hexToBytes } from '../hex.js';
import type { ProofV2 } from '../proof-v2/index.js';
import { verifyReceipt } from '../receipts.js';
import type { WorkProofReceipt } from '../work-proof-receipt.js';
import { AnchorVerificationError, ReceiptVerificationError } from './errors.js';
import { requestJson, type HttpOptions } from './http.js';

/** One key of the service's keyset (GET /api/v1/beat/key). */
export interface KeysetEntry {
  kid: string;
  use: 'anchor' | 'work_proof';
  public_key_hex: string;
  valid_from: number;
  valid_until: number | null;
}

/** Options of a BeatsClient. */
export interface BeatsClientOptions extends HttpOptions {
  /** Keys to trust; when given, /key is never fetched (pin what you obtained out of band). */
  pinnedKeyset?: KeysetEntry[];
  /** The largest gap between two anchors the client fills in to check the chain link (default 64). */
  maxGapCheck?: number;
  /** The last anchor this client verified before (persisted by the caller), to check continuity from. */
  lastSeen?: Anchor;
}

/** The anchor answer (protocol A2). */
export interface AnchorResponse {
  anchor: Anchor | null;
  receipt: { signature: string; public_key: string; kid: string } | null;
  anchor_interval_sec: number;
  next_anchor_at: string | null;
}

/** What POST /work-proof answers. */
export type WorkProofAnswer = { valid: true; receipt: WorkProofReceipt } | { valid: false; reason: string };

/** A Beats service client. */
export class BeatsClient {
  private keyset: KeysetEntry[] | undefined;
  private last: Anchor | undefined;

  constructor(private readonly options: BeatsClientOptions) {
    this.keyset = options.pinnedKeyset;
    this.last = options.lastSeen;
  }

  /** The last anchor verified, for the caller to persist and pass back as `lastSeen`. */
  get lastAnchor(): Anchor | undefined {
    return this.last;
  }

  /** The service's keyset (pinned, else fetched once and refreshed when a kid is unknown). */
  async keys(refresh = false): Promise<KeysetEntry[]> {
    if (this.options.pinnedKeyset) return this.options.pinnedKeyset;
    if (!this.keyset || refresh) this.keyset = (await requestJson<{ keyset: KeysetEntry[] }>(this.options, 'GET', '/api/v1/beat/key')).keyset;
    return this.keyset;
  }

  /** The newest anchor, verified: signature by a known anchor key, hash, and continuity with the last one seen. */
  async getAnchor(): Promise<Anchor> {
    const answer = await requestJson<AnchorResponse>(this.options, 'GET', '/api/v1/beat/anchor');
    if (!answer.anchor || !answer.receipt) throw new AnchorVerificationError('ANCHOR_KEY_UNKNOWN', 'The service has published no anchor yet');
    const anchor = await this.verified(answer.anchor, answer.receipt);
    await this.checkContinuity(anchor);
    this.last = anchor;
    return anchor;
  }

  /** A past anchor by index, verified (signature and hash). */
  async getAnchorAt(index: number): Promise<Anchor> {
    const answer = await requestJson<AnchorResponse>(this.options, 'GET', `/api/v1/beat/anchor/${index}`);
    if (!answer.anchor || !answer.receipt) throw new AnchorVerificationError('ANCHOR_KEY_UNKNOWN', `No anchor ${index}`);
    return this.verified(answer.anchor, answer.receipt);
  }

  /** Posts a proof; `{valid:false, reason}` is returned, not thrown (the service's 200 answer). */
  async submitWorkProof(proof: ProofV2 | Record<string, unknown>, signal?: AbortSignal): Promise<WorkProofAnswer> {
    return requestJson<WorkProofAnswer>(this.options, 'POST', '/api/v1/beat/work-proof', { body: { work_proof: proof }, signal });
  }

  /** Verifies a receipt offline against the keyset: its kid's work-proof key, valid when it was signed. */
  async verifyReceipt(receipt: WorkProofReceipt): Promise<void> {
    let key = findKey(await this.keys(), receipt.kid, 'work_proof');
    if (!key && !this.options.pinnedKeyset) key = findKey(await this.keys(true), receipt.kid, 'work_proof');
    if (!key) throw new ReceiptVerificationError(`No work-proof key with kid ${String(receipt.kid)} is trusted`);
    const signedAt = Date.parse(receipt.utc);
    if (!(signedAt >= key.valid_from) || (key.valid_until !== null && signedAt > key.valid_until)) {
      throw new ReceiptVerificationError(`The receipt was signed outside its key's validity window`);
    }
    if (!verifyReceipt(receipt, hexToBytes(key.public_key_hex))) throw new ReceiptVerificationError('The receipt signature does not verify');
  }

  private async verified(anchor: Anchor, receipt: { signature: string; kid: string }): Promise<Anchor> {
    let key = findKey(await this.keys(), receipt.kid, 'anchor');
    if (!key && !this.options.pinnedKeyset) key = findKey(await this.keys(true), receipt.kid, 'anchor');
    if (!key) throw new AnchorVerificationError('ANCHOR_KEY_UNKNOWN', `No anchor key with kid ${receipt.kid} is trusted`);
    if (!verifyAnchor(anchor, receipt.signature, hexToBytes(key.public_key_hex))) {
      throw new AnchorVerificationError('ANCHOR_SIGNATURE', `Anchor ${anchor.beat_index} does not verify (signature or hash)`);
    }
    return anchor;
  }

  private async checkContinuity(anchor: Anchor): Promise<void> {
    const last = this.last;
    if (!last) return;
    if (anchor.beat_index < last.beat_index) throw new AnchorVerificationError('ANCHOR_REGRESSION', `Anchor index went back from ${last.beat_index} to ${anchor.beat_index}`);
    if (anchor.beat_index === last.beat_index) {
      if (anchor.hash !== last.hash) throw new AnchorVerificationError('ANCHOR_FORK', `Two anchors at index ${anchor.beat_index}`);
      return;
    }
    const gap = anchor.beat_index - last.beat_index;
    if (gap > (this.options.maxGapCheck ?? 64)) return; // the signature vouches for it; the link is not walked
    let previous = last;
    for (let index = last.beat_index + 1; index <= anchor.beat_index; index++) {
      const next = index === anchor.beat_index ? anchor : await this.getAnchorAt(index);
      if (next.prev_hash !== previous.hash) throw new AnchorVerificationError('ANCHOR_CHAIN_BREAK', `Anchor ${index} does not continue anchor ${index - 1}`);
      previous = next;
    }
  }
}

function findKey(keyset: KeysetEntry[], kid: unknown, use: KeysetEntry['use']): KeysetEntry | undefined {
  return keyset.find((k) => k.kid === kid && k.use === use);
}
