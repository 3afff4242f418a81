// The payload of a work-proof receipt (protocol A3, A4, B5): the peer's fields, which its clients
// verify unchanged, plus what says how the work was checked.
import type { Signed } from './receipts.js';

/** The peer's receipt fields (peer-protocol §4), common to every version. */
export interface WorkProofReceiptCore {
  type: 'work_proof';
  beats_verified: number;
  difficulty: number;
  anchor_index: number;
  anchor_hash: string;
  from_hash: string;
  to_hash: string;
}

/** A v1 receipt's fields: prover-chosen spot checks, so the count is a claim (protocol A4). */
export interface ReceiptFieldsV1 extends WorkProofReceiptCore {
  version: 1;
  mode: 'v1-spot';
  assurance: 'prover-chosen';
  subject: null;
  merkle_root: null;
}

/** A v2 receipt's fields (protocol B5). */
export interface ReceiptFieldsV2 extends WorkProofReceiptCore {
  version: 2;
  mode: 'sampled' | 'full';
  /** Every beat checked (`full`), or k Fiat–Shamir challenges over the commitment (`fs-<k>`). */
  assurance: 'full' | `fs-${number}`;
  subject: string;
  /** The sampled proof's commitment; null in full mode. */
  merkle_root: string | null;
}

/** The fields of any work-proof receipt before the signer adds utc, kid and signature. */
export type WorkProofReceiptFields = ReceiptFieldsV1 | ReceiptFieldsV2;

/** A signed work-proof receipt as the service answers it. */
export type WorkProofReceipt = Signed<WorkProofReceiptFields & { utc: string; kid: string }>;
