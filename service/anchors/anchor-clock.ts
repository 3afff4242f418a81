// The anchor clock (protocol A2): makes, signs and stores one anchor per period. Exactly one process
// makes anchors: the holder of leadership 'anchor-clock' (a PostgreSQL advisory lock; always granted on
// SQLite, whose file one process owns). The others retry every period and take over when the holder's
// session ends. The store's append-only insert is the last guard: a racing writer gets a conflict,
// never a fork.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { ANCHOR_EPOCH_LENGTH, buildAnchor, signAnchor } from '../../shared/anchor.js';
import type { Keyring } from '../keys/keyring.js';
import type { Logger } from '../logger.js';
import { AnchorRepository } from '../store/anchor-repository.js';
import type { Database } from '../store/database.js';
import { AnchorConflictError } from '../store/store-errors.js';
import { anchorRecordOf, type StoredAnchor } from './anchor-reader.js';

/** Leadership name that elects the one anchor-making process. */
export const ANCHOR_CLOCK_LEADERSHIP = 'anchor-clock';

/** Longest wait before retrying after a failed step (a store outage), capped by the period. */
const ERROR_RETRY_MS = 5_000;
/** Largest delay setTimeout honours (a signed 32-bit millisecond count). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of AnchorClock. */
export interface AnchorClockOptions {
  db: Database;
  keyring: Keyring;
  /** The anchor period (ANCHOR_INTERVAL_MS). */
  intervalMs: number;
  /** The difficulty published in each anchor (DIFFICULTY). */
  difficulty: number;
  logger: Logger;
  /** Anchors per epoch (default 100). */
  epochLength?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
  /** CSPRNG (tests may pass a deterministic one). */
  randomBytes?: (size: number) => Uint8Array;
}

/** Called with each anchor this process appended. */
export type AnchorListener = (stored: StoredAnchor) => void;

/** What one step did and when the next is due. */
interface StepResult {
  stored: StoredAnchor | undefined;
  nextInMs: number;
}

/** Makes the chain's anchors while this process leads; see the file header. */
export class AnchorClock {
  private readonly db: Database;
  private readonly repo: AnchorRepository;
  private readonly keyring: Keyring;
  private readonly intervalMs: number;
  private readonly difficulty: number;
  private readonly epochLength: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly randomBytes: (size: number) => Uint8Array;
  private readonly listeners = new Set<AnchorListener>();
  private running = false;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<StepResult> | undefined;

  constructor(options: AnchorClockOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1) {
      throw new RangeError(`"intervalMs" expected a positive integer, got ${options.intervalMs}`);
    }
    this.db = options.db;
    this.repo = new AnchorRepository(options.db);
    this.keyring = options.keyring;
    this.intervalMs = options.intervalMs;
    this.difficulty = options.difficulty;
    this.epochLength = options.epochLength ?? ANCHOR_EPOCH_LENGTH;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.randomBytes = options.randomBytes ?? ((size) => cryptoRandomBytes(size));
  }

  /** True while this process holds the anchor-clock leadership. */
  get isLeader(): boolean {
    return this.db.holdsLeadership(ANCHOR_CLOCK_LEADERSHIP);
  }

  /** Starts the clock: one step now (the first anchor when the chain is empty), then one whenever due; resolves after the first step. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.runAndSchedule();
  }

  /** Stops the clock: no new step starts, the one in flight finishes, leadership is released for another instance. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight?.catch(() => undefined);
    try {
      await this.db.releaseLeadership(ANCHOR_CLOCK_LEADERSHIP);
    } catch (error) {
      this.logger.warn({ err: error }, 'anchor clock: releasing leadership failed');
    }
    this.leading = false;
  }

  /** One step (tests): appends the next anchor when this process leads and one is due; returns it, or undefined. */
  async tick(): Promise<StoredAnchor | undefined> {
    return (await this.step()).stored;
  }

  /** Registers `listener` for each anchor this process appends; returns the unsubscribe function. */
  onAnchor(listener: AnchorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs steps one at a time, whoever asks (the timer or a test). */
  private step(): Promise<StepResult> {
    const previous = this.inflight ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.makeIfDue());
    this.inflight = current;
    void current
      .finally(() => {
        if (this.inflight === current) this.inflight = undefined;
      })
      .catch(() => undefined);
    return current;
  }

  private async makeIfDue(): Promise<StepResult> {
    const leader = await this.db.tryAcquireLeadership(ANCHOR_CLOCK_LEADERSHIP, (error) => {
      this.leading = false;
      this.logger.warn({ err: error }, 'anchor clock: leadership lost; retrying next period');
    });
    if (!leader) {
      if (this.leading) this.logger.info('anchor clock: no longer leading');
      this.leading = false;
      return { stored: undefined, nextInMs: this.intervalMs };
    }
    if (!this.leading) this.logger.info('anchor clock: leading');
    this.leading = true;

    const head = await this.repo.head();
    const now = this.now();
    // Due at last.utc + period; after a longer outage one anchor is made now (indices stay contiguous,
    // nothing is back-filled). A new leader whose clock is behind waits, so utc only grows.
    if (head && now < head.utc + this.intervalMs) {
      return { stored: undefined, nextInMs: head.utc + this.intervalMs - now };
    }

    await this.keyring.refresh(); // a rotation made by another instance signs from the next anchor on
    const key = this.keyring.active('anchor');
    const anchor = buildAnchor({
      previous: head ?? null,
      entropy: this.randomBytes(32), // drawn now, so no one can compute this anchor before it exists
      utc: now,
      difficulty: this.difficulty,
      epochLength: this.epochLength,
    });
    const stored: StoredAnchor = { anchor, signature: signAnchor(anchor, key.secretKey), kid: key.kid };
    try {
      await this.repo.insert(anchorRecordOf(stored));
    } catch (error) {
      if (!(error instanceof AnchorConflictError)) throw error;
      // Another instance appended first: not an error. Follow its head.
      this.logger.info({ beat_index: anchor.beat_index, reason: error.reason }, 'anchor clock: another instance appended first');
      const latest = await this.repo.head();
      const nextInMs = latest ? Math.max(0, latest.utc + this.intervalMs - this.now()) : this.intervalMs;
      return { stored: undefined, nextInMs };
    }
    this.logger.info({ beat_index: anchor.beat_index, hash: anchor.hash, kid: key.kid }, 'anchor');
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch (error) {
        this.logger.error({ err: error }, 'anchor clock: listener failed');
      }
    }
    return { stored, nextInMs: this.intervalMs };
  }

  private async runAndSchedule(): Promise<void> {
    let nextInMs: number;
    try {
      nextInMs = (await this.step()).nextInMs;
    } catch (error) {
      this.logger.warn({ err: error }, 'anchor clock: step failed; retrying');
      nextInMs = Math.min(this.intervalMs, ERROR_RETRY_MS);
    }
    if (!this.running) return;
    this.timer = setTimeout(() => void this.runAndSchedule(), Math.min(Math.max(0, nextInMs), MAX_TIMER_MS));
    this.timer.unref();
  }
}
