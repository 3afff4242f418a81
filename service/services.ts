// The composition root: opens the store, the signing keys, the prover pool and the anchor clock,
// and builds the services the routes call. `close()` stops them in reverse order.
import { poolEngine } from '../prover-wasm/src/engines.js';
import { ProverPool } from '../prover-wasm/src/pool.js';
import { useEd25519Backend } from '../shared/ed25519.js';
import type { VerifyingEngine } from '../shared/proof-engine.js';
import { AnchorClock } from './anchors/anchor-clock.js';
import { AnchorReader } from './anchors/anchor-reader.js';
import type { Config } from './config.js';
import { NODE_ED25519_BACKEND } from './ed25519-node.js';
import { Keyring } from './keys/keyring.js';
import { loadRootSeed } from './keys/root-seed.js';
import type { Logger } from './logger.js';
import { RedisRateLimitStore } from './rate-limit-redis.js';
import type { Database } from './store/database.js';
import { openDatabase } from './store/open-database.js';
import { openRegistry, type Registry } from './registry/registry.js';
import { spawnAuthorizationKey } from './registry/spawn-token.js';
import { ReceiptRepository } from './store/receipt-repository.js';
import type { AnchorLookup } from './work-proof/anchor-window.js';
import { ReceiptSigner } from './work-proof/receipt-signer.js';
import { WorkProofService } from './work-proof/work-proof-service.js';

/** How often an instance reloads the keyset, so a rotation made elsewhere is seen. */
export const KEYSET_REFRESH_MS = 5000;

/** Everything the routes stand on. */
export interface Services {
  db: Database;
  keyring: Keyring;
  reader: AnchorReader;
  clock: AnchorClock;
  pool: ProverPool;
  engine: VerifyingEngine;
  anchors: AnchorLookup;
  workProof: WorkProofService;
  /** The agent registry (agents, beat chains, status, dead man's switch). */
  registry: Registry;
  /** Rate-limit counters shared through Redis when REDIS_URL is set (createApp uses them); else per process. */
  rateLimitStore?: RedisRateLimitStore;
  close(): Promise<void>;
}

/** Options of openServices. */
export interface OpenServicesOptions {
  /** The store to use (tests pass a private schema); opened from `config` otherwise, and then closed by `close()`. */
  db?: Database;
  /** false: do not start the anchor clock (tests call `clock.tick()`); default true. */
  startClock?: boolean;
  /** Clock in epoch ms for the anchor clock, the anchor reader and the registry (tests); default Date.now. */
  now?: () => number;
}

/** Opens every service from `config`; `db` may be given (tests pass a private schema). */
export async function openServices(config: Config, logger: Logger, options: OpenServicesOptions = {}): Promise<Services> {
  useEd25519Backend(NODE_ED25519_BACKEND); // ~100× faster than tweetnacl, identical signatures
  const { seed } = loadRootSeed({ signingSeedHex: config.beatsSigningSeed, dataDir: config.dataDir });
  const db = options.db ?? (await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }));
  try {
    const keyring = await Keyring.open(db, seed);
    const reader = new AnchorReader({ db, intervalMs: config.anchorIntervalMs, now: options.now });
    const clock = new AnchorClock({ db, keyring, intervalMs: config.anchorIntervalMs, difficulty: config.difficulty, logger, now: options.now });
    clock.onAnchor((stored) => reader.noteAppended(stored));
    const registry = openRegistry({
      db, config, reader, keyring, logger, now: options.now, spawnAuthorizationKey: spawnAuthorizationKey(seed),
    });
    // The dead man's switch sweeps after every anchor this instance makes (only the clock's leader makes them).
    clock.onAnchor((stored) => registry.deadMansSwitch.onAnchor(stored));
    const pool = new ProverPool({ threads: config.proverThreads });
    const engine = poolEngine(pool);
    const anchors: AnchorLookup = {
      async headIndex() {
        const head = await reader.head();
        if (!head) throw new Error('no anchor yet');
        return head.anchor.beat_index;
      },
      async hashAt(index) {
        return (await reader.get(index))?.anchor.hash ?? null;
      },
    };
    const keys = {
      active: (use: 'work_proof') => keyring.active(use),
      refresh: () => keyring.refreshIfStale(KEYSET_REFRESH_MS),
    };
    const signer = new ReceiptSigner(keys, new ReceiptRepository(db));
    const workProof = new WorkProofService({ engine, anchors, signer });
    if (options.startClock !== false) await clock.start();
    // Not awaited: the service starts, and limits fail open, while Redis is away.
    const rateLimitStore = config.redisUrl ? new RedisRateLimitStore({ url: config.redisUrl, logger }) : undefined;
    return {
      db, keyring, reader, clock, pool, engine, anchors, workProof, registry, rateLimitStore,
      async close() {
        await clock.stop();
        await registry.close();
        await pool.close();
        await rateLimitStore?.close();
        if (!options.db) await db.close();
      },
    };
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
}
