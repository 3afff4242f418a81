// Registered agents (seed pages 000-002): identity, lineage, SIGIL and the complaint flag. The API key
// is never stored, only its SHA-256 digest, which is also how a request's key is looked up.

import type { Database } from './database.js';

/** `root` for a registered root agent, `agent` for a spawned child (seed 002 `type`). */
export type AgentType = 'root' | 'agent';

/** SIGIL trust tiers (seed 001 `sigil.tier`). */
export const SIGIL_TIERS = ['sov', 'org', 'ind', 'eph', 'sbx'] as const;
/** A SIGIL trust tier. */
export type SigilTier = (typeof SIGIL_TIERS)[number];

/** SIGIL pricing classes (seed 001 `sigil.identity_class`). */
export const IDENTITY_CLASSES = ['narrow_task', 'autonomous', 'orchestrator'] as const;
/** A SIGIL identity class. */
export type IdentityClass = (typeof IDENTITY_CLASSES)[number];

/** A stored agent. Timestamps are epoch milliseconds. */
export interface AgentRecord {
  /** `0x` + 64 lowercase hex. */
  hash: string;
  name: string;
  type: AgentType;
  parent_hash: string | null;
  depth: number;
  /** The registration metadata as JSON text, or null. */
  metadata: string | null;
  /** Lowercase hex SHA-256 of the API key. */
  api_key_digest: string;
  registered_at: number;
  registered_by: string | null;
  children_spawned: number;
  sigil_name: string | null;
  sigil_principal: string | null;
  sigil_tier: SigilTier | null;
  identity_class: IdentityClass | null;
  sigil_issued_at: number | null;
  birth_tx: string | null;
  refused: boolean;
  refused_reason: string | null;
  /** When the parent finalized this child's lineage (spawn step 7), or null. */
  lineage_finalized_at: number | null;
  /** The linked wallet: a base58 Ed25519 public key, or null. */
  wallet: string | null;
  wallet_linked_at: number | null;
}

/** What `insert` stores; the SIGIL, refusal and child count start empty. */
export type NewAgent = Pick<
  AgentRecord,
  'hash' | 'name' | 'type' | 'parent_hash' | 'depth' | 'metadata' | 'api_key_digest' | 'registered_at' | 'registered_by'
>;

/** A SIGIL as `setSigil` stores it. */
export interface SigilRecord {
  sigil_name: string;
  sigil_principal: string;
  sigil_tier: SigilTier;
  identity_class: IdentityClass;
  sigil_issued_at: number;
  birth_tx: string | null;
}

const COLUMNS =
  'hash, name, type, parent_hash, depth, metadata, api_key_digest, registered_at, registered_by, children_spawned, ' +
  'sigil_name, sigil_principal, sigil_tier, identity_class, sigil_issued_at, birth_tx, refused, refused_reason, ' +
  'lineage_finalized_at, wallet, wallet_linked_at';

/** Reads and writes agents. */
export class AgentRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new agent; throws the engine's unique violation when its hash or key digest exists. */
  async insert(agent: NewAgent): Promise<void> {
    await this.db.run(
      `INSERT INTO agents (hash, name, type, parent_hash, depth, metadata, api_key_digest, registered_at, registered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        agent.hash, agent.name, agent.type, agent.parent_hash, agent.depth, agent.metadata, agent.api_key_digest,
        agent.registered_at, agent.registered_by,
      ],
    );
  }

  /**
   * Stores a spawned child; false (nothing stored) when its parent already has a child of that name —
   * the unique index (parent_hash, name) decides. Throws the engine's unique violation on a hash or key clash.
   */
  async insertChild(agent: NewAgent): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO agents (hash, name, type, parent_hash, depth, metadata, api_key_digest, registered_at, registered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (parent_hash, name) DO NOTHING`,
      [
        agent.hash, agent.name, agent.type, agent.parent_hash, agent.depth, agent.metadata, agent.api_key_digest,
        agent.registered_at, agent.registered_by,
      ],
    );
    return changes === 1;
  }

  /** Adds one to `children_spawned` of `hash`. */
  async countChild(hash: string): Promise<void> {
    await this.db.run('UPDATE agents SET children_spawned = children_spawned + 1 WHERE hash = $1', [hash]);
  }

  /** The children of `parentHash`, oldest first, at most `limit`. */
  children(parentHash: string, limit: number): Promise<Array<{ hash: string; name: string }>> {
    return this.db.query(
      'SELECT hash, name FROM agents WHERE parent_hash = $1 ORDER BY registered_at, hash LIMIT $2',
      [parentHash, limit],
    );
  }

  /** Marks the lineage of `childHash` final (the first time only); false when it is not `parentHash`'s child. */
  async finalizeLineage(childHash: string, parentHash: string, at: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE agents SET lineage_finalized_at = COALESCE(lineage_finalized_at, $3)
       WHERE hash = $1 AND parent_hash = $2`,
      [childHash, parentHash, at],
    );
    return changes === 1;
  }

  /** Links (or replaces) the wallet of `hash`. */
  async setWallet(hash: string, wallet: string, at: number): Promise<void> {
    await this.db.run('UPDATE agents SET wallet = $2, wallet_linked_at = $3 WHERE hash = $1', [hash, wallet, at]);
  }

  /**
   * Replaces the API key digest of `hash`, provided it is still `oldDigest` (so of two concurrent
   * rotations with one key exactly one wins); false otherwise.
   */
  async replaceKeyDigest(hash: string, oldDigest: string, newDigest: string): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE agents SET api_key_digest = $3 WHERE hash = $1 AND api_key_digest = $2', [
      hash, oldDigest, newDigest,
    ]);
    return changes === 1;
  }

  /** The agent `hash`, or undefined. */
  get(hash: string): Promise<AgentRecord | undefined> {
    return this.db.one<AgentRecord>(`SELECT ${COLUMNS} FROM agents WHERE hash = $1`, [hash]);
  }

  /** The agent whose API key digests to `digest`, or undefined. */
  byKeyDigest(digest: string): Promise<AgentRecord | undefined> {
    return this.db.one<AgentRecord>(`SELECT ${COLUMNS} FROM agents WHERE api_key_digest = $1`, [digest]);
  }

  /** Sets (or replaces) the SIGIL of `hash`; false when the agent is unknown. */
  async setSigil(hash: string, sigil: SigilRecord): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE agents SET sigil_name = $2, sigil_principal = $3, sigil_tier = $4, identity_class = $5,
         sigil_issued_at = $6, birth_tx = $7
       WHERE hash = $1`,
      [hash, sigil.sigil_name, sigil.sigil_principal, sigil.sigil_tier, sigil.identity_class, sigil.sigil_issued_at, sigil.birth_tx],
    );
    return changes === 1;
  }

  /** Sets the complaint flag of `hash` (the reason is kept only while refused); false when the agent is unknown. */
  async setRefused(hash: string, refused: boolean, reason: string | null): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE agents SET refused = $2, refused_reason = $3 WHERE hash = $1', [
      hash,
      refused,
      refused ? reason : null,
    ]);
    return changes === 1;
  }

  /** The hashes from the root down to `hash` (inclusive); empty when `hash` is unknown. */
  async ancestry(hash: string): Promise<string[]> {
    const path: string[] = [];
    let current: string | null = hash;
    // Depth is bounded by the spawn cost (it grows as 1.5^depth), so the walk is short.
    while (current !== null && path.length <= 1024) {
      const row: { hash: string; parent_hash: string | null } | undefined = await this.db.one(
        'SELECT hash, parent_hash FROM agents WHERE hash = $1',
        [current],
      );
      if (!row) break;
      path.unshift(row.hash);
      current = row.parent_hash;
    }
    return path;
  }
}
