// Spawning a child (seed 004, the 7 steps): the probe prices the child, a Beats receipt (or the
// parent's available beats) pays for a single-use `spawn_authorization`, POST /register creates the
// child with it, and the finalize call confirms the lineage.
//
// Price: spawnCost(parent depth, siblings) = ⌊⌊1000 × 1.5^depth⌋ × 1.2^siblings⌋ (peer-protocol §6),
// where siblings = the parent's registered children + its live (unused, unexpired) authorizations,
// so a child counts from the moment it is paid for. Issuing runs in one transaction that first locks
// the parent's row (SpawnRepository.lockParent): two concurrent spawns of one parent are priced one
// after the other (1 000 then 1 200), never both at 1 000. The receipt is spent in that transaction,
// so a failure after it (too few beats, the rate limit) leaves it unspent.
import { randomBytes } from 'node:crypto';
import { spawnCost } from '../../shared/costs.js';
import { AppError } from '../errors.js';
import { AgentRepository, type AgentRecord } from '../store/agent-repository.js';
import { BeatChainRepository } from '../store/beat-chain-repository.js';
import type { Database } from '../store/database.js';
import { SpawnRepository } from '../store/spawn-repository.js';
import { isUniqueViolation } from '../store/store-errors.js';
import { apiKeyDigest, newAgentHash, newApiKey } from './agent-credentials.js';
import type { DeadMansSwitch } from './dead-mans-switch.js';
import { frozenNow } from './freeze-check.js';
import type { AcceptedReceipt, ReceiptAcceptance } from './receipt-acceptance.js';
import type { RegistryAnchors } from './registry-anchors.js';
import type { SpawnTokens } from './spawn-token.js';

/** How long a spawn authorization stays usable (this project's choice; the seed says only that it expires). */
export const SPAWN_AUTHORIZATION_TTL_MS = 10 * 60_000;

/** Most children listed in beat-status `lineage.children`. */
export const MAX_LISTED_CHILDREN = 100;

/** Most attempts at drawing an unused child hash and key (a collision of 32 random bytes does not happen). */
const MAX_DRAWS = 3;

/** Why a spawn call or a child registration is 409 SPAWN_CONFLICT. */
export type SpawnConflict =
  | 'name_taken'
  | 'authorization_pending'
  | 'authorization_used'
  | 'authorization_expired'
  | 'authorization_unknown'
  | 'no_authorization'
  | 'wrong_parent'
  | 'wrong_name'
  | 'not_a_child';

/** A spawn call: a probe (`childName` only), a paid request (`receipt`), or the finalize (`childHash`). */
export type SpawnRequest =
  | { kind: 'probe'; childName: string }
  | { kind: 'receipt'; childName: string; receipt: unknown }
  | { kind: 'finalize'; childHash: string; childName?: string };

/** Hooks of a spawn call. */
export interface SpawnHooks {
  /** Runs just before an authorization is stored (the per-parent rate limit); a throw aborts the spawn. */
  beforeIssue?: () => Promise<void>;
}

/** An issued authorization (step 5, or a probe paid by available beats). */
export interface SpawnAuthorized {
  ok: true;
  eligible: true;
  spawn_authorization: string;
  receipt_based: boolean;
  required_beats: number;
  child_name: string;
  /** The child's depth. */
  depth: number;
  siblings: number;
  /** ISO-8601. */
  expires_at: string;
}

/** The answer to the finalize (step 7). */
export interface SpawnFinalized {
  ok: true;
  eligible: true;
  child_hash: string;
  child_name: string;
  depth: number;
  /** ISO-8601. */
  lineage_finalized_at: string;
}

/**
 * What a child registration stores (step 6): the seed's `spawn_authorization`, or — the peer SDK's
 * `register(name, {parentHash, parentApiKey})`, which sends `{name, parent}` — the parent's hash, which
 * then uses the parent's live authorization for that name.
 */
export interface ChildRegistrationInput {
  name: string;
  metadata?: Record<string, unknown>;
  spawnAuthorization?: string;
  /** The `parent` field: must be the authenticated parent. */
  parentHash?: string;
}

/** The answer to a child registration: the only time its API key is shown. */
export interface ChildRegistration {
  ok: true;
  hash: string;
  api_key: string;
  name: string;
  type: 'agent';
  parent: string;
  depth: number;
  metadata: Record<string, unknown> | null;
  /** ISO-8601. */
  registered_at: string;
}

/** What a price depends on. */
export interface SpawnQuote {
  /** The child's depth (parent depth + 1). */
  depth: number;
  siblings: number;
  required_beats: number;
}

/** Options of SpawnService. */
export interface SpawnServiceOptions {
  db: Database;
  anchors: RegistryAnchors;
  deadMansSwitch: DeadMansSwitch;
  receipts: ReceiptAcceptance;
  tokens: SpawnTokens;
  now?: () => number;
}

/** The 409 SPAWN_CONFLICT for `reason`. */
function spawnConflict(reason: SpawnConflict): AppError {
  return new AppError('SPAWN_CONFLICT', `Spawn conflict: ${reason}`, { reason });
}

const frozenError = () => new AppError('AGENT_FROZEN', 'A frozen agent cannot spawn; resync first', { status: 'frozen' });

/** The spawn flow; see the file header. */
export class SpawnService {
  private readonly db: Database;
  private readonly agents: AgentRepository;
  private readonly chains: BeatChainRepository;
  private readonly spawns: SpawnRepository;
  private readonly anchors: RegistryAnchors;
  private readonly dms: DeadMansSwitch;
  private readonly receipts: ReceiptAcceptance;
  private readonly tokens: SpawnTokens;
  private readonly now: () => number;

  constructor(options: SpawnServiceOptions) {
    this.db = options.db;
    this.agents = new AgentRepository(options.db);
    this.chains = new BeatChainRepository(options.db);
    this.spawns = new SpawnRepository(options.db);
    this.anchors = options.anchors;
    this.dms = options.deadMansSwitch;
    this.receipts = options.receipts;
    this.tokens = options.tokens;
    this.now = options.now ?? Date.now;
  }

  /** POST /agent/spawn: dispatches to the probe, the paid request or the finalize. A frozen parent gets 403 AGENT_FROZEN. */
  async spawn(parent: AgentRecord, request: SpawnRequest, hooks: SpawnHooks = {}): Promise<SpawnAuthorized | SpawnFinalized> {
    if (await frozenNow({ chains: this.chains, anchors: this.anchors, deadMansSwitch: this.dms }, parent.hash)) throw frozenError();
    if (request.kind === 'finalize') return this.finalize(parent, request.childHash, request.childName);
    const conflict = await this.spawns.nameConflict(parent.hash, request.childName, this.now());
    if (conflict) throw spawnConflict(conflict);
    if (request.kind === 'receipt') {
      // Protocol C with the parent as subject; the beats are compared with the price under the lock.
      const receipt = await this.receipts.check(request.receipt, { agentHash: parent.hash, requiredBeats: 0 });
      return this.issue(parent, request.childName, receipt, hooks);
    }
    // The probe: 402 with the price, unless the parent's available beats cover it (then they pay).
    const quote = await this.quote(parent);
    const chain = await this.chains.get(parent.hash);
    if (!chain || chain.available_beats < quote.required_beats) throw receiptRequired(quote);
    return this.issue(parent, request.childName, undefined, hooks);
  }

  /** The price of `parent`'s next child now (what the probe and beat-status gestation show). */
  async quote(parent: Pick<AgentRecord, 'hash' | 'depth' | 'children_spawned'>): Promise<SpawnQuote> {
    const siblings = parent.children_spawned + (await this.spawns.liveCount(parent.hash, this.now()));
    return { depth: parent.depth + 1, siblings, required_beats: spawnCost(parent.depth, siblings) };
  }

  /**
   * Step 6: creates the child named by a valid, unused, unexpired authorization of `parent` (type
   * `agent`, depth parent + 1, its own hash and API key). 400 VALIDATION for a token this registry
   * did not sign; 409 SPAWN_CONFLICT for one of another parent or name, used, expired, none live (the
   * `parent` form), or a name already registered under the parent (the unique index decides).
   */
  async registerChild(parent: AgentRecord, input: ChildRegistrationInput): Promise<ChildRegistration> {
    if (input.parentHash !== undefined && input.parentHash !== parent.hash) throw spawnConflict('wrong_parent');
    let authorizationId: string;
    if (input.spawnAuthorization !== undefined) {
      const claims = this.tokens.verify(input.spawnAuthorization);
      if (!claims) {
        throw new AppError('VALIDATION', 'spawn_authorization: not a spawn authorization issued by this registry', {
          field: 'spawn_authorization',
        });
      }
      if (claims.parent_hash !== parent.hash) throw spawnConflict('wrong_parent');
      if (claims.child_name !== input.name) throw spawnConflict('wrong_name');
      authorizationId = claims.id;
    } else {
      const live = await this.spawns.live(parent.hash, input.name, this.now());
      if (!live) throw spawnConflict('no_authorization');
      authorizationId = live.id;
    }
    const metadata = input.metadata === undefined ? null : input.metadata;
    for (let attempt = 1; ; attempt++) {
      const hash = newAgentHash();
      const apiKey = newApiKey();
      const registeredAt = this.now();
      try {
        await this.db.transaction(async (tx) => {
          const spawns = new SpawnRepository(tx);
          if (!(await spawns.consume(authorizationId, parent.hash, input.name, hash, registeredAt))) {
            const row = await spawns.get(authorizationId);
            throw spawnConflict(!row ? 'authorization_unknown' : row.used_at !== null ? 'authorization_used' : 'authorization_expired');
          }
          const agents = new AgentRepository(tx);
          const inserted = await agents.insertChild({
            hash, name: input.name, type: 'agent', parent_hash: parent.hash, depth: parent.depth + 1,
            metadata: metadata === null ? null : JSON.stringify(metadata), api_key_digest: apiKeyDigest(apiKey),
            registered_at: registeredAt, registered_by: null,
          });
          if (!inserted) throw spawnConflict('name_taken');
          await agents.countChild(parent.hash);
        });
      } catch (error) {
        // A hash or key clash rolls everything back (the authorization too): draw again.
        if (isUniqueViolation(error) && attempt < MAX_DRAWS) continue;
        throw error;
      }
      return {
        ok: true, hash, api_key: apiKey, name: input.name, type: 'agent', parent: parent.hash, depth: parent.depth + 1, metadata,
        registered_at: new Date(registeredAt).toISOString(),
      };
    }
  }

  /** Step 7: `childHash` must be `parent`'s child (404 AGENT_NOT_FOUND unknown, 409 SPAWN_CONFLICT another's or another name). */
  private async finalize(parent: AgentRecord, childHash: string, childName: string | undefined): Promise<SpawnFinalized> {
    const child = await this.agents.get(childHash);
    if (!child) throw new AppError('AGENT_NOT_FOUND', 'Child agent not found', { hash: childHash });
    if (child.parent_hash !== parent.hash) throw spawnConflict('not_a_child');
    if (childName !== undefined && childName !== child.name) throw spawnConflict('wrong_name');
    await this.agents.finalizeLineage(childHash, parent.hash, this.now());
    const finalized = await this.agents.get(childHash);
    return {
      ok: true, eligible: true, child_hash: child.hash, child_name: child.name, depth: child.depth,
      lineage_finalized_at: new Date(finalized!.lineage_finalized_at!).toISOString(),
    };
  }

  /**
   * Issues an authorization for `childName`, paid by `receipt`, or by the parent's available beats when
   * there is none, in one transaction under the parent's lock: re-checks frozen and the name, prices
   * with the siblings counted now, spends, runs `beforeIssue`, stores the authorization.
   */
  private async issue(parent: AgentRecord, childName: string, receipt: AcceptedReceipt | undefined, hooks: SpawnHooks): Promise<SpawnAuthorized> {
    const now = this.now();
    const id = randomBytes(16).toString('hex');
    const expiresAt = now + SPAWN_AUTHORIZATION_TTL_MS;
    const quote = await this.db.transaction(async (tx) => {
      const spawns = new SpawnRepository(tx);
      const locked = await spawns.lockParent(parent.hash);
      if (!locked) throw frozenError();
      const conflict = await spawns.nameConflict(parent.hash, childName, now);
      if (conflict) throw spawnConflict(conflict);
      const siblings = locked.children_spawned + (await spawns.liveCount(parent.hash, now));
      const priced: SpawnQuote = { depth: locked.depth + 1, siblings, required_beats: spawnCost(locked.depth, siblings) };
      if (receipt) {
        await this.receipts.spend(tx, receipt, parent.hash, 'spawn', now);
        if (receipt.beatsVerified < priced.required_beats) {
          throw new AppError('INSUFFICIENT_BEATS', `Spawn requires ${priced.required_beats} beats; the receipt has ${receipt.beatsVerified}`, {
            ...priced, beats_verified: receipt.beatsVerified,
          });
        }
      } else if (!(await new BeatChainRepository(tx).debitBeats(parent.hash, priced.required_beats))) {
        throw receiptRequired(priced);
      }
      await hooks.beforeIssue?.();
      await spawns.insert({
        id, parent_hash: parent.hash, child_name: childName, required_beats: priced.required_beats, receipt_based: receipt !== undefined,
        receipt_id: receipt?.id ?? null, issued_at: now, expires_at: expiresAt,
      });
      return priced;
    });
    if (receipt) this.receipts.announceSpent('spawn');
    return {
      ok: true, eligible: true,
      spawn_authorization: this.tokens.sign({ id, parent_hash: parent.hash, child_name: childName, expires_at: expiresAt }),
      receipt_based: receipt !== undefined, required_beats: quote.required_beats, child_name: childName, depth: quote.depth,
      siblings: quote.siblings, expires_at: new Date(expiresAt).toISOString(),
    };
  }
}

/** The probe's 402 RECEIPT_REQUIRED (seed 004 step 1): `required_beats`, the child's `depth`, `siblings`. */
function receiptRequired(quote: SpawnQuote): AppError {
  return new AppError('RECEIPT_REQUIRED', 'Beats receipt required for spawn', { ...quote });
}
