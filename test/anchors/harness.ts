// A Beats node for the anchor tests: keyring, clock, reader and the anchor/key/admin routers in an app
// that really listens (the peer's client speaks HTTP), plus a queue of the anchors the clock appends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnchorClock } from '../../service/anchors/anchor-clock.js';
import { AnchorReader, type StoredAnchor } from '../../service/anchors/anchor-reader.js';
import { createApp } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { Keyring } from '../../service/keys/keyring.js';
import { createLogger } from '../../service/logger.js';
import { adminRoutes } from '../../service/routes/admin-routes.js';
import { anchorRoutes } from '../../service/routes/anchor-routes.js';
import { keyRoutes } from '../../service/routes/key-routes.js';
import type { Database } from '../../service/store/database.js';

/** The root seed every test node shares unless told otherwise. */
export const TEST_SEED = new Uint8Array(32).fill(0x42);
/** Admin token of test nodes. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
/** A logger that writes nothing. */
export const silentLogger = createLogger({ logLevel: 'silent' });

/** Anchors a clock appended, in order, awaited one by one. */
export class AnchorQueue {
  private readonly items: StoredAnchor[] = [];
  private readonly waiters: Array<(stored: StoredAnchor) => void> = [];

  /** Subscribes to `clock`. */
  constructor(clock: AnchorClock) {
    clock.onAnchor((stored) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(stored);
      else this.items.push(stored);
    });
  }

  /** The next appended anchor; rejects after `timeoutMs`. */
  next(timeoutMs = 5_000): Promise<StoredAnchor> {
    const ready = this.items.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(settle), 1);
        reject(new Error(`no anchor within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (stored: StoredAnchor) => {
        clearTimeout(timer);
        resolve(stored);
      };
      this.waiters.push(settle);
    });
  }
}

/** One running node. */
export interface TestNode {
  db: Database;
  keyring: Keyring;
  clock: AnchorClock;
  reader: AnchorReader;
  anchors: AnchorQueue;
  baseUrl: string;
  /** Stops the clock and the server; the database stays open unless `closeDb`. */
  close(options?: { closeDb?: boolean }): Promise<void>;
}

/** Options of startNode. */
export interface TestNodeOptions {
  db: Database;
  intervalMs: number;
  seed?: Uint8Array;
  adminToken?: string;
  /** Start the clock (default true). */
  startClock?: boolean;
  now?: () => number;
}

/** Opens the keyring on `db`, wires clock → reader, mounts the routers and listens on 127.0.0.1:0. */
export async function startNode(options: TestNodeOptions): Promise<TestNode> {
  const { db, intervalMs, seed = TEST_SEED, adminToken = TEST_ADMIN_TOKEN } = options;
  const keyring = await Keyring.open(db, seed);
  const reader = new AnchorReader({ db, intervalMs, now: options.now });
  const clock = new AnchorClock({ db, keyring, intervalMs, difficulty: 1000, logger: silentLogger, now: options.now });
  clock.onAnchor((stored) => reader.noteAppended(stored));
  const anchors = new AnchorQueue(clock);
  const config = loadConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN: adminToken, RATE_LIMITS: 'off' });
  const app = createApp({
    config,
    logger: silentLogger,
    routers: [
      { path: '/api/v1/beat', router: anchorRoutes({ reader, keyring, intervalMs }) },
      { path: '/api/v1/beat', router: keyRoutes({ keyring, refreshMs: 0 }) },
      { path: '/api/v1/admin', router: adminRoutes({ keyring, adminToken: config.adminToken }) },
    ],
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  if (options.startClock !== false) await clock.start();
  return {
    db,
    keyring,
    clock,
    reader,
    anchors,
    baseUrl: `http://127.0.0.1:${port}`,
    async close({ closeDb = false } = {}) {
      await clock.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (closeDb) await db.close();
    },
  };
}

/** GET `${baseUrl}${path}` as JSON, with its status. */
export async function getJson<T = any>(baseUrl: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}
