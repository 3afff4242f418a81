// Parent-sponsored heartbeats (seed 003): a parent with a linked wallet lets its direct child's
// heartbeats be paid by that wallet, up to a cap per billing epoch, until it expires or is revoked —
// by the parent (DELETE), when either party is frozen (a step of the dead man's switch's freeze transaction), or when the
// child's API key is rotated. The heartbeat side (`settleHeartbeat`) runs in the heartbeat's transaction.
import { AppError } from '../errors.js';
import type { AgentRecord } from '../store/agent-repository.js';
import { AgentRepository } from '../store/agent-repository.js';
import { BeatChainRepository } from '../store/beat-chain-repository.js';
import type { Database } from '../store/database.js';
import {
  SponsorshipRepository, type RevocationReason, type SponsorshipCharge, type SponsorshipRecord,
} from '../store/sponsorship-repository.js';
import { billingEpochOf } from './beat-chain-service.js';
import type { DeadMansSwitch } from './dead-mans-switch.js';
import { frozenNow } from './freeze-check.js';
import type { RegistryAnchors } from './registry-anchors.js';

/** Default `max_heartbeats_epoch` (seed 003). */
export const DEFAULT_MAX_HEARTBEATS_EPOCH = 100;
/** Largest `max_heartbeats_epoch` (seed 003). */
export const MAX_HEARTBEATS_EPOCH = 10_000;
/** Smallest `expires_in_hours` (seed 003); without one a sponsorship never expires. */
export const MIN_EXPIRES_IN_HOURS = 1;
/** Largest `expires_in_hours` accepted (ten years; this project's bound). */
export const MAX_EXPIRES_IN_HOURS = 87_600;

/** A sponsorship as the API shows it (seed 003). */
export interface SponsorshipView {
  parent_hash: string;
  child_hash: string;
  /** `expired`: active but past `expires_at`. */
  status: 'active' | 'revoked' | 'expired';
  max_heartbeats_epoch: number;
  /** Sponsored heartbeats in the current billing epoch. */
  heartbeats_used_epoch: number;
  /** ISO-8601, or null (no expiry). */
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  revoked_reason: RevocationReason | null;
}

/** POST /agent/sponsor's input. */
export interface SponsorInput {
  childHash: string;
  maxHeartbeatsEpoch?: number;
  expiresInHours?: number;
}

/** Why a sponsored heartbeat is refused (402 PAYMENT_REQUIRED `reason`). */
export type SponsoredPaymentRefusal =
  | 'payer_mismatch'
  | 'no_sponsorship'
  | 'sponsorship_revoked'
  | 'sponsorship_expired'
  | 'sponsor_frozen'
  | 'sponsorship_cap_reached';

/** Options of SponsorshipService. */
export interface SponsorshipServiceOptions {
  db: Database;
  anchors: RegistryAnchors;
  deadMansSwitch: DeadMansSwitch;
  now?: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Seed 003's rules; see the file header. */
export class SponsorshipService {
  private readonly agents: AgentRepository;
  private readonly chains: BeatChainRepository;
  private readonly sponsorships: SponsorshipRepository;
  private readonly anchors: RegistryAnchors;
  private readonly dms: DeadMansSwitch;
  private readonly now: () => number;

  constructor(options: SponsorshipServiceOptions) {
    this.agents = new AgentRepository(options.db);
    this.chains = new BeatChainRepository(options.db);
    this.sponsorships = new SponsorshipRepository(options.db);
    this.anchors = options.anchors;
    this.dms = options.deadMansSwitch;
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates or updates `parent`'s sponsorship of `input.childHash` (omitted fields take their
   * defaults: cap 100, no expiry). Refusals, in order: no linked wallet (403 WALLET_REQUIRED), parent
   * frozen (403 SPONSOR_PARENT_FROZEN), itself (400 SPONSOR_INVALID), child unknown (404
   * AGENT_NOT_FOUND), not a direct child (400 SPONSOR_INVALID). The epoch's usage is kept on update.
   */
  async sponsor(parent: AgentRecord, input: SponsorInput): Promise<{ ok: true; sponsorship: SponsorshipView }> {
    if (parent.wallet === null) throw new AppError('WALLET_REQUIRED', 'Link a wallet (POST /api/v1/agent/wallet) before sponsoring');
    if (await this.frozen(parent.hash)) throw new AppError('SPONSOR_PARENT_FROZEN');
    if (input.childHash === parent.hash) throw new AppError('SPONSOR_INVALID', 'An agent cannot sponsor itself', { reason: 'self' });
    const child = await this.agents.get(input.childHash);
    if (!child) throw new AppError('AGENT_NOT_FOUND', 'Child agent not found', { hash: input.childHash });
    if (child.parent_hash !== parent.hash) {
      throw new AppError('SPONSOR_INVALID', 'Only a direct child can be sponsored', { reason: 'not_direct_child' });
    }
    const now = this.now();
    const expiresAt = input.expiresInHours === undefined ? null : now + Math.round(input.expiresInHours * 3_600_000);
    const row = await this.sponsorships.upsert({
      parentHash: parent.hash, childHash: child.hash, maxHeartbeatsEpoch: input.maxHeartbeatsEpoch ?? DEFAULT_MAX_HEARTBEATS_EPOCH,
      expiresAt, now,
    });
    // Frozen between the check and the write: the upsert's own condition refused it.
    if (!row) throw new AppError('SPONSOR_PARENT_FROZEN');
    return { ok: true, sponsorship: await this.view(row) };
  }

  /** Revokes `parent`'s active sponsorship of `childHash`; 404 SPONSOR_NOT_FOUND when none is active. */
  async revoke(parent: AgentRecord, childHash: string): Promise<{ ok: true; revoked: true }> {
    if (!(await this.sponsorships.revoke(parent.hash, childHash, 'parent', this.now()))) {
      throw new AppError('SPONSOR_NOT_FOUND', 'No active sponsorship for this child', { child_hash: childHash });
    }
    return { ok: true, revoked: true };
  }

  /** Every sponsorship `parent` has made (active, expired and revoked), newest first. */
  async list(parent: AgentRecord): Promise<{ ok: true; sponsorships: SponsorshipView[] }> {
    const rows = await this.sponsorships.listByParent(parent.hash);
    const epoch = billingEpochOf(await this.anchors.currentIndex());
    return { ok: true, sponsorships: rows.map((row) => this.render(row, epoch)) };
  }

  /** The dead man's switch's freezing step: revokes, with `tx` (the freeze's transaction), every active sponsorship of an agent being frozen. */
  async revokeForFrozen(tx: Database, agentHashes: readonly string[]): Promise<number> {
    return new SponsorshipRepository(tx).revokeInvolving(agentHashes, 'frozen', this.now());
  }

  /**
   * Who pays `agent`'s heartbeat when `payer` (its signature already checked) is named; run in the
   * heartbeat's transaction `tx`. The agent's own linked wallet pays for itself (null). A root agent
   * with no linked wallet may name any payer (registry part 1); with one, only it (402
   * `payer_mismatch`). A child's other payer must be its sponsoring parent's wallet, under an
   * active, unexpired sponsorship below its epoch cap — charged here, atomically — or 402
   * PAYMENT_REQUIRED with why.
   */
  async settleHeartbeat(tx: Database, agent: AgentRecord, payer: string, billingEpoch: number, now: number): Promise<SponsorshipCharge | null> {
    if (agent.wallet !== null && payer === agent.wallet) return null;
    if (agent.parent_hash === null) {
      if (agent.wallet === null) return null;
      throw paymentRefused('payer_mismatch');
    }
    const repo = new SponsorshipRepository(tx);
    const charged = await repo.charge({ childHash: agent.hash, payer, billingEpoch, now });
    if (charged) return charged;
    const s = await repo.forChild(agent.hash);
    if (!s) throw paymentRefused('no_sponsorship');
    if (s.status === 'revoked') throw paymentRefused('sponsorship_revoked');
    if (s.expires_at !== null && s.expires_at <= now) throw paymentRefused('sponsorship_expired');
    if (s.parent_wallet !== payer) throw paymentRefused('payer_mismatch');
    if (s.parent_frozen) throw paymentRefused('sponsor_frozen');
    throw paymentRefused('sponsorship_cap_reached', { max_heartbeats_epoch: s.max_heartbeats_epoch, billing_epoch: billingEpoch });
  }

  private async frozen(agentHash: string): Promise<boolean> {
    return frozenNow({ chains: this.chains, anchors: this.anchors, deadMansSwitch: this.dms }, agentHash);
  }

  private async view(row: SponsorshipRecord): Promise<SponsorshipView> {
    return this.render(row, billingEpochOf(await this.anchors.currentIndex()));
  }

  private render(row: SponsorshipRecord, epoch: number): SponsorshipView {
    const expired = row.status === 'active' && row.expires_at !== null && row.expires_at <= this.now();
    return {
      parent_hash: row.parent_hash,
      child_hash: row.child_hash,
      status: expired ? 'expired' : row.status,
      max_heartbeats_epoch: row.max_heartbeats_epoch,
      heartbeats_used_epoch: row.billing_epoch === epoch ? row.heartbeats_used_epoch : 0,
      expires_at: iso(row.expires_at),
      created_at: iso(row.created_at)!,
      revoked_at: iso(row.revoked_at),
      revoked_reason: row.revoked_reason,
    };
  }
}

/** 402 PAYMENT_REQUIRED for a sponsored heartbeat with its `reason`. */
function paymentRefused(reason: SponsoredPaymentRefusal, details: Record<string, unknown> = {}): AppError {
  return new AppError('PAYMENT_REQUIRED', `Heartbeat payment refused: ${reason}`, { reason, ...details });
}
