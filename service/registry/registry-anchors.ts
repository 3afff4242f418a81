// The registry's view of the anchor chain: the current anchor (the clock of every deadline), past
// anchors' hashes (receipt checks) and where the liveness window starts.
import type { AnchorReader } from '../anchors/anchor-reader.js';
import { AppError } from '../errors.js';
import { AnchorRepository } from '../store/anchor-repository.js';
import type { Database } from '../store/database.js';

/** The newest anchor, as the registry reads it. */
export interface CurrentAnchor {
  index: number;
  hash: string;
  /** Epoch ms at which it was made. */
  utc: number;
}

/** What the registry reads about anchors. */
export interface RegistryAnchors {
  /** The anchor period (ANCHOR_INTERVAL_MS). */
  readonly intervalMs: number;
  /** The newest anchor; throws 503 ANCHOR_UNAVAILABLE before the first one (or when the store cannot be read). */
  current(): Promise<CurrentAnchor>;
  /** Index of the newest anchor (see `current`). */
  currentIndex(): Promise<number>;
  /** The stored hash of anchor `index`, or null. */
  hashAt(index: number): Promise<string | null>;
  /** Index of the first anchor made at or after `utc`, or undefined. */
  firstIndexSince(utc: number): Promise<number | undefined>;
}

/** The registry's anchors over the service's AnchorReader (cached) and the anchors table. */
export function registryAnchors(reader: AnchorReader, db: Database, intervalMs: number): RegistryAnchors {
  const repo = new AnchorRepository(db);
  const current = async (): Promise<CurrentAnchor> => {
    const head = await reader.head();
    if (!head) throw new AppError('ANCHOR_UNAVAILABLE', 'No anchor has been made yet');
    return { index: head.anchor.beat_index, hash: head.anchor.hash, utc: head.anchor.utc };
  };
  return {
    intervalMs,
    current,
    currentIndex: async () => (await current()).index,
    hashAt: async (index) => (await reader.get(index))?.anchor.hash ?? null,
    firstIndexSince: (utc) => repo.firstIndexSince(utc),
  };
}
