// The dead man's switch (seed 000 "When to use"; peer-protocol §6): after every anchor, freeze every
// initialized, active agent with `current − last_global_sync > 60`. It is driven by AnchorClock.onAnchor,
// which fires only in the instance leading the anchor clock, so with PostgreSQL one instance sweeps. A
// restart loses nothing: the sweep reads only stored facts, so the next anchor's sweep catches up.
// Heartbeat and resync also freeze one overdue agent on the spot (`freezeIfOverdue`), so a sweep that
// has not run yet (a leader change, a slow store) never lets an overdue agent through.
import type { StoredAnchor } from '../anchors/anchor-reader.js';
import type { Logger } from '../logger.js';
import { BeatChainRepository } from '../store/beat-chain-repository.js';
import type { Database } from '../store/database.js';
import { DEADLINE_ANCHORS } from './standing.js';

/** Called with the hashes of agents just frozen (after the freeze committed). */
export type FrozenListener = (agentHashes: readonly string[]) => void | Promise<void>;

/** Runs inside the freeze's transaction, with it: what it writes commits with the freeze or not at all. */
export type FreezingStep = (tx: Database, agentHashes: readonly string[]) => Promise<void>;

/** Options of DeadMansSwitch. */
export interface DeadMansSwitchOptions {
  db: Database;
  logger: Logger;
  /** Clock in epoch ms. */
  now?: () => number;
}

/** Freezes overdue agents; see the file header. */
export class DeadMansSwitch {
  private readonly db: Database;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly listeners = new Set<FrozenListener>();
  private readonly steps = new Set<FreezingStep>();
  private queue: Promise<void> = Promise.resolve();

  constructor(options: DeadMansSwitchOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /**
   * Registers `listener`, told of every freeze after it committed (metrics); returns the unsubscribe function.
   */
  onFrozen(listener: FrozenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds `step` to every freeze's transaction (seed 003's revocation of a frozen party's sponsorships), so a
   * crash can never leave a freeze without its consequences; a failing step rolls the freeze back. Returns the removal.
   */
  alsoWhenFreezing(step: FreezingStep): () => void {
    this.steps.add(step);
    return () => this.steps.delete(step);
  }

  /** The AnchorClock listener: queues a sweep at the new anchor (sweeps run one at a time, in order). */
  onAnchor(stored: StoredAnchor): void {
    const index = stored.anchor.beat_index;
    this.queue = this.queue
      .then(() => this.sweep(index))
      .then(
        () => undefined,
        (error: unknown) => this.logger.error({ err: error, beat_index: index }, "dead man's switch: sweep failed; the next anchor's sweep retries"),
      );
  }

  /** Resolves once every queued sweep has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Freezes every overdue agent at anchor `current` in one UPDATE (and records the freezes); returns their hashes. */
  async sweep(current: number): Promise<string[]> {
    const now = this.now();
    const frozen = await this.db.transaction((tx) => this.freezeWith(tx, () => new BeatChainRepository(tx).freezeOverdue(current, DEADLINE_ANCHORS, now)));
    if (frozen.length > 0) {
      this.logger.info({ beat_index: current, frozen: frozen.length }, "dead man's switch: agents frozen");
      await this.notify(frozen);
    }
    return frozen;
  }

  /** Freezes `agentHash` at anchor `current` if it is overdue; true when this call froze it. */
  async freezeIfOverdue(agentHash: string, current: number): Promise<boolean> {
    const now = this.now();
    const frozen = await this.db.transaction((tx) =>
      this.freezeWith(tx, () => new BeatChainRepository(tx).freezeOverdue(current, DEADLINE_ANCHORS, now, agentHash)),
    );
    if (frozen.length === 0) return false;
    await this.notify(frozen);
    return true;
  }

  /** Runs `freeze` and then every freezing step on the frozen hashes, all in `tx`. */
  private async freezeWith(tx: Database, freeze: () => Promise<string[]>): Promise<string[]> {
    const frozen = await freeze();
    if (frozen.length > 0) for (const step of this.steps) await step(tx, frozen);
    return frozen;
  }

  private async notify(hashes: string[]): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(hashes);
      } catch (error) {
        this.logger.error({ err: error }, "dead man's switch: onFrozen listener failed");
      }
    }
  }
}
