// Agents' beat chains, their heartbeats and their freezes (seed pages 000-002). State transitions are
// conditional UPDATEs (the WHERE clause carries the precondition), so two requests racing on one agent,
// or a request racing the dead man's switch, can never both apply: the loser changes 0 rows.

import type { Database } from './database.js';
import { isUniqueViolation } from './store-errors.js';

/** `active` or `frozen` (seed 001 `heartbeat.status`). */
export type ChainStatus = 'active' | 'frozen';

/** A stored beat chain. Anchor fields are anchor indices; timestamps are epoch milliseconds. */
export interface BeatChainRecord {
  agent_hash: string;
  genesis_hash: string;
  genesis_prev: string;
  genesis_at: number;
  difficulty: number;
  status: ChainStatus;
  /** The anchor current when the chain was created. */
  init_anchor: number;
  last_global_sync: number;
  /** When last_global_sync was last set (init, heartbeat or resync). */
  last_sync_at: number;
  /** The anchor of the last heartbeat, or null before the first. */
  last_checkin_beat: number | null;
  total_heartbeats: number;
  billing_epoch: number;
  heartbeat_count_epoch: number;
  lifetime_beats: number;
  available_beats: number;
  latest_hash: string;
  frozen_since: number | null;
  frozen_at_anchor: number | null;
}

/** What `create` stores. */
export interface NewBeatChain {
  agent_hash: string;
  genesis_hash: string;
  genesis_prev: string;
  genesis_at: number;
  difficulty: number;
  init_anchor: number;
}

/** One stored heartbeat. */
export interface HeartbeatRecord {
  anchor_index: number;
  /** Epoch milliseconds. */
  at: number;
}

/** One stored freeze; `ended_at_anchor` is null until the resync that ends it. */
export interface FreezeRecord {
  frozen_at_anchor: number;
  ended_at_anchor: number | null;
}

/** What a heartbeat writes. */
export interface HeartbeatWrite {
  agentHash: string;
  anchorIndex: number;
  at: number;
  billingEpoch: number;
  /** Most heartbeats allowed in `billingEpoch`. */
  volumeCap: number;
  payer: string | null;
  /** The parent whose sponsorship paid, or null. */
  sponsorHash: string | null;
}

/** The counters a heartbeat leaves behind. */
export interface HeartbeatCounters {
  last_global_sync: number;
  total_heartbeats: number;
  billing_epoch: number;
  heartbeat_count_epoch: number;
}

/** Why `recordHeartbeat` wrote nothing. */
export type HeartbeatRefusal = 'too_soon' | 'not_applicable';

const COLUMNS =
  'agent_hash, genesis_hash, genesis_prev, genesis_at, difficulty, status, init_anchor, last_global_sync, last_sync_at, ' +
  'last_checkin_beat, total_heartbeats, billing_epoch, heartbeat_count_epoch, lifetime_beats, available_beats, latest_hash, ' +
  'frozen_since, frozen_at_anchor';

/** Reads and writes beat chains, heartbeats and freezes. */
export class BeatChainRepository {
  constructor(private readonly db: Database) {}

  /** Creates the chain of `chain.agent_hash` (active, synced at its init anchor); false when it already exists. */
  async create(chain: NewBeatChain): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO beat_chains (agent_hash, genesis_hash, genesis_prev, genesis_at, difficulty, status, init_anchor,
         last_global_sync, last_sync_at, latest_hash)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $4, $2)
       ON CONFLICT (agent_hash) DO NOTHING`,
      [chain.agent_hash, chain.genesis_hash, chain.genesis_prev, chain.genesis_at, chain.difficulty, chain.init_anchor],
    );
    return changes === 1;
  }

  /** The chain of `agentHash`, or undefined before init. */
  get(agentHash: string): Promise<BeatChainRecord | undefined> {
    return this.db.one<BeatChainRecord>(`SELECT ${COLUMNS} FROM beat_chains WHERE agent_hash = $1`, [agentHash]);
  }

  /**
   * Records a heartbeat at `w.anchorIndex`: the heartbeats row (its primary key refuses a second one
   * at the same anchor: `too_soon`), then the counters, only while the chain is active, not refused,
   * not synced past this anchor and under the epoch's cap (`not_applicable` otherwise: the caller
   * reads the chain to say which). Run it in a transaction: on a refusal the caller rolls back.
   */
  async recordHeartbeat(w: HeartbeatWrite): Promise<HeartbeatCounters | HeartbeatRefusal> {
    const inserted = await this.db.run(
      `INSERT INTO heartbeats (agent_hash, anchor_index, at, billing_epoch, payer, sponsor_hash) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agent_hash, anchor_index) DO NOTHING`,
      [w.agentHash, w.anchorIndex, w.at, w.billingEpoch, w.payer, w.sponsorHash],
    );
    if (inserted.changes === 0) return 'too_soon';
    // SET expressions read the row's old values on both engines.
    const row = await this.db.one<HeartbeatCounters>(
      `UPDATE beat_chains SET
         last_global_sync = $2, last_checkin_beat = $2, last_sync_at = $3,
         total_heartbeats = total_heartbeats + 1,
         heartbeat_count_epoch = CASE WHEN billing_epoch = $4 THEN heartbeat_count_epoch + 1 ELSE 1 END,
         billing_epoch = $4
       WHERE agent_hash = $1 AND status = 'active' AND last_global_sync <= $2
         AND (billing_epoch <> $4 OR heartbeat_count_epoch < $5)
         AND NOT EXISTS (SELECT 1 FROM agents WHERE hash = $1 AND refused = TRUE)
       RETURNING last_global_sync, total_heartbeats, billing_epoch, heartbeat_count_epoch`,
      [w.agentHash, w.anchorIndex, w.at, w.billingEpoch, w.volumeCap],
    );
    return row ?? 'not_applicable';
  }

  /**
   * recordHeartbeat as a transaction of its own: on PostgreSQL ONE statement (the counters UPDATE, then the
   * heartbeats INSERT from its row, in a data-modifying CTE: one round trip instead of BEGIN, INSERT, UPDATE,
   * COMMIT), on SQLite the two statements in a transaction (no round trips there). Nothing is written unless
   * both apply. A second heartbeat at the same anchor is refused by the UPDATE's `last_checkin_beat < anchor`
   * (concurrent ones wait for the row lock and re-check it), with the heartbeats primary key behind it.
   */
  async recordHeartbeatAlone(w: HeartbeatWrite): Promise<HeartbeatCounters | HeartbeatRefusal> {
    if (this.db.engine === 'sqlite') {
      try {
        return await this.db.transaction(async (tx) => {
          const result = await new BeatChainRepository(tx).recordHeartbeat(w);
          if (typeof result === 'string') throw new NothingRecorded(result);
          return result;
        });
      } catch (error) {
        if (error instanceof NothingRecorded) return error.refusal;
        throw error;
      }
    }
    try {
      const row = await this.db.one<HeartbeatCounters>(
        `WITH counted AS (
           UPDATE beat_chains SET
             last_global_sync = $2, last_checkin_beat = $2, last_sync_at = $3,
             total_heartbeats = total_heartbeats + 1,
             heartbeat_count_epoch = CASE WHEN billing_epoch = $4 THEN heartbeat_count_epoch + 1 ELSE 1 END,
             billing_epoch = $4
           WHERE agent_hash = $1 AND status = 'active' AND last_global_sync <= $2
             AND (last_checkin_beat IS NULL OR last_checkin_beat < $2)
             AND (billing_epoch <> $4 OR heartbeat_count_epoch < $5)
             AND NOT EXISTS (SELECT 1 FROM agents WHERE hash = $1 AND refused = TRUE)
           RETURNING last_global_sync, total_heartbeats, billing_epoch, heartbeat_count_epoch
         ), recorded AS (
           INSERT INTO heartbeats (agent_hash, anchor_index, at, billing_epoch, payer, sponsor_hash)
           SELECT $1, $2, $3, $4, $6, $7 FROM counted
         )
         SELECT last_global_sync, total_heartbeats, billing_epoch, heartbeat_count_epoch FROM counted`,
        [w.agentHash, w.anchorIndex, w.at, w.billingEpoch, w.volumeCap, w.payer, w.sponsorHash],
      );
      return row ?? 'not_applicable';
    } catch (error) {
      // A heartbeats row at this anchor without the counters saying so cannot come from this code; refuse it all the same.
      if (isUniqueViolation(error)) return 'too_soon';
      throw error;
    }
  }

  /** Adds `beats` to the lifetime and available beats of an active chain and moves its head; the new totals, or undefined when not active. */
  creditBeats(agentHash: string, beats: number, latestHash: string): Promise<{ lifetime_beats: number; available_beats: number } | undefined> {
    return this.db.one(
      `UPDATE beat_chains SET lifetime_beats = lifetime_beats + $2, available_beats = available_beats + $2, latest_hash = $3
       WHERE agent_hash = $1 AND status = 'active'
       RETURNING lifetime_beats, available_beats`,
      [agentHash, beats, latestHash],
    );
  }

  /** Takes `beats` from the available beats of an active chain holding at least that many; the balance left, or undefined. */
  debitBeats(agentHash: string, beats: number): Promise<{ available_beats: number } | undefined> {
    return this.db.one(
      `UPDATE beat_chains SET available_beats = available_beats - $2
       WHERE agent_hash = $1 AND status = 'active' AND available_beats >= $2
       RETURNING available_beats`,
      [agentHash, beats],
    );
  }

  /**
   * Freezes active chains with `current − last_global_sync > deadline` at anchor `current` in ONE
   * UPDATE, and records a freeze for each; only `agentHash`'s chain when given. Returns the hashes
   * frozen. Run it in a transaction, so a freeze and its record commit together.
   */
  async freezeOverdue(current: number, deadline: number, now: number, agentHash?: string): Promise<string[]> {
    const threshold = current - deadline; // overdue ⇔ last_global_sync < current − deadline
    const params = agentHash === undefined ? [current, now, threshold] : [current, now, threshold, agentHash];
    const rows = await this.db.query<{ agent_hash: string }>(
      `UPDATE beat_chains SET status = 'frozen', frozen_since = $2, frozen_at_anchor = $1
       WHERE status = 'active' AND last_global_sync < $3${agentHash === undefined ? '' : ' AND agent_hash = $4'}
       RETURNING agent_hash`,
      params,
    );
    if (rows.length === 0) return [];
    // Every chain frozen at this anchor gets its record (a lazy freeze of the same anchor already has one).
    await this.db.run(
      `INSERT INTO freezes (agent_hash, frozen_at_anchor, frozen_at)
       SELECT agent_hash, frozen_at_anchor, frozen_since FROM beat_chains
       WHERE status = 'frozen' AND frozen_at_anchor = $1${agentHash === undefined ? '' : ' AND agent_hash = $2'}
       ON CONFLICT (agent_hash, frozen_at_anchor) DO NOTHING`,
      agentHash === undefined ? [current] : [current, agentHash],
    );
    return rows.map((r) => r.agent_hash);
  }

  /**
   * Ends the freeze of `agentHash` at anchor `current`, provided it is still frozen and still synced at
   * `expectedSync` (what the price was computed from); false otherwise. Run it in a transaction.
   */
  async resync(agentHash: string, current: number, now: number, expectedSync: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE beat_chains SET status = 'active', last_global_sync = $2, last_sync_at = $3, frozen_since = NULL, frozen_at_anchor = NULL
       WHERE agent_hash = $1 AND status = 'frozen' AND last_global_sync = $4`,
      [agentHash, current, now, expectedSync],
    );
    if (changes === 0) return false;
    await this.db.run(
      'UPDATE freezes SET ended_at_anchor = $2, ended_at = $3 WHERE agent_hash = $1 AND ended_at_anchor IS NULL',
      [agentHash, current, now],
    );
    return true;
  }

  /** The last `limit` heartbeats of `agentHash`, newest first. */
  recentHeartbeats(agentHash: string, limit: number): Promise<HeartbeatRecord[]> {
    return this.db.query<HeartbeatRecord>(
      'SELECT anchor_index, at FROM heartbeats WHERE agent_hash = $1 ORDER BY anchor_index DESC LIMIT $2',
      [agentHash, limit],
    );
  }

  /** Every heartbeat of `agentHash`, oldest first (tests and audits). */
  heartbeats(agentHash: string): Promise<HeartbeatRecord[]> {
    return this.db.query<HeartbeatRecord>('SELECT anchor_index, at FROM heartbeats WHERE agent_hash = $1 ORDER BY anchor_index', [agentHash]);
  }

  /** Freezes of `agentHash` still open or ended at or after anchor `from`, oldest first. */
  freezesSince(agentHash: string, from: number): Promise<FreezeRecord[]> {
    return this.db.query<FreezeRecord>(
      `SELECT frozen_at_anchor, ended_at_anchor FROM freezes
       WHERE agent_hash = $1 AND (ended_at_anchor IS NULL OR ended_at_anchor >= $2) ORDER BY frozen_at_anchor`,
      [agentHash, from],
    );
  }

  /**
   * The latest anchor at or before `at` at which `agentHash` synced (its init, a heartbeat or the
   * resync that ended a freeze), or null when there is none.
   */
  async lastSyncAtOrBefore(agentHash: string, at: number): Promise<number | null> {
    const row = await this.db.one<{ a: number | null }>(
      `SELECT MAX(a) AS a FROM (
         SELECT MAX(anchor_index) AS a FROM heartbeats WHERE agent_hash = $1 AND anchor_index <= $2
         UNION ALL SELECT MAX(ended_at_anchor) AS a FROM freezes WHERE agent_hash = $1 AND ended_at_anchor <= $2
         UNION ALL SELECT init_anchor AS a FROM beat_chains WHERE agent_hash = $1 AND init_anchor <= $2
       ) syncs`,
      [agentHash, at],
    );
    return row?.a ?? null;
  }

  /**
   * The gaps longer than `deadline` anchors between consecutive syncs of `agentHash` from anchor
   * `from` (itself counted as a sync) on, the last sync's gap running to `end` (exclusive): pairs
   * `[a, next]` with `next − a > deadline`. Computed in SQL so that only the few long gaps travel.
   */
  longSyncGaps(agentHash: string, from: number, end: number, deadline: number): Promise<Array<{ a: number; next_a: number }>> {
    return this.db.query(
      `SELECT a, COALESCE(next_a, $3) AS next_a FROM (
         SELECT a, LEAD(a) OVER (ORDER BY a) AS next_a FROM (
           SELECT anchor_index AS a FROM heartbeats WHERE agent_hash = $1 AND anchor_index >= $2
           UNION SELECT ended_at_anchor AS a FROM freezes WHERE agent_hash = $1 AND ended_at_anchor >= $2
           UNION SELECT init_anchor AS a FROM beat_chains WHERE agent_hash = $1 AND init_anchor >= $2
           UNION SELECT CAST($2 AS BIGINT) AS a
         ) syncs
       ) gaps
       WHERE COALESCE(next_a, $3) - a > $4
       ORDER BY a`,
      [agentHash, from, end, deadline],
    );
  }
}

/** Rolls recordHeartbeatAlone's SQLite transaction back when the heartbeat does not apply. */
class NothingRecorded extends Error {
  constructor(readonly refusal: HeartbeatRefusal) {
    super(`no heartbeat recorded: ${refusal}`);
  }
}
