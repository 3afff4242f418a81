// Fixed-window rate limiting: a middleware factory over an async counter store (in memory here,
// Redis when several instances share counters). Over the limit: 429 RATE_LIMITED + Retry-After.
import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { AppError } from './errors.js';

/** One counter after a hit: hits in the current window and when the window ends (epoch ms). */
export interface RateLimitHit {
  count: number;
  resetAt: number;
}

/** Shared fixed-window counters; async so a Redis store fits behind it. */
export interface RateLimitStore {
  /** Count one hit on `key`; a window of `windowMs` opens at a key's first hit after the last one ended. */
  hit(key: string, windowMs: number): Promise<RateLimitHit>;
}

/** Options of MemoryRateLimitStore. */
export interface MemoryRateLimitStoreOptions {
  /** Most keys kept (default 20 000, the peer's bound); expired windows go first, then the oldest. */
  maxEntries?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

/** In-process counters in a bounded Map (one instance; per-process limits). */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, RateLimitHit>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 20_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`"maxEntries" expected an integer >= 1, got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
    this.now = options.now ?? Date.now;
  }

  /** Number of keys currently held. */
  get size(): number {
    return this.windows.size;
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const now = this.now();
    const current = this.windows.get(key);
    if (current && current.resetAt > now) {
      current.count++;
      return { ...current };
    }
    // Delete then set, so Map order is the order windows opened and the oldest are evicted first.
    this.windows.delete(key);
    if (this.windows.size >= this.maxEntries) this.evict(now);
    const fresh = { count: 1, resetAt: now + windowMs };
    this.windows.set(key, fresh);
    return { ...fresh };
  }

  /** Drop ended windows; if still full, drop the oldest tenth (amortises the scan). */
  private evict(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    if (this.windows.size < this.maxEntries) return;
    let excess = this.windows.size - Math.floor(this.maxEntries * 0.9);
    for (const key of this.windows.keys()) {
      if (excess-- <= 0) break;
      this.windows.delete(key);
    }
  }
}

/** Where a limiter gets its store and on/off switch when its options do not say. */
export interface RateLimitContext {
  enabled: boolean;
  store: RateLimitStore;
}

/** `app.locals` key under which createApp puts the app's RateLimitContext. */
export const RATE_LIMIT_CONTEXT = 'rateLimit';

/** Options of one limiter. */
export interface RateLimitOptions {
  /** Names the limit (keys are `name:key`, so limits never share counters). */
  name: string;
  /** Hits allowed per window. */
  limit: number;
  windowMs: number;
  /** The subject counted: an IP (`clientIp`), an agent hash, … */
  key: (req: Request) => string;
  /** Counter store; default the app's (`app.locals.rateLimit.store`). */
  store?: RateLimitStore;
  /** On/off; default the app's (`config.rateLimits`). */
  enabled?: boolean;
}

/**
 * The client's address for limits: `req.ip` (which honours X-Forwarded-For only as far as
 * `trust proxy` allows), IPv4-mapped IPv6 unwrapped, IPv6 reduced to its /64 (one host's share).
 */
export function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  return ipv6Prefix64(ip);
}

/** The first four groups of an IPv6 address, as `a:b:c:d::/64`. */
function ipv6Prefix64(ip: string): string {
  const [head, tail] = ip.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':') + '::/64';
}

/** A middleware counting `options.key(req)` in fixed windows: over the limit → 429 RATE_LIMITED. */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  assertRateLimitOptions(options);
  return async (req, _res, next) => {
    await hitRateLimit(req, options);
    next();
  };
}

/**
 * Counts one hit of `options.key(req)` now, for a limit that only some outcomes of a handler count
 * (a spawn counts only calls that issue an authorization): over the limit → throws 429 RATE_LIMITED.
 */
export async function hitRateLimit(req: Request, options: RateLimitOptions): Promise<void> {
  const { name, limit, windowMs, key } = options;
  const context = req.app.locals[RATE_LIMIT_CONTEXT] as RateLimitContext | undefined;
  const enabled = options.enabled ?? context?.enabled ?? true;
  if (!enabled) return;
  const store = options.store ?? context?.store;
  if (!store) throw new Error(`rate limit "${name}": no store (pass one, or mount under createApp)`);
  let hit: RateLimitHit;
  try {
    hit = await store.hit(`${name}:${key(req)}`, windowMs);
  } catch (err) {
    // A broken shared store must not take the service down with it: fail open, loudly.
    req.log?.warn({ err, limit: name }, 'rate-limit store failed; request let through');
    return;
  }
  if (hit.count > limit) {
    const retryAfterMs = Math.max(0, hit.resetAt - Date.now());
    throw new AppError('RATE_LIMITED', undefined, { retry_after_ms: retryAfterMs });
  }
}

function assertRateLimitOptions({ limit, windowMs }: RateLimitOptions): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`"limit" expected an integer >= 1, got ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`"windowMs" expected an integer >= 1, got ${windowMs}`);
  }
}
