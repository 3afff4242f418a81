// An agent's beat chain over time (seed 000; peer-protocol §5-6): init, heartbeats at anchors, beats
// credited from receipts, and resync after a freeze. Every state change a response acknowledges is
// committed before the method returns; preconditions live in the UPDATEs' WHERE clauses and
// uniqueness in the database, so concurrent requests cannot both win.
import { decodeBase58 } from '../../shared/base58.js';
import { decodeBase64, utf8Encode } from '../../shared/base64.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { resyncRequiredBeats } from '../../shared/costs.js';
import { ed25519Verify } from '../../shared/ed25519.js';
import { genesisHash } from '../../shared/genesis.js';
import { AppError } from '../errors.js';
import type { AgentRecord, IdentityClass } from '../store/agent-repository.js';
import { BeatChainRepository, type BeatChainRecord, type HeartbeatCounters, type HeartbeatRefusal } from '../store/beat-chain-repository.js';
import type { Database } from '../store/database.js';
import type { SponsorshipCharge } from '../store/sponsorship-repository.js';
import type { DeadMansSwitch } from './dead-mans-switch.js';
import type { ReceiptAcceptance } from './receipt-acceptance.js';
import type { CurrentAnchor, RegistryAnchors } from './registry-anchors.js';
import type { SponsorshipService } from './sponsorship-service.js';
import { DEADLINE_ANCHORS } from './standing.js';

/** Anchors per billing epoch (peer-protocol §6: "An epoch is 100,000 beats"). */
export const BILLING_EPOCH_ANCHORS = 100_000;

/** Heartbeats allowed per billing epoch by identity class (peer-protocol §6). */
export const VOLUME_CAPS: Readonly<Record<IdentityClass, number>> = {
  narrow_task: 1_000,
  autonomous: 5_000,
  orchestrator: 20_000,
};

/** The cap of an agent without a SIGIL (a child): the smallest class's. */
export const DEFAULT_VOLUME_CAP = VOLUME_CAPS.narrow_task;

/** `prev` of every genesis: beat 0 has no predecessor. */
export const GENESIS_PREV = '0x' + '0'.repeat(64);

/** The billing epoch of anchor `index`. */
export function billingEpochOf(index: number): number {
  return Math.floor(index / BILLING_EPOCH_ANCHORS);
}

/** The heartbeat cap of an identity class (null: no SIGIL). */
export function volumeCapOf(identityClass: IdentityClass | null): number {
  return identityClass === null ? DEFAULT_VOLUME_CAP : VOLUME_CAPS[identityClass];
}

/** True when the agent holds a SIGIL. */
export function hasSigil(agent: AgentRecord): boolean {
  return agent.sigil_name !== null;
}

/** The message a heartbeat payer signs: canonical JSON of `{agent_hash, anchor_index, purpose: 'heartbeat'}`. */
export function heartbeatPaymentMessage(agentHash: string, anchorIndex: number): string {
  return canonicalJson({ agent_hash: agentHash, anchor_index: anchorIndex, purpose: 'heartbeat' });
}

/** Settings the beat chain rules read. */
export interface BeatChainSettings {
  /** DIFFICULTY. */
  difficulty: number;
  /** BEATS_REQUIRED: resync needs a receipt. */
  beatsRequired: boolean;
  /** HEARTBEAT_PAYMENT: every heartbeat names a payer. */
  heartbeatPayment: boolean;
}

/** Options of BeatChainService. */
export interface BeatChainServiceOptions {
  db: Database;
  anchors: RegistryAnchors;
  deadMansSwitch: DeadMansSwitch;
  receipts: ReceiptAcceptance;
  /** Who pays a heartbeat with a payer (the agent's wallet, its sponsor) and the sponsorship charge. */
  sponsorships: SponsorshipService;
  settings: BeatChainSettings;
  now?: () => number;
}

/** The answer to the first init (peer-protocol §5 `init()`). */
export interface InitCreated {
  ok: true;
  agent_hash: string;
  genesis: { hash: string; prev: string; timestamp: number };
  difficulty: number;
  status: 'active';
  last_global_sync: number;
}

/** The answer to a later init (peer-protocol §5 `init()`). */
export interface InitExisting {
  ok: true;
  already_initialized: true;
  agent_hash: string;
  genesis_hash: string;
  total_beats: number;
  status: string;
  difficulty: number;
  latest_beat: number;
  latest_hash: string;
  last_checkin_beat: number | null;
  last_global_sync: number;
}

/** A heartbeat request: an optional payer and its signature. */
export interface HeartbeatInput {
  /** Base58 Ed25519 public key (32 bytes). */
  payer?: string;
  /** Base64 Ed25519 signature over `heartbeatPaymentMessage`. */
  payerSignature?: string;
}

/** The answer to an accepted heartbeat. */
export interface HeartbeatAccepted extends HeartbeatCounters {
  ok: true;
  agent_hash: string;
  anchor_index: number;
  /** Same as `anchor_index`; the field the peer's SDK reads. */
  current_beat: number;
  volume_cap: number;
  status: 'active';
  /** The sponsorship that paid (seed 003), or null. */
  sponsor: { parent_hash: string; heartbeats_used_epoch: number; max_heartbeats_epoch: number } | null;
}

/** The answer to beats/submit. */
export interface BeatsCredited {
  ok: true;
  agent_hash: string;
  beats_credited: number;
  /** Same as `beats_credited`; the field the peer's SDK reads. */
  beats_accepted: number;
  total_beats: number;
  lifetime_beats: number;
  available_beats: number;
}

/** The answer to a resync (seed 000). */
export interface Resynced {
  ok: true;
  agent_hash: string;
  status: 'active';
  last_global_sync: number;
  gap_anchors: number;
  required_beats: number;
  beats_proven: number;
  receipt_based: boolean;
}

/** Init, heartbeat, beats/submit and resync. */
export class BeatChainService {
  private readonly db: Database;
  private readonly chains: BeatChainRepository;
  private readonly anchors: RegistryAnchors;
  private readonly dms: DeadMansSwitch;
  private readonly receipts: ReceiptAcceptance;
  private readonly sponsorships: SponsorshipService;
  private readonly settings: BeatChainSettings;
  private readonly now: () => number;

  constructor(options: BeatChainServiceOptions) {
    this.db = options.db;
    this.chains = new BeatChainRepository(options.db);
    this.anchors = options.anchors;
    this.dms = options.deadMansSwitch;
    this.receipts = options.receipts;
    this.sponsorships = options.sponsorships;
    this.settings = options.settings;
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates the agent's chain on the first call: genesis = protocol A1 genesis of the agent hash,
   * difficulty = DIFFICULTY, synced at the current anchor. Later calls describe the chain.
   */
  async init(agent: AgentRecord): Promise<InitCreated | InitExisting> {
    const head = await this.anchors.current();
    const now = this.now();
    const created = await this.chains.create({
      agent_hash: agent.hash, genesis_hash: '0x' + genesisHash(agent.hash), genesis_prev: GENESIS_PREV, genesis_at: now,
      difficulty: this.settings.difficulty, init_anchor: head.index,
    });
    const chain = await this.chains.get(agent.hash);
    if (!chain) throw new Error(`beat chain of ${agent.hash} missing right after init`);
    if (created) {
      return {
        ok: true, agent_hash: agent.hash, genesis: { hash: chain.genesis_hash, prev: chain.genesis_prev, timestamp: chain.genesis_at },
        difficulty: chain.difficulty, status: 'active', last_global_sync: chain.last_global_sync,
      };
    }
    return {
      ok: true, already_initialized: true, agent_hash: agent.hash, genesis_hash: chain.genesis_hash,
      total_beats: chain.lifetime_beats, status: chain.status, difficulty: chain.difficulty, latest_beat: chain.lifetime_beats,
      latest_hash: chain.latest_hash, last_checkin_beat: chain.last_checkin_beat, last_global_sync: chain.last_global_sync,
    };
  }

  /**
   * Records a heartbeat at the current anchor. Refusals, in this order: no chain (409 AGENT_WRONG_STATE),
   * complaint flag (403 HEARTBEAT_REFUSED), frozen or overdue (403 AGENT_FROZEN; an overdue agent is
   * frozen on the spot), root without SIGIL (403 SIGIL_REQUIRED), payment (402 PAYMENT_REQUIRED: the
   * payer's signature, then who pays — see SponsorshipService.settleHeartbeat), a heartbeat already at
   * this anchor (429 HEARTBEAT_TOO_SOON), the epoch's cap (429 VOLUME_CAP_REACHED). A sponsorship is
   * charged in the heartbeat's transaction, so a refused heartbeat charges nothing.
   */
  async heartbeat(agent: AgentRecord, input: HeartbeatInput): Promise<HeartbeatAccepted> {
    const head = await this.anchors.current();
    const chain = await this.requireChain(agent);
    if (agent.refused) throw refusedError(agent);
    await this.requireNotFrozen(chain, head);
    if (agent.type === 'root' && !hasSigil(agent)) {
      throw new AppError('SIGIL_REQUIRED', 'A root agent needs a SIGIL to send heartbeats', { sigil_required: true });
    }
    const payer = this.checkPayment(agent.hash, head.index, input);

    const billingEpoch = billingEpochOf(head.index);
    const volumeCap = volumeCapOf(agent.identity_class);
    const now = this.now();
    const write = { agentHash: agent.hash, anchorIndex: head.index, at: now, billingEpoch, volumeCap, payer, sponsorHash: null };
    let counters: HeartbeatCounters;
    let sponsor: SponsorshipCharge | null = null;
    if (payer === null) {
      // Nothing else to commit with it: one statement on PostgreSQL.
      const result = await this.chains.recordHeartbeatAlone(write);
      if (typeof result === 'string') throw await this.whyNoHeartbeat(this.db, result, agent.hash, head, now, volumeCap);
      counters = result;
    } else {
      // The sponsor's charge and the heartbeat commit together, or neither does.
      ({ counters, sponsor } = await this.db.transaction(async (tx) => {
        const charged = await this.sponsorships.settleHeartbeat(tx, agent, payer, billingEpoch, now);
        const result = await new BeatChainRepository(tx).recordHeartbeat({ ...write, sponsorHash: charged?.parent_hash ?? null });
        if (typeof result === 'string') throw await this.whyNoHeartbeat(tx, result, agent.hash, head, now, volumeCap);
        return { counters: result, sponsor: charged };
      }));
    }
    return {
      ok: true, agent_hash: agent.hash, anchor_index: head.index, current_beat: head.index, ...counters, volume_cap: volumeCap,
      status: 'active', sponsor,
    };
  }

  /** Credits a receipt's `beats_verified` (protocol C, required beats 1, subject = the agent) to lifetime and available beats. */
  async submitBeats(agent: AgentRecord, rawReceipt: unknown): Promise<BeatsCredited> {
    const head = await this.anchors.current();
    const chain = await this.requireChain(agent);
    await this.requireNotFrozen(chain, head);
    const receipt = await this.receipts.check(rawReceipt, { agentHash: agent.hash, requiredBeats: 1 });
    const now = this.now();
    const totals = await this.db.transaction(async (tx) => {
      await this.receipts.spend(tx, receipt, agent.hash, 'beats_submit', now);
      const credited = await new BeatChainRepository(tx).creditBeats(agent.hash, receipt.beatsVerified, '0x' + receipt.toHash);
      // Frozen meanwhile: roll back, so the receipt stays unspent.
      if (!credited) throw new AppError('AGENT_FROZEN', undefined, { status: 'frozen' });
      return credited;
    });
    this.receipts.announceSpent('beats_submit');
    return {
      ok: true, agent_hash: agent.hash, beats_credited: receipt.beatsVerified, beats_accepted: receipt.beatsVerified,
      total_beats: totals.lifetime_beats, ...totals,
    };
  }

  /**
   * Ends a freeze (seed 000): 409 AGENT_WRONG_STATE unless frozen; the price is min(gap × 100, 10 000)
   * beats with gap = current − last_global_sync; without a receipt 402 RECEIPT_REQUIRED (unless
   * BEATS_REQUIRED=false); a receipt failing protocol C 402 INVALID_RECEIPT. The receipt is spent in the
   * transaction that reactivates the agent.
   */
  async resync(agent: AgentRecord, rawReceipt: unknown): Promise<Resynced> {
    const head = await this.anchors.current();
    let chain = await this.requireChain(agent);
    if (chain.status === 'active' && head.index - chain.last_global_sync > DEADLINE_ANCHORS) {
      await this.dms.freezeIfOverdue(agent.hash, head.index);
      chain = (await this.chains.get(agent.hash)) ?? chain;
    }
    if (chain.status !== 'frozen') {
      throw new AppError('AGENT_WRONG_STATE', 'Agent is not frozen', { status: chain.status });
    }
    const gap = Math.max(0, head.index - chain.last_global_sync);
    const required = resyncRequiredBeats(gap);
    const receiptBased = rawReceipt !== undefined;
    if (!receiptBased && this.settings.beatsRequired) {
      throw new AppError('RECEIPT_REQUIRED', `Resync requires a Beats receipt for ${required} beats`, {
        required_beats: required, gap_anchors: gap,
      });
    }
    const receipt = receiptBased ? await this.receipts.check(rawReceipt, { agentHash: agent.hash, requiredBeats: required }) : undefined;
    const now = this.now();
    await this.db.transaction(async (tx) => {
      if (receipt) await this.receipts.spend(tx, receipt, agent.hash, 'resync', now);
      // Still frozen at the sync the price was computed from; otherwise roll back (the receipt stays unspent).
      if (!(await new BeatChainRepository(tx).resync(agent.hash, head.index, now, chain.last_global_sync))) {
        throw new AppError('AGENT_WRONG_STATE', 'Agent is not frozen', { status: 'active' });
      }
    });
    if (receipt) this.receipts.announceSpent('resync');
    return {
      ok: true, agent_hash: agent.hash, status: 'active', last_global_sync: head.index, gap_anchors: gap, required_beats: required,
      beats_proven: receipt?.beatsVerified ?? 0, receipt_based: receiptBased,
    };
  }

  /** The agent's chain, or 409 AGENT_WRONG_STATE before init. */
  private async requireChain(agent: AgentRecord): Promise<BeatChainRecord> {
    const chain = await this.chains.get(agent.hash);
    if (!chain) {
      throw new AppError('AGENT_WRONG_STATE', 'Agent has no beat chain. Initialize with POST /api/v1/agent/init', {
        status: 'uninitialized',
      });
    }
    return chain;
  }

  /** 403 AGENT_FROZEN when the chain is frozen, or overdue (then it is frozen now, as the switch would). */
  private async requireNotFrozen(chain: BeatChainRecord, head: CurrentAnchor): Promise<void> {
    if (chain.status === 'active' && head.index - chain.last_global_sync > DEADLINE_ANCHORS) {
      await this.dms.freezeIfOverdue(chain.agent_hash, head.index);
      throw new AppError('AGENT_FROZEN', undefined, { status: 'frozen' });
    }
    if (chain.status === 'frozen') throw new AppError('AGENT_FROZEN', undefined, { status: 'frozen' });
  }

  /** The payer of this heartbeat (null when none), or 402 PAYMENT_REQUIRED. */
  private checkPayment(agentHash: string, anchorIndex: number, input: HeartbeatInput): string | null {
    if (input.payer === undefined) {
      if (this.settings.heartbeatPayment) {
        throw new AppError('PAYMENT_REQUIRED', 'Heartbeats need a payer and its signature', { reason: 'payer_required' });
      }
      return null;
    }
    const message = utf8Encode(heartbeatPaymentMessage(agentHash, anchorIndex));
    let valid = false;
    try {
      const publicKey = decodeBase58(input.payer);
      const signature = decodeBase64(input.payerSignature ?? '');
      valid = ed25519Verify(message, signature, publicKey);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new AppError('PAYMENT_REQUIRED', 'The payer signature does not verify', {
        reason: 'invalid_payer_signature', anchor_index: anchorIndex,
      });
    }
    return input.payer;
  }

  /** Why a heartbeat wrote nothing, read from the chain as it is now (inside the heartbeat's transaction when there is one). */
  private async whyNoHeartbeat(
    db: Database, refusal: HeartbeatRefusal, agentHash: string, head: CurrentAnchor, now: number, volumeCap: number,
  ): Promise<AppError> {
    if (refusal === 'too_soon') return this.tooSoon(head, now);
    const current = await new BeatChainRepository(db).get(agentHash);
    if (current?.status === 'frozen') return new AppError('AGENT_FROZEN', undefined, { status: 'frozen' });
    if (current && (current.last_global_sync > head.index || (current.last_checkin_beat ?? -1) >= head.index)) return this.tooSoon(head, now);
    const refused = await db.one<{ refused: boolean; refused_reason: string | null }>('SELECT refused, refused_reason FROM agents WHERE hash = $1', [agentHash]);
    if (refused?.refused) return refusedError({ refused_reason: refused.refused_reason });
    return this.volumeCapReached(head, now, volumeCap);
  }

  private tooSoon(head: CurrentAnchor, now: number): AppError {
    const retryAfterMs = Math.max(0, head.utc + this.anchors.intervalMs - now);
    return new AppError('HEARTBEAT_TOO_SOON', 'At most one heartbeat per anchor', { retry_after_ms: retryAfterMs, anchor_index: head.index });
  }

  private volumeCapReached(head: CurrentAnchor, now: number, volumeCap: number): AppError {
    const nextEpochStart = (billingEpochOf(head.index) + 1) * BILLING_EPOCH_ANCHORS;
    const untilNextAnchor = Math.max(0, head.utc + this.anchors.intervalMs - now);
    const retryAfterMs = (nextEpochStart - head.index - 1) * this.anchors.intervalMs + untilNextAnchor;
    return new AppError('VOLUME_CAP_REACHED', undefined, {
      retry_after_ms: retryAfterMs, volume_cap: volumeCap, billing_epoch: billingEpochOf(head.index),
    });
  }
}

/** 403 HEARTBEAT_REFUSED with the complaint's reason. */
function refusedError(agent: { refused_reason: string | null }): AppError {
  return new AppError('HEARTBEAT_REFUSED', undefined, { reason: agent.refused_reason });
}
