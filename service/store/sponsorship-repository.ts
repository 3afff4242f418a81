// Parent-sponsored heartbeats (seed 003). The epoch cap is enforced by one conditional UPDATE
// (`… SET heartbeats_used_epoch = heartbeats_used_epoch + 1 WHERE … < max`) in the heartbeat's
// transaction, so concurrent charges can never pass the cap; revocations are single UPDATEs too.

import type { Database } from './database.js';

/** `active` or `revoked`; `expired` is computed when read (an active row past `expires_at`). */
export type SponsorshipState = 'active' | 'revoked';

/** Why a sponsorship was revoked. */
export type RevocationReason = 'parent' | 'frozen' | 'key_rotated';

/** A stored sponsorship. Timestamps are epoch milliseconds. */
export interface SponsorshipRecord {
  parent_hash: string;
  child_hash: string;
  status: SponsorshipState;
  max_heartbeats_epoch: number;
  /** Sponsored heartbeats in `billing_epoch` (0 for any later epoch). */
  heartbeats_used_epoch: number;
  billing_epoch: number;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  revoked_reason: RevocationReason | null;
}

/** A child's sponsorship with its parent's facts, to explain a refused charge. */
export interface SponsorshipForCharge extends SponsorshipRecord {
  parent_wallet: string | null;
  parent_frozen: boolean;
}

/** What `upsert` writes. */
export interface SponsorshipWrite {
  parentHash: string;
  childHash: string;
  maxHeartbeatsEpoch: number;
  expiresAt: number | null;
  now: number;
}

/** What `charge` asks for. */
export interface SponsorshipChargeWrite {
  childHash: string;
  /** The heartbeat's payer: the sponsoring parent's wallet must be this. */
  payer: string;
  billingEpoch: number;
  now: number;
}

/** A successful charge. */
export interface SponsorshipCharge {
  parent_hash: string;
  heartbeats_used_epoch: number;
  max_heartbeats_epoch: number;
}

const COLUMNS =
  'parent_hash, child_hash, status, max_heartbeats_epoch, heartbeats_used_epoch, billing_epoch, expires_at, created_at, updated_at, ' +
  'revoked_at, revoked_reason';

/** Most hashes in one revocation statement (both engines bind far more; this keeps statements small). */
const REVOKE_CHUNK = 500;

/** Reads and writes sponsorships. */
export class SponsorshipRepository {
  constructor(private readonly db: Database) {}

  /**
   * Creates or updates (and reactivates) the sponsorship of `childHash` by `parentHash`, keeping the
   * epoch's usage — unless the parent's chain is frozen, then nothing is written and undefined returned.
   */
  upsert(w: SponsorshipWrite): Promise<SponsorshipRecord | undefined> {
    // INSERT … SELECT … WHERE: the frozen check and the write are one statement (SQLite needs the WHERE
    // to parse the upsert clause after a SELECT).
    return this.db.one<SponsorshipRecord>(
      `INSERT INTO sponsorships (parent_hash, child_hash, status, max_heartbeats_epoch, expires_at, created_at, updated_at)
       SELECT $1, $2, 'active', $3, $4, $5, $5
       WHERE NOT EXISTS (SELECT 1 FROM beat_chains WHERE agent_hash = $1 AND status = 'frozen')
       ON CONFLICT (parent_hash, child_hash) DO UPDATE SET
         status = 'active', max_heartbeats_epoch = excluded.max_heartbeats_epoch, expires_at = excluded.expires_at,
         updated_at = excluded.updated_at, revoked_at = NULL, revoked_reason = NULL
       RETURNING ${COLUMNS}`,
      [w.parentHash, w.childHash, w.maxHeartbeatsEpoch, w.expiresAt, w.now],
    );
  }

  /** Revokes the active, unexpired sponsorship of `childHash` by `parentHash`; false when there is none. */
  async revoke(parentHash: string, childHash: string, reason: RevocationReason, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE sponsorships SET status = 'revoked', revoked_at = $4, revoked_reason = $3, updated_at = $4
       WHERE parent_hash = $1 AND child_hash = $2 AND status = 'active' AND (expires_at IS NULL OR expires_at > $4)`,
      [parentHash, childHash, reason, now],
    );
    return changes === 1;
  }

  /** Revokes every active sponsorship in which one of `agentHashes` is the parent or the child; returns how many. */
  async revokeInvolving(agentHashes: readonly string[], reason: RevocationReason, now: number): Promise<number> {
    let revoked = 0;
    for (let i = 0; i < agentHashes.length; i += REVOKE_CHUNK) {
      const chunk = agentHashes.slice(i, i + REVOKE_CHUNK);
      const list = chunk.map((_, j) => `$${j + 3}`).join(', ');
      const { changes } = await this.db.run(
        `UPDATE sponsorships SET status = 'revoked', revoked_at = $1, revoked_reason = $2, updated_at = $1
         WHERE status = 'active' AND (parent_hash IN (${list}) OR child_hash IN (${list}))`,
        [now, reason, ...chunk],
      );
      revoked += changes;
    }
    return revoked;
  }

  /** Revokes every active sponsorship of `childHash` (as the child); returns how many. */
  async revokeForChild(childHash: string, reason: RevocationReason, now: number): Promise<number> {
    const { changes } = await this.db.run(
      `UPDATE sponsorships SET status = 'revoked', revoked_at = $3, revoked_reason = $2, updated_at = $3
       WHERE child_hash = $1 AND status = 'active'`,
      [childHash, reason, now],
    );
    return changes;
  }

  /** Every sponsorship `parentHash` has made, newest first. */
  listByParent(parentHash: string): Promise<SponsorshipRecord[]> {
    return this.db.query<SponsorshipRecord>(
      `SELECT ${COLUMNS} FROM sponsorships WHERE parent_hash = $1 ORDER BY created_at DESC, child_hash`,
      [parentHash],
    );
  }

  /** The sponsorship of `childHash` by `parentHash`, or undefined. */
  get(parentHash: string, childHash: string): Promise<SponsorshipRecord | undefined> {
    return this.db.one<SponsorshipRecord>(`SELECT ${COLUMNS} FROM sponsorships WHERE parent_hash = $1 AND child_hash = $2`, [
      parentHash, childHash,
    ]);
  }

  /** The latest sponsorship of `childHash` (a child has one parent, so at most one) with its parent's wallet and freeze, or undefined. */
  async forChild(childHash: string): Promise<SponsorshipForCharge | undefined> {
    const row = await this.db.one<SponsorshipRecord & { parent_wallet: string | null; parent_chain_status: string | null }>(
      `SELECT ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, p.wallet AS parent_wallet, c.status AS parent_chain_status
       FROM sponsorships s
       JOIN agents p ON p.hash = s.parent_hash
       LEFT JOIN beat_chains c ON c.agent_hash = s.parent_hash
       WHERE s.child_hash = $1
       ORDER BY s.updated_at DESC LIMIT 1`,
      [childHash],
    );
    if (!row) return undefined;
    const { parent_chain_status, ...rest } = row;
    return { ...rest, parent_frozen: parent_chain_status === 'frozen' };
  }

  /**
   * Charges one heartbeat of `childHash` to its sponsor: only while the sponsorship is active and
   * unexpired at `now`, the parent's wallet is the payer, the parent's chain is not frozen, and the
   * epoch's count is under the cap (a new epoch starts again at 1). Undefined when nothing was
   * charged. Run it in the heartbeat's transaction, so a refused heartbeat un-charges it.
   */
  charge(w: SponsorshipChargeWrite): Promise<SponsorshipCharge | undefined> {
    // SET expressions read the row's old values on both engines; on PostgreSQL a concurrent charge
    // waits for the row lock and then re-checks the WHERE clause against the committed count.
    return this.db.one<SponsorshipCharge>(
      `UPDATE sponsorships SET
         heartbeats_used_epoch = CASE WHEN billing_epoch = $3 THEN heartbeats_used_epoch + 1 ELSE 1 END,
         billing_epoch = $3
       WHERE child_hash = $1 AND status = 'active' AND (expires_at IS NULL OR expires_at > $4)
         AND (billing_epoch <> $3 OR heartbeats_used_epoch < max_heartbeats_epoch)
         AND EXISTS (SELECT 1 FROM agents p WHERE p.hash = sponsorships.parent_hash AND p.wallet = $2)
         AND NOT EXISTS (SELECT 1 FROM beat_chains c WHERE c.agent_hash = sponsorships.parent_hash AND c.status = 'frozen')
       RETURNING parent_hash, heartbeats_used_epoch, max_heartbeats_epoch`,
      [w.childHash, w.payer, w.billingEpoch, w.now],
    );
  }
}
