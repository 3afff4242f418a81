// Wallet-link challenges: random strings an agent's wallet signs to prove it holds the key; each is
// valid for a few minutes and used once (a conditional UPDATE decides).

import type { Database } from './database.js';

/** A stored challenge. Timestamps are epoch milliseconds. */
export interface WalletChallengeRecord {
  challenge: string;
  agent_hash: string;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
}

const COLUMNS = 'challenge, agent_hash, issued_at, expires_at, used_at';

/** Reads and writes wallet-link challenges. */
export class WalletRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new challenge. */
  async insertChallenge(record: Omit<WalletChallengeRecord, 'used_at'>): Promise<void> {
    await this.db.run('INSERT INTO wallet_challenges (challenge, agent_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)', [
      record.challenge, record.agent_hash, record.issued_at, record.expires_at,
    ]);
  }

  /** Deletes `agentHash`'s challenges that are used or expired at `now` (they can never be used again). */
  async deleteSpent(agentHash: string, now: number): Promise<void> {
    await this.db.run('DELETE FROM wallet_challenges WHERE agent_hash = $1 AND (used_at IS NOT NULL OR expires_at <= $2)', [agentHash, now]);
  }

  /** The challenge `challenge` of `agentHash`, or undefined. */
  get(agentHash: string, challenge: string): Promise<WalletChallengeRecord | undefined> {
    return this.db.one<WalletChallengeRecord>(`SELECT ${COLUMNS} FROM wallet_challenges WHERE challenge = $1 AND agent_hash = $2`, [
      challenge, agentHash,
    ]);
  }

  /** `agentHash`'s newest challenge, or undefined. */
  latest(agentHash: string): Promise<WalletChallengeRecord | undefined> {
    return this.db.one<WalletChallengeRecord>(
      `SELECT ${COLUMNS} FROM wallet_challenges WHERE agent_hash = $1 ORDER BY issued_at DESC, challenge LIMIT 1`,
      [agentHash],
    );
  }

  /** Uses `challenge` of `agentHash`: true for exactly one call, and only while it is unexpired at `now`. */
  async consume(agentHash: string, challenge: string, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE wallet_challenges SET used_at = $3 WHERE challenge = $1 AND agent_hash = $2 AND used_at IS NULL AND expires_at > $3',
      [challenge, agentHash, now],
    );
    return changes === 1;
  }
}
