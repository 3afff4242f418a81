// Spawn authorizations (seed 004): issued under a lock on the parent's row, consumed exactly once by
// a conditional UPDATE, and counted as siblings while they are live (unused and unexpired).

import type { Database } from './database.js';

/** A stored spawn authorization. Timestamps are epoch milliseconds. */
export interface SpawnAuthorizationRecord {
  /** 32 hex characters (16 CSPRNG bytes). */
  id: string;
  parent_hash: string;
  child_name: string;
  required_beats: number;
  /** true: paid by a Beats receipt; false: by the parent's available beats. */
  receipt_based: boolean;
  receipt_id: string | null;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
  child_hash: string | null;
}

/** What the parent's row says once locked for a spawn. */
export interface LockedParent {
  depth: number;
  children_spawned: number;
}

const COLUMNS = 'id, parent_hash, child_name, required_beats, receipt_based, receipt_id, issued_at, expires_at, used_at, child_hash';

/** Reads and writes spawn authorizations. */
export class SpawnRepository {
  constructor(private readonly db: Database) {}

  /**
   * Locks `parentHash`'s row for the rest of the transaction (an UPDATE of its spawn counter, so a
   * concurrent spawn of the same parent waits for this one to commit) and reads its depth and
   * children; undefined when the agent is unknown or its beat chain is frozen. Run it in a transaction.
   */
  lockParent(parentHash: string): Promise<LockedParent | undefined> {
    return this.db.one<LockedParent>(
      `UPDATE agents SET spawn_seq = spawn_seq + 1
       WHERE hash = $1 AND NOT EXISTS (SELECT 1 FROM beat_chains WHERE agent_hash = $1 AND status = 'frozen')
       RETURNING depth, children_spawned`,
      [parentHash],
    );
  }

  /** How many authorizations of `parentHash` are live at `now` (unused, unexpired). */
  async liveCount(parentHash: string, now: number): Promise<number> {
    const row = await this.db.one<{ c: number }>(
      'SELECT COUNT(*) AS c FROM spawn_authorizations WHERE parent_hash = $1 AND used_at IS NULL AND expires_at > $2',
      [parentHash, now],
    );
    return row?.c ?? 0;
  }

  /** Why `childName` cannot be authorized under `parentHash` at `now` — a child has it, or a live authorization — else undefined. */
  async nameConflict(parentHash: string, childName: string, now: number): Promise<'name_taken' | 'authorization_pending' | undefined> {
    const child = await this.db.one('SELECT 1 AS found FROM agents WHERE parent_hash = $1 AND name = $2', [parentHash, childName]);
    if (child) return 'name_taken';
    const pending = await this.db.one(
      `SELECT 1 AS found FROM spawn_authorizations
       WHERE parent_hash = $1 AND child_name = $2 AND used_at IS NULL AND expires_at > $3 LIMIT 1`,
      [parentHash, childName, now],
    );
    return pending ? 'authorization_pending' : undefined;
  }

  /** Stores a new authorization. */
  async insert(record: Omit<SpawnAuthorizationRecord, 'used_at' | 'child_hash'>): Promise<void> {
    await this.db.run(
      `INSERT INTO spawn_authorizations (id, parent_hash, child_name, required_beats, receipt_based, receipt_id, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        record.id, record.parent_hash, record.child_name, record.required_beats, record.receipt_based, record.receipt_id,
        record.issued_at, record.expires_at,
      ],
    );
  }

  /**
   * Uses authorization `id` for `childHash`: true for exactly one call, and only while it is unused,
   * unexpired at `now` and issued to `parentHash` for `childName`.
   */
  async consume(id: string, parentHash: string, childName: string, childHash: string, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE spawn_authorizations SET used_at = $5, child_hash = $4
       WHERE id = $1 AND parent_hash = $2 AND child_name = $3 AND used_at IS NULL AND expires_at > $5`,
      [id, parentHash, childName, childHash, now],
    );
    return changes === 1;
  }

  /** The live authorization of `parentHash` for `childName` at `now` (at most one: issuing refuses a second), or undefined. */
  live(parentHash: string, childName: string, now: number): Promise<SpawnAuthorizationRecord | undefined> {
    return this.db.one<SpawnAuthorizationRecord>(
      `SELECT ${COLUMNS} FROM spawn_authorizations
       WHERE parent_hash = $1 AND child_name = $2 AND used_at IS NULL AND expires_at > $3
       ORDER BY issued_at DESC LIMIT 1`,
      [parentHash, childName, now],
    );
  }

  /** The authorization `id`, or undefined. */
  get(id: string): Promise<SpawnAuthorizationRecord | undefined> {
    return this.db.one<SpawnAuthorizationRecord>(`SELECT ${COLUMNS} FROM spawn_authorizations WHERE id = $1`, [id]);
  }
}
