// Registering root agents and recognising them by API key (architecture.md, registry).
import { AppError } from '../errors.js';
import { AgentRepository, type AgentRecord } from '../store/agent-repository.js';
import type { Database } from '../store/database.js';
import { SponsorshipRepository } from '../store/sponsorship-repository.js';
import { isUniqueViolation } from '../store/store-errors.js';
import { apiKeyDigest, apiKeyMatches, bearerApiKey, newAgentHash, newApiKey } from './agent-credentials.js';

/** What a registration stores. */
export interface RegisterInput {
  name: string;
  /** A JSON object (≤ 4 KiB serialised), or undefined. */
  metadata?: Record<string, unknown>;
}

/** The answer to a registration: the only time the API key is shown. */
export interface Registration {
  ok: true;
  hash: string;
  api_key: string;
  name: string;
  type: 'root';
  parent: null;
  depth: 0;
  metadata: Record<string, unknown> | null;
  /** ISO-8601. */
  registered_at: string;
}

/** The answer to a key rotation: the only time the new API key is shown. */
export interface KeyRotated {
  ok: true;
  agent_hash: string;
  api_key: string;
  /** ISO-8601. */
  rotated_at: string;
  /** Sponsorships of this agent (as the child) revoked with the old key (seed 003 "Auto-revocation"). */
  sponsorships_revoked: number;
}

/** Most attempts at drawing an unused hash and key (a collision of 32 random bytes does not happen). */
const MAX_DRAWS = 3;

/** Registers agents and authenticates their requests. */
export class AgentService {
  private readonly agents: AgentRepository;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.agents = new AgentRepository(db);
  }

  /** Creates a root agent with a fresh hash and API key; committed before it returns. */
  async register(input: RegisterInput): Promise<Registration> {
    const registeredAt = this.now();
    const metadata = input.metadata === undefined ? null : input.metadata;
    for (let attempt = 1; ; attempt++) {
      const hash = newAgentHash();
      const apiKey = newApiKey();
      try {
        await this.agents.insert({
          hash, name: input.name, type: 'root', parent_hash: null, depth: 0,
          metadata: metadata === null ? null : JSON.stringify(metadata), api_key_digest: apiKeyDigest(apiKey),
          registered_at: registeredAt, registered_by: null,
        });
      } catch (error) {
        // The unique hash and key digest decide, never a read-then-write; a clash only draws again.
        if (isUniqueViolation(error) && attempt < MAX_DRAWS) continue;
        throw error;
      }
      return {
        ok: true, hash, api_key: apiKey, name: input.name, type: 'root', parent: null, depth: 0, metadata,
        registered_at: new Date(registeredAt).toISOString(),
      };
    }
  }

  /**
   * Replaces `agent`'s API key with a fresh one: the old key is revoked at once (401 from then on), and
   * so is every sponsorship paying for `agent` as a child, in the same transaction. Of two concurrent
   * rotations with one key, the second gets 401 AUTH_MISSING.
   */
  async rotateKey(agent: AgentRecord): Promise<KeyRotated> {
    const now = this.now();
    for (let attempt = 1; ; attempt++) {
      const apiKey = newApiKey();
      let revoked: number;
      try {
        revoked = await this.db.transaction(async (tx) => {
          if (!(await new AgentRepository(tx).replaceKeyDigest(agent.hash, agent.api_key_digest, apiKeyDigest(apiKey)))) {
            throw new AppError('AUTH_MISSING', 'Invalid API key');
          }
          return new SponsorshipRepository(tx).revokeForChild(agent.hash, 'key_rotated', now);
        });
      } catch (error) {
        if (isUniqueViolation(error) && attempt < MAX_DRAWS) continue;
        throw error;
      }
      return { ok: true, agent_hash: agent.hash, api_key: apiKey, rotated_at: new Date(now).toISOString(), sponsorships_revoked: revoked };
    }
  }

  /** The agent an `Authorization` header names, or 401 AUTH_MISSING when it is missing, malformed or unknown. */
  async authenticate(authorization: string | undefined): Promise<AgentRecord> {
    const apiKey = bearerApiKey(authorization);
    if (apiKey === undefined) throw new AppError('AUTH_MISSING', 'Missing or malformed API key (Authorization: Bearer pvn_…)');
    const agent = await this.agents.byKeyDigest(apiKeyDigest(apiKey));
    if (!agent || !apiKeyMatches(apiKey, agent.api_key_digest)) throw new AppError('AUTH_MISSING', 'Invalid API key');
    return agent;
  }
}
