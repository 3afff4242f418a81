// Signs work-proof receipts (protocol A3/B5) with the active work-proof key and records each one
// before it is answered, so every receipt in circulation is in the issued log.
import { receiptId, signReceipt } from '../../shared/receipts.js';
import type { WorkProofReceipt, WorkProofReceiptFields } from '../../shared/work-proof-receipt.js';
import type { ReceiptRepository } from '../store/receipt-repository.js';

/** The key the signer uses: the keyring's active work-proof key. */
export interface WorkProofKeySource {
  active(use: 'work_proof'): { kid: string; secretKey: Uint8Array };
  /** Reloads the keyset when stale, so a rotation made by another instance is honoured. */
  refresh?(): Promise<void>;
}

/** Signs and records work-proof receipts. */
export class ReceiptSigner {
  constructor(
    private readonly keys: WorkProofKeySource,
    private readonly receipts: ReceiptRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** The signed receipt for `fields`, recorded as issued. */
  async sign(fields: WorkProofReceiptFields): Promise<WorkProofReceipt> {
    await this.keys.refresh?.();
    const key = this.keys.active('work_proof');
    const issuedAt = this.now();
    const receipt = signReceipt({ ...fields, utc: new Date(issuedAt).toISOString(), kid: key.kid }, key.secretKey);
    await this.receipts.recordIssued({
      receipt_id: receiptId(receipt), kind: fields.type, subject: fields.subject, beats_verified: fields.beats_verified,
      difficulty: fields.difficulty, anchor_index: fields.anchor_index, mode: fields.mode, assurance: fields.assurance,
      kid: key.kid, issued_at: issuedAt,
    });
    return receipt;
  }
}
