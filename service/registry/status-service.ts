// GET /status/:hash (seed 002) and GET /agent/beat-status/:hash (seed 001): every field computed at
// request time from the stored agent, chain, heartbeats and freezes and the current anchor.
import { sha256 } from '@noble/hashes/sha2.js';
import { spawnCost } from '../../shared/costs.js';
import { utf8Encode } from '../../shared/base64.js';
import { bytesToHex } from '../../shared/hex.js';
import { AppError } from '../errors.js';
import { AgentRepository, type AgentRecord, type IdentityClass, type SigilTier } from '../store/agent-repository.js';
import { BeatChainRepository, type BeatChainRecord, type ChainStatus } from '../store/beat-chain-repository.js';
import type { Database } from '../store/database.js';
import { SpawnRepository } from '../store/spawn-repository.js';
import { billingEpochOf, hasSigil, volumeCapOf } from './beat-chain-service.js';
import { LIVENESS_ALGORITHM, LIVENESS_GRACE_MS, LIVENESS_WINDOW_MS, livenessScoreV1 } from './liveness.js';
import type { RegistryAnchors } from './registry-anchors.js';
import { MAX_LISTED_CHILDREN } from './spawn-service.js';
import { WALLET_CHAIN, WALLET_MODEL } from './wallet-service.js';
import { DEADLINE_ANCHORS, standingOf, type AgentStatus, type Standing } from './standing.js';

/**
 * Estimated CPU time per hash operation, in ms: 0.0005 ms (2 million SHA-256 per second, one core),
 * the rate seed 001's example implies (2 200 000 operations → 1 100 ms).
 */
export const CPU_MS_PER_HASH_OPERATION = 0.0005;

/** How many heartbeats `recent_checkins` lists. */
export const RECENT_CHECKINS = 10;

/** Domain prefix of `lineage_chain_hash`. */
export const LINEAGE_HASH_PREFIX = 'beats:lineage:v1:';

/** Seed 002 `beat_state`. */
export interface BeatState {
  beat_count: number;
  lifetime_beats: number;
  available_beats: number;
  latest_beat: number;
  last_checkin_beat: number | null;
  last_global_sync: number;
  total_heartbeats: number;
  difficulty: number;
  status: ChainStatus;
}

/** Seed 002's body. */
export interface StatusBody {
  exists: true;
  status: AgentStatus;
  hash: string;
  type: string;
  depth: number;
  name: string | null;
  metadata: Record<string, unknown> | null;
  wallet: string | null;
  wallet_model: string | null;
  wallet_chain: string | null;
  identity_class: IdentityClass | null;
  sigil: string | null;
  sigil_issued_at: string | null;
  tier: SigilTier | null;
  principal: string | null;
  registered: string | null;
  registered_by: string | null;
  tx_signature: string | null;
  heartbeat_refused: boolean;
  heartbeat_refused_reason: string | null;
  beat_state: BeatState | null;
  liveness_score: number | null;
  liveness_algorithm: string | null;
}

/** Seed 001's body for an agent with a beat chain. */
export interface BeatStatusBody {
  agent_hash: string;
  beat_initialized: true;
  beat_stale: boolean;
  beat_age_seconds: number;
  sigil: {
    sigil: string; sigil_name: string; principal: string; tier: SigilTier; identity_class: IdentityClass;
    issued_at: string; birth_tx: string | null;
  } | null;
  heartbeat: {
    status: ChainStatus; genesis_hash: string; latest_beat: number; latest_hash: string; total_beats: number; lifetime_beats: number;
    available_beats: number; difficulty: number; frozen_since: string | null; refused: boolean; refused_reason: string | null;
  };
  heartbeat_epoch: { billing_epoch: number; count_in_epoch: number; volume_cap: number; remaining: number; lineage_chain_hash: string };
  whitelist: {
    standing: Standing; last_checkin_beat: number | null; last_global_sync: number; current_global_beat: number;
    beats_behind: number; beats_until_freeze: number; deadline_anchors: number;
  };
  gestation: {
    depth: number; children_spawned: number; next_child_cost: number; beats_accumulated: number; progress_pct: number;
    can_spawn: boolean; deficit: number;
  };
  proof_of_existence: { total_beats: number; available_beats: number; total_hash_operations: number; estimated_cpu_time_ms: number };
  recent_checkins: Array<{ anchor_index: number; at: string }>;
  lineage: {
    type: string; parent: string | null; depth: number; name: string; registered_at: string;
    /** When the parent finalized this child's lineage (spawn step 7); null for roots and until then. */
    lineage_finalized_at: string | null;
    /** The agent's children, oldest first (at most MAX_LISTED_CHILDREN; `gestation.children_spawned` counts them all). */
    children: Array<{ hash: string; name: string }>;
  };
}

/** Seed 001's 404 body: the agent is unknown or has no beat chain. */
export interface BeatStatusNotFound {
  agent_hash: string;
  beat_initialized: false;
  _message: string;
}

/** Options of StatusService. */
export interface StatusServiceOptions {
  db: Database;
  anchors: RegistryAnchors;
  now?: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The SIGIL string `name*principal*tier`, or null. */
export function sigilString(agent: AgentRecord): string | null {
  return hasSigil(agent) ? `${agent.sigil_name}*${agent.sigil_principal}*${agent.sigil_tier}` : null;
}

/** Computes both status documents. */
export class StatusService {
  private readonly agents: AgentRepository;
  private readonly chains: BeatChainRepository;
  private readonly spawns: SpawnRepository;
  private readonly anchors: RegistryAnchors;
  private readonly now: () => number;

  constructor(options: StatusServiceOptions) {
    this.agents = new AgentRepository(options.db);
    this.chains = new BeatChainRepository(options.db);
    this.spawns = new SpawnRepository(options.db);
    this.anchors = options.anchors;
    this.now = options.now ?? Date.now;
  }

  /** Seed 002 for `hash`; 404 AGENT_NOT_FOUND in the seed's shape when unknown. */
  async status(hash: string): Promise<StatusBody> {
    const agent = await this.agents.get(hash);
    if (!agent) throw new AppError('AGENT_NOT_FOUND', 'Agent not found', { exists: false, status: 'not_found', hash });
    const chain = await this.chains.get(hash);
    const current = chain ? await this.anchors.currentIndex() : 0;
    const { status } = standingOf({ refused: agent.refused, hasSigil: hasSigil(agent), chain, currentAnchor: current });
    const liveness = chain ? await this.liveness(agent, chain, current) : null;
    return {
      exists: true,
      status,
      hash: agent.hash,
      type: agent.type,
      depth: agent.depth,
      name: agent.name,
      metadata: agent.metadata === null ? null : (JSON.parse(agent.metadata) as Record<string, unknown>),
      wallet: agent.wallet,
      wallet_model: agent.wallet === null ? null : WALLET_MODEL,
      wallet_chain: agent.wallet === null ? null : WALLET_CHAIN,
      identity_class: agent.identity_class,
      sigil: sigilString(agent),
      sigil_issued_at: iso(agent.sigil_issued_at),
      tier: agent.sigil_tier,
      principal: agent.sigil_principal,
      registered: iso(agent.registered_at),
      registered_by: agent.registered_by,
      tx_signature: agent.birth_tx,
      heartbeat_refused: agent.refused,
      heartbeat_refused_reason: agent.refused_reason,
      beat_state: chain
        ? {
            beat_count: chain.lifetime_beats,
            lifetime_beats: chain.lifetime_beats,
            available_beats: chain.available_beats,
            latest_beat: chain.lifetime_beats,
            last_checkin_beat: chain.last_checkin_beat,
            last_global_sync: chain.last_global_sync,
            total_heartbeats: chain.total_heartbeats,
            difficulty: chain.difficulty,
            status: chain.status,
          }
        : null,
      liveness_score: liveness,
      liveness_algorithm: liveness === null ? null : LIVENESS_ALGORITHM,
    };
  }

  /** Seed 001 for `hash`, or the seed's 404 body when the agent is unknown or has no chain. */
  async beatStatus(hash: string): Promise<BeatStatusBody | BeatStatusNotFound> {
    const agent = await this.agents.get(hash);
    const chain = agent ? await this.chains.get(hash) : undefined;
    if (!agent || !chain) {
      return { agent_hash: hash, beat_initialized: false, _message: 'Agent has no beat chain. Initialize with POST /api/v1/agent/init' };
    }
    const current = await this.anchors.currentIndex();
    const now = this.now();
    const standing = standingOf({ refused: agent.refused, hasSigil: hasSigil(agent), chain, currentAnchor: current });
    const behind = standing.behind ?? 0;
    const [recent, ancestry, children, pending] = await Promise.all([
      this.chains.recentHeartbeats(hash, RECENT_CHECKINS),
      this.agents.ancestry(hash),
      this.agents.children(hash, MAX_LISTED_CHILDREN),
      this.spawns.liveCount(hash, now),
    ]);
    const epoch = billingEpochOf(current);
    const countInEpoch = chain.billing_epoch === epoch ? chain.heartbeat_count_epoch : 0;
    const volumeCap = volumeCapOf(agent.identity_class);
    // The price the next spawn call would charge: live authorizations count as siblings (seed 004).
    const cost = spawnCost(agent.depth, agent.children_spawned + pending);
    const available = chain.available_beats;
    const hashOperations = chain.lifetime_beats * chain.difficulty;
    return {
      agent_hash: agent.hash,
      beat_initialized: true,
      beat_stale: chain.status === 'frozen' || behind >= DEADLINE_ANCHORS,
      beat_age_seconds: Math.max(0, Math.floor((now - chain.last_sync_at) / 1000)),
      sigil: hasSigil(agent)
        ? {
            sigil: sigilString(agent)!,
            sigil_name: agent.sigil_name!,
            principal: agent.sigil_principal!,
            tier: agent.sigil_tier!,
            identity_class: agent.identity_class!,
            issued_at: iso(agent.sigil_issued_at)!,
            birth_tx: agent.birth_tx,
          }
        : null,
      heartbeat: {
        status: chain.status,
        genesis_hash: chain.genesis_hash,
        latest_beat: chain.lifetime_beats,
        latest_hash: chain.latest_hash,
        total_beats: chain.lifetime_beats,
        lifetime_beats: chain.lifetime_beats,
        available_beats: available,
        difficulty: chain.difficulty,
        frozen_since: iso(chain.frozen_since),
        refused: agent.refused,
        refused_reason: agent.refused_reason,
      },
      heartbeat_epoch: {
        billing_epoch: epoch,
        count_in_epoch: countInEpoch,
        volume_cap: volumeCap,
        remaining: Math.max(0, volumeCap - countInEpoch),
        lineage_chain_hash: lineageChainHash(ancestry),
      },
      whitelist: {
        standing: standing.standing,
        last_checkin_beat: chain.last_checkin_beat,
        last_global_sync: chain.last_global_sync,
        current_global_beat: current,
        beats_behind: behind,
        beats_until_freeze: standing.untilFreeze ?? 0,
        deadline_anchors: DEADLINE_ANCHORS,
      },
      gestation: {
        depth: agent.depth,
        children_spawned: agent.children_spawned,
        next_child_cost: cost,
        beats_accumulated: available,
        progress_pct: Math.min(100, Math.floor((100 * available) / cost)),
        can_spawn: available >= cost,
        deficit: Math.max(0, cost - available),
      },
      proof_of_existence: {
        total_beats: chain.lifetime_beats,
        available_beats: available,
        total_hash_operations: hashOperations,
        estimated_cpu_time_ms: Math.round(hashOperations * CPU_MS_PER_HASH_OPERATION),
      },
      recent_checkins: recent.map((h) => ({ anchor_index: h.anchor_index, at: new Date(h.at).toISOString() })),
      lineage: {
        type: agent.type,
        parent: agent.parent_hash,
        depth: agent.depth,
        name: agent.name,
        registered_at: new Date(agent.registered_at).toISOString(),
        lineage_finalized_at: iso(agent.lineage_finalized_at),
        children: children.map((c) => ({ hash: c.hash, name: c.name })),
      },
    };
  }

  /** The v1 liveness score (see liveness.ts), or null in grace, for tier sbx. */
  private async liveness(agent: AgentRecord, chain: BeatChainRecord, current: number): Promise<number | null> {
    const now = this.now();
    if (agent.sigil_tier === 'sbx' || now - agent.registered_at < LIVENESS_GRACE_MS) return null;
    const sinceIndex = (await this.anchors.firstIndexSince(now - LIVENESS_WINDOW_MS)) ?? current;
    const windowStart = Math.max(chain.init_anchor, sinceIndex);
    const from = (await this.chains.lastSyncAtOrBefore(agent.hash, windowStart)) ?? windowStart;
    const [longGaps, freezes] = await Promise.all([
      this.chains.longSyncGaps(agent.hash, from, current + 1, DEADLINE_ANCHORS),
      this.chains.freezesSince(agent.hash, windowStart),
    ]);
    return livenessScoreV1({ windowStart, current, longGaps, freezes });
  }
}

/** `0x` + SHA-256 of `beats:lineage:v1:` followed by the hashes from the root to the agent joined by `,`. */
export function lineageChainHash(ancestry: readonly string[]): string {
  return '0x' + bytesToHex(sha256(utf8Encode(LINEAGE_HASH_PREFIX + ancestry.join(','))));
}
