// Work-proof receipts: those the service signed, and those the registry has spent (protocol C).

import type { Database } from './database.js';

/** A receipt the service signed; `receipt_id` is SHA256 of its signature (protocol C). */
export interface IssuedReceiptRecord {
  receipt_id: string;
  /** The receipt's `type`, e.g. `work_proof`. */
  kind: string;
  subject: string | null;
  beats_verified: number;
  difficulty: number;
  anchor_index: number;
  mode: string;
  assurance: string;
  kid: string;
  /** Epoch milliseconds. */
  issued_at: number;
}

/** A receipt the registry accepted as payment. */
export interface ConsumedReceiptRecord {
  receipt_id: string;
  agent_hash: string;
  /** What it paid for, e.g. `resync` or `spawn`. */
  purpose: string;
  beats: number;
  /** Epoch milliseconds. */
  consumed_at: number;
}

/** What `consumeWork` spends: the receipt, who paid with it for what, and the work's endpoints. */
export interface WorkSpend {
  receiptId: string;
  agentHash: string;
  purpose: string;
  beats: number;
  /** Epoch milliseconds. */
  consumedAt: number;
  fromHash: string;
  toHash: string;
  /** What makes the work unique: v2 `v2:<from_hash>` (one spend per chain start), v1 `v1:<from>:<to>`. */
  workKey: string;
}

/** The outcome of `consumeWork`: spent now, or refused because the receipt or its work was spent before. */
export type WorkSpendOutcome = 'consumed' | 'receipt_consumed' | 'work_consumed';

const ISSUED_COLUMNS =
  'receipt_id, kind, subject, beats_verified, difficulty, anchor_index, mode, assurance, kid, issued_at';
const CONSUMED_COLUMNS = 'receipt_id, agent_hash, purpose, beats, consumed_at';

/** Records issued receipts and spends receipts exactly once. */
export class ReceiptRepository {
  constructor(private readonly db: Database) {}

  /** Stores an issued receipt; false when its id is already stored. */
  async recordIssued(receipt: IssuedReceiptRecord): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO issued_receipts (${ISSUED_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (receipt_id) DO NOTHING`,
      [
        receipt.receipt_id,
        receipt.kind,
        receipt.subject,
        receipt.beats_verified,
        receipt.difficulty,
        receipt.anchor_index,
        receipt.mode,
        receipt.assurance,
        receipt.kid,
        receipt.issued_at,
      ],
    );
    return changes === 1;
  }

  /** The issued receipt `receiptId`, or undefined. */
  getIssued(receiptId: string): Promise<IssuedReceiptRecord | undefined> {
    return this.db.one<IssuedReceiptRecord>(`SELECT ${ISSUED_COLUMNS} FROM issued_receipts WHERE receipt_id = $1`, [
      receiptId,
    ]);
  }

  /**
   * Spends `receiptId`: true for exactly one call per id, even concurrently across processes.
   * Run it in the same transaction as what the receipt pays for, so a failure there un-spends it.
   */
  async consume(
    receiptId: string,
    agentHash: string,
    purpose: string,
    beats: number,
    consumedAt: number = Date.now(),
  ): Promise<boolean> {
    // No read-then-write: the primary key decides (architecture.md, Storage). A concurrent
    // second insert waits for the first to commit, then inserts nothing and reports 0 rows.
    const { changes } = await this.db.run(
      `INSERT INTO consumed_receipts (${CONSUMED_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (receipt_id) DO NOTHING`,
      [receiptId, agentHash, purpose, beats, consumedAt],
    );
    return changes === 1;
  }

  /**
   * Spends a receipt and the work it proves: 'consumed' for exactly one call per receipt id and per
   * work key, even concurrently across processes; otherwise which of the two was spent
   * before. Run it in the transaction of what the receipt pays for (see `consume`).
   */
  async consumeWork(spend: WorkSpend): Promise<WorkSpendOutcome> {
    // ON CONFLICT without a target covers both unique constraints (the primary key and
    // consumed_receipts_work); a concurrent second insert waits for the first to commit.
    const { changes } = await this.db.run(
      `INSERT INTO consumed_receipts (${CONSUMED_COLUMNS}, from_hash, to_hash, work_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      [spend.receiptId, spend.agentHash, spend.purpose, spend.beats, spend.consumedAt, spend.fromHash, spend.toHash, spend.workKey],
    );
    if (changes === 1) return 'consumed';
    return (await this.isConsumed(spend.receiptId)) ? 'receipt_consumed' : 'work_consumed';
  }

  /** True once `receiptId` has been consumed. */
  async isConsumed(receiptId: string): Promise<boolean> {
    const row = await this.db.one('SELECT 1 AS found FROM consumed_receipts WHERE receipt_id = $1', [receiptId]);
    return row !== undefined;
  }

  /** The consumption record of `receiptId`, or undefined. */
  getConsumed(receiptId: string): Promise<ConsumedReceiptRecord | undefined> {
    return this.db.one<ConsumedReceiptRecord>(
      `SELECT ${CONSUMED_COLUMNS} FROM consumed_receipts WHERE receipt_id = $1`,
      [receiptId],
    );
  }
}
