// Rate-limit counters in Redis, so every instance behind one address counts against the same limits.
// One Lua script per hit: INCR, then PEXPIRE when the key has no expiry yet (the window opens at the
// first hit), atomic on the server. When Redis cannot be reached a hit rejects at once (no offline
// queue, a short command timeout) and the limiter fails open; the client keeps reconnecting.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';
import type { RateLimitHit, RateLimitStore } from './rate-limit.js';

/** Prefix of every key this store writes, before the limiter's `name:subject`. */
export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'beats:rate:';

/** Longest a hit waits for Redis before the limiter lets the request through. */
const COMMAND_TIMEOUT_MS = 500;
/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * KEYS[1] the counter, ARGV[1] the window in ms → {count, ms left in the window}. A key left without an
 * expiry (say, a PEXPIRE lost with the connection) gets one on its next hit, so it can never stick.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Options of RedisRateLimitStore. */
export interface RedisRateLimitStoreOptions {
  /** `redis://…` or `rediss://…` (REDIS_URL); ioredis options may ride along as query parameters. */
  url: string;
  /** Written before every key (default DEFAULT_RATE_LIMIT_KEY_PREFIX); tests use one per run. */
  keyPrefix?: string;
  /** Where connection changes are logged. */
  logger?: Logger;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

/** The ioredis client with the hit script defined on it. */
type ScriptedRedis = Redis & { beatsRateHit(key: string, windowMs: number): Promise<[number, number]> };

/** Fixed-window counters shared through Redis; see the file header. */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: ScriptedRedis;
  private readonly keyPrefix: string;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  /** Whether the last connection event was an outage (connection changes are logged once each). */
  private down = false;
  private closing = false;

  constructor(options: RedisRateLimitStoreOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    const redisOptions: RedisOptions = {
      // Fail fast while disconnected: a request must never wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    };
    this.redis = new Redis(options.url, redisOptions) as ScriptedRedis;
    this.redis.defineCommand('beatsRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis.on('ready', () => {
      if (this.down) this.logger?.info('rate limits: Redis reachable again; counters shared');
      this.down = false;
    });
    this.redis.on('error', (err: Error) => this.markDown(err));
    this.redis.on('close', () => this.markDown(undefined));
  }

  /** Logs the first sign of an outage (an error, or a connection closed that this store did not close). */
  private markDown(err: Error | undefined): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.logger?.warn({ err }, 'rate limits: Redis unreachable; requests let through until it is back');
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const [count, ttl] = await this.redis.beatsRateHit(this.keyPrefix + key, windowMs);
    return { count: Number(count), resetAt: this.now() + Math.max(0, Number(ttl)) };
  }

  /** Resolves once connected (tests; the service never waits). */
  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.redis.status === 'end') return;
    try {
      if (this.redis.status === 'ready') await this.redis.quit();
      else this.redis.disconnect();
    } catch {
      this.redis.disconnect();
    }
  }
}
