// What the registry checks before a Beats receipt pays for anything (protocol C), in one place for
// resync, beats/submit and (later) spawn. Every failure is 402 INVALID_RECEIPT with a `reason`.
//
// `check` runs the rules that read no registry state (signature, type, version, subject, difficulty,
// beats, anchor window and hash); `spend` is the exactly-once part and must run inside the transaction
// of the state change it pays for: the receipt id (SHA-256 of its signature) and the work's
// (from_hash, to_hash) are both unique in `consumed_receipts`, so of 20 concurrent requests with one
// receipt exactly one commits, and a second receipt for the same work (the Beats service signs a new
// one, with a new utc, each time a proof is posted) is refused too.
import { decodeBase64, utf8Decode } from '../../shared/base64.js';
import { hexToBytes, isHex64 } from '../../shared/hex.js';
import { receiptId, verifyReceipt } from '../../shared/receipts.js';
import { keyId } from '../../shared/signing-keys.js';
import { AppError } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import type { Database } from '../store/database.js';
import { ReceiptRepository } from '../store/receipt-repository.js';

/** The `reason` of a 402 INVALID_RECEIPT, one per rule, in the order the rules run. */
export type ReceiptRefusal =
  | 'malformed_receipt'
  | 'unknown_key'
  | 'key_not_valid'
  | 'bad_signature'
  | 'wrong_type'
  | 'version_not_accepted'
  | 'subject_mismatch'
  | 'insufficient_difficulty'
  | 'insufficient_beats'
  | 'anchor_in_future'
  | 'stale_anchor'
  | 'anchor_mismatch'
  | 'already_consumed'
  | 'work_already_consumed';

/** What a receipt pays for (consumed_receipts.purpose). */
export type SpendPurpose = 'resync' | 'beats_submit' | 'spawn';

/** A work-proof verification key and its validity window (epoch ms; null = unbounded). */
export interface ReceiptVerificationKey {
  publicKey: Uint8Array;
  validFrom: number | null;
  validUntil: number | null;
}

/** Where the pinned work-proof keys come from. */
export interface ReceiptKeySource {
  /** The work-proof key named by `kid` (undefined when the receipt carries none), or undefined when not pinned. */
  keyFor(kid: string | undefined): Promise<ReceiptVerificationKey | undefined>;
}

/** The in-process Beats service's work-proof keys, current and retired, by kid (never an anchor key). */
export function keyringReceiptKeys(keyring: Keyring): ReceiptKeySource {
  return {
    async keyFor(kid) {
      if (kid === undefined) return undefined;
      let key = keyring.keyFor(kid);
      if (!key) {
        await keyring.refresh(); // rotated by another instance since our last load
        key = keyring.keyFor(kid);
      }
      if (!key || key.use !== 'work_proof') return undefined;
      return { publicKey: key.publicKey, validFrom: key.validFrom, validUntil: key.validUntil };
    },
  };
}

/** Exactly one pinned key (BEATS_PUBLIC_KEY of a remote Beats service); a receipt's kid, when present, must name it. */
export function pinnedReceiptKeys(publicKeyHex: string): ReceiptKeySource {
  const publicKey = hexToBytes(publicKeyHex);
  const pinnedKid = keyId(publicKey);
  return {
    async keyFor(kid) {
      if (kid !== undefined && kid !== pinnedKid) return undefined;
      return { publicKey, validFrom: null, validUntil: null };
    },
  };
}

/** The anchors the registry checks receipts against. */
export interface ReceiptAnchorSource {
  /** Index of the newest anchor (throws 503 ANCHOR_UNAVAILABLE when there is none). */
  currentIndex(): Promise<number>;
  /** The stored hash of anchor `index`, or null. */
  hashAt(index: number): Promise<string | null>;
}

/** Options of ReceiptAcceptance. */
export interface ReceiptAcceptanceOptions {
  keys: ReceiptKeySource;
  anchors: ReceiptAnchorSource;
  /** DIFFICULTY: the least difficulty a receipt may carry. */
  requiredDifficulty: number;
  /** RECEIPT_WINDOW_ANCHORS: the oldest anchor a receipt may name is `current − window`. */
  windowAnchors: number;
  /** ACCEPT_V1_RECEIPTS: also accept version 1 (`prover-chosen`) receipts. */
  acceptV1: boolean;
}

/** What must hold for this payment. */
export interface ReceiptRequirement {
  /** The paying agent (`0x` + 64 hex); the receipt's subject is this without `0x`. */
  agentHash: string;
  /** Least `beats_verified`. */
  requiredBeats: number;
}

/** A receipt that passed `check`. */
export interface AcceptedReceipt {
  /** SHA-256 of the signature, hex (protocol C). */
  id: string;
  version: 1 | 2;
  subject: string | null;
  beatsVerified: number;
  difficulty: number;
  anchorIndex: number;
  fromHash: string;
  toHash: string;
}

/** The 402 INVALID_RECEIPT for `reason`. */
export function invalidReceipt(reason: ReceiptRefusal, message?: string): AppError {
  return new AppError('INVALID_RECEIPT', message ?? `Receipt failed validation: ${reason}`, { reason });
}

const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The receipt object of a `beats_receipt` value: the object itself, or standard base64 of its JSON (seed 000); else null. */
export function decodeReceiptInput(raw: unknown): Record<string, unknown> | null {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length === 0 || !BASE64_TEXT.test(raw)) return null;
    try {
      value = JSON.parse(utf8Decode(decodeBase64(raw)));
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

const isSafeInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Checks receipts against protocol C and spends them exactly once. */
export class ReceiptAcceptance {
  private readonly spentListeners = new Set<(purpose: SpendPurpose) => void>();

  constructor(private readonly options: ReceiptAcceptanceOptions) {}

  /** Calls `listener` once per receipt spend whose transaction committed (metrics); returns the unsubscribe. */
  onSpent(listener: (purpose: SpendPurpose) => void): () => void {
    this.spentListeners.add(listener);
    return () => this.spentListeners.delete(listener);
  }

  /** Tells the onSpent listeners that a spend for `purpose` committed: call it after the transaction that ran `spend`. */
  announceSpent(purpose: SpendPurpose): void {
    for (const listener of this.spentListeners) listener(purpose);
  }

  /** The accepted receipt, or throws 402 INVALID_RECEIPT with the first rule it fails. Reads no registry state. */
  async check(raw: unknown, requirement: ReceiptRequirement): Promise<AcceptedReceipt> {
    const { keys, anchors, requiredDifficulty, windowAnchors, acceptV1 } = this.options;
    const receipt = decodeReceiptInput(raw);
    if (!receipt || typeof receipt.signature !== 'string') throw invalidReceipt('malformed_receipt');

    // Signature first: after it, every field is what the Beats service signed.
    const kid = receipt.kid;
    if (kid !== undefined && typeof kid !== 'string') throw invalidReceipt('malformed_receipt');
    const key = await keys.keyFor(kid);
    if (!key) throw invalidReceipt('unknown_key');
    if (!verifyReceipt(receipt, key.publicKey)) throw invalidReceipt('bad_signature');
    const utc = typeof receipt.utc === 'string' && ISO_UTC.test(receipt.utc) ? Date.parse(receipt.utc) : NaN;
    if (!Number.isFinite(utc)) throw invalidReceipt('malformed_receipt');
    if ((key.validFrom !== null && utc < key.validFrom) || (key.validUntil !== null && utc >= key.validUntil)) {
      throw invalidReceipt('key_not_valid', 'Receipt was signed outside its key\'s validity window');
    }

    if (receipt.type !== 'work_proof') throw invalidReceipt('wrong_type');
    // The peer's own receipts carry no version: they are version 1 (prover-chosen spot checks).
    const version = receipt.version === undefined ? 1 : receipt.version;
    if (version !== 2 && !(version === 1 && acceptV1)) throw invalidReceipt('version_not_accepted');
    const { subject, beats_verified, difficulty, anchor_index, anchor_hash, from_hash, to_hash } = receipt;
    if (
      !(subject === null || subject === undefined || isHex64(subject)) ||
      !isSafeInt(beats_verified, 0) || !isSafeInt(difficulty, 0) || !isSafeInt(anchor_index, 0) ||
      !isHex64(anchor_hash) || !isHex64(from_hash) || !isHex64(to_hash)
    ) {
      throw invalidReceipt('malformed_receipt');
    }

    // v2 binds the work to its subject (protocol B1); a v1 receipt names none, so only v1 may omit it.
    const expectedSubject = requirement.agentHash.slice(2);
    const subjectOk = subject === expectedSubject || (version === 1 && (subject === null || subject === undefined));
    if (!subjectOk) throw invalidReceipt('subject_mismatch');
    if (difficulty < requiredDifficulty) throw invalidReceipt('insufficient_difficulty');
    if (beats_verified < requirement.requiredBeats) throw invalidReceipt('insufficient_beats');

    const current = await anchors.currentIndex();
    if (anchor_index > current) throw invalidReceipt('anchor_in_future');
    if (current - anchor_index > windowAnchors) throw invalidReceipt('stale_anchor');
    if ((await anchors.hashAt(anchor_index)) !== anchor_hash) throw invalidReceipt('anchor_mismatch');

    return {
      id: receiptId(receipt as { signature: string }),
      version,
      subject: subject ?? null,
      beatsVerified: beats_verified,
      difficulty,
      anchorIndex: anchor_index,
      fromHash: from_hash,
      toHash: to_hash,
    };
  }

  /**
   * Spends `receipt` for `agentHash` and `purpose` with `tx`, the transaction of what it pays for;
   * throws 402 INVALID_RECEIPT (`already_consumed`, `work_already_consumed`) when it or its work was spent.
   */
  async spend(tx: Database, receipt: AcceptedReceipt, agentHash: string, purpose: SpendPurpose, now: number): Promise<void> {
    const outcome = await new ReceiptRepository(tx).consumeWork({
      receiptId: receipt.id, agentHash, purpose, beats: receipt.beatsVerified, consumedAt: now,
      fromHash: receipt.fromHash, toHash: receipt.toHash,
      workKey: receipt.version === 2 ? `v2:${receipt.fromHash}` : `v1:${receipt.fromHash}:${receipt.toHash}`,
    });
    if (outcome === 'receipt_consumed') throw invalidReceipt('already_consumed');
    if (outcome === 'work_consumed') throw invalidReceipt('work_already_consumed');
  }
}
