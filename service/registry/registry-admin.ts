// The registry's admin operations (architecture.md: POST /admin/sigil, /admin/refuse): issuing a SIGIL
// and setting the complaint flag that refuses heartbeats.
import { AppError } from '../errors.js';
import { AgentRepository, type IdentityClass, type SigilTier } from '../store/agent-repository.js';
import type { Database } from '../store/database.js';

/** A SIGIL to issue. */
export interface IssueSigilInput {
  agentHash: string;
  sigilName: string;
  principal: string;
  tier: SigilTier;
  identityClass: IdentityClass;
  birthTx?: string;
}

/** Admin operations on agents. */
export class RegistryAdmin {
  private readonly agents: AgentRepository;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.agents = new AgentRepository(db);
  }

  /** Sets (or reissues) the SIGIL `name*principal*tier`; 404 AGENT_NOT_FOUND for an unknown agent. */
  async issueSigil(input: IssueSigilInput) {
    const issuedAt = this.now();
    const found = await this.agents.setSigil(input.agentHash, {
      sigil_name: input.sigilName, sigil_principal: input.principal, sigil_tier: input.tier, identity_class: input.identityClass,
      sigil_issued_at: issuedAt, birth_tx: input.birthTx ?? null,
    });
    if (!found) throw new AppError('AGENT_NOT_FOUND', undefined, { hash: input.agentHash });
    return {
      ok: true as const,
      agent_hash: input.agentHash,
      sigil: {
        sigil: `${input.sigilName}*${input.principal}*${input.tier}`, sigil_name: input.sigilName, principal: input.principal,
        tier: input.tier, identity_class: input.identityClass, issued_at: new Date(issuedAt).toISOString(), birth_tx: input.birthTx ?? null,
      },
    };
  }

  /** Sets or clears the complaint flag; 404 AGENT_NOT_FOUND for an unknown agent. */
  async setRefused(agentHash: string, refused: boolean, reason: string | undefined) {
    const found = await this.agents.setRefused(agentHash, refused, reason ?? null);
    if (!found) throw new AppError('AGENT_NOT_FOUND', undefined, { hash: agentHash });
    return { ok: true as const, agent_hash: agentHash, refused, reason: refused ? (reason ?? null) : null };
  }
}
