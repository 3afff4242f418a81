// Persisted anchors (protocol A2): the chain continues across restarts, never resets, never forks.

import type { Database } from './database.js';
import { AnchorConflictError, isUniqueViolation } from './store-errors.js';

/** A stored anchor; field names are the wire names of protocol A2 (entropy as hex). */
export interface AnchorRecord {
  beat_index: number;
  hash: string;
  prev_hash: string;
  /** Epoch milliseconds. */
  utc: number;
  difficulty: number;
  epoch: number;
  /** The 32 entropy bytes, lowercase hex. */
  entropy: string;
  /** Ed25519 signature (base64) over the anchor's canonical JSON. */
  signature: string;
  kid: string;
}

/** Most anchors one `range` call returns. */
export const MAX_ANCHOR_RANGE = 1_000;

const COLUMNS = 'beat_index, hash, prev_hash, utc, difficulty, epoch, entropy, signature, kid';

/** Reads and appends anchors. */
export class AnchorRepository {
  constructor(private readonly db: Database) {}

  /** The anchor with the highest index, or undefined before the first one. */
  head(): Promise<AnchorRecord | undefined> {
    return this.db.one<AnchorRecord>(`SELECT ${COLUMNS} FROM anchors ORDER BY beat_index DESC LIMIT 1`);
  }

  /** The anchor at `index`, or undefined. */
  get(index: number): Promise<AnchorRecord | undefined> {
    assertIndex(index, 'index');
    return this.db.one<AnchorRecord>(`SELECT ${COLUMNS} FROM anchors WHERE beat_index = $1`, [index]);
  }

  /** Index of the first anchor made at or after `utc` (epoch ms), or undefined when none is that recent. */
  async firstIndexSince(utc: number): Promise<number | undefined> {
    const row = await this.db.one<{ beat_index: number }>(
      'SELECT beat_index FROM anchors WHERE utc >= $1 ORDER BY utc, beat_index LIMIT 1',
      [utc],
    );
    return row?.beat_index;
  }

  /** Anchors with `from <= beat_index <= to`, ascending, at most `limit` (≤ MAX_ANCHOR_RANGE) of them. */
  range(from: number, to: number, limit: number = MAX_ANCHOR_RANGE): Promise<AnchorRecord[]> {
    assertIndex(from, 'from');
    assertIndex(to, 'to');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANCHOR_RANGE) {
      throw new RangeError(`"limit" expected an integer in [1, ${MAX_ANCHOR_RANGE}], got ${limit}`);
    }
    return this.db.query<AnchorRecord>(
      `SELECT ${COLUMNS} FROM anchors WHERE beat_index >= $1 AND beat_index <= $2 ORDER BY beat_index LIMIT $3`,
      [from, to, limit],
    );
  }

  /**
   * Appends `anchor` if it extends the head: index head+1 (0 on an empty table) and prev_hash
   * equal to the head's hash. Throws AnchorConflictError (`gap`, `fork`, `duplicate`) otherwise.
   */
  async insert(anchor: AnchorRecord): Promise<void> {
    assertIndex(anchor.beat_index, 'beat_index');
    const index = anchor.beat_index;
    await this.db.transaction(async (tx) => {
      const head = await tx.one<{ beat_index: number; hash: string }>(
        'SELECT beat_index, hash FROM anchors ORDER BY beat_index DESC LIMIT 1',
      );
      const expected = head ? head.beat_index + 1 : 0;
      if (index < expected) {
        throw new AnchorConflictError('duplicate', index, `anchor ${index} already exists (head is ${expected - 1})`);
      }
      if (index > expected) {
        throw new AnchorConflictError('gap', index, `anchor ${index} does not follow the head (expected ${expected})`);
      }
      if (head && anchor.prev_hash !== head.hash) {
        throw new AnchorConflictError('fork', index, `anchor ${index} prev_hash is not the hash of anchor ${head.beat_index}`);
      }
      try {
        await tx.run(
          `INSERT INTO anchors (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [index, anchor.hash, anchor.prev_hash, anchor.utc, anchor.difficulty, anchor.epoch, anchor.entropy, anchor.signature, anchor.kid],
        );
      } catch (error) {
        // Two writers read the same head: the primary key lets exactly one insert this index.
        if (isUniqueViolation(error)) {
          throw new AnchorConflictError('duplicate', index, `anchor ${index} (or its hash) was stored concurrently`);
        }
        throw error;
      }
    });
  }
}

function assertIndex(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`"${name}" expected a non-negative safe integer, got ${value}`);
  }
}
