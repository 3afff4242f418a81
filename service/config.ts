// Process configuration from the environment (architecture.md, "Process and configuration"), checked
// once at boot: a bad value stops the process with one line naming the variable.
import { isIP } from 'node:net';
import os from 'node:os';
import { z } from 'zod';

/** pino levels plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino log level (or `silent`). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Express `trust proxy`: off, trust everything, a hop count, or a list of addresses/subnets/names. */
export type TrustProxy = boolean | number | string[];

/** The checked configuration, one field per environment variable. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  redisUrl: string | undefined;
  /** 64 lowercase hex (32 bytes); undefined = generate once and keep in `dataDir`. */
  beatsSigningSeed: string | undefined;
  anchorIntervalMs: number;
  difficulty: number;
  rateLimits: boolean;
  acceptV1Receipts: boolean;
  registrationSecret: string | undefined;
  adminToken: string | undefined;
  /** Remote Beats service base URL, without a trailing slash. */
  beatsUrl: string | undefined;
  /** Pinned work-proof public key of the remote Beats service, 64 lowercase hex. */
  beatsPublicKey: string | undefined;
  proverThreads: number;
  beatsRequired: boolean;
  /** Registry: every heartbeat must name a payer and carry its signature. */
  heartbeatPayment: boolean;
  /** Registry: how many anchors old a receipt's anchor may be (protocol C, the receipt window). */
  receiptWindowAnchors: number;
  logLevel: LogLevel;
  trustProxy: TrustProxy;
  bodyLimitBytes: number;
  /** Longest wait for a request's headers (slow clients are cut off). */
  headersTimeoutMs: number;
  /** Longest wait for a whole request; also the drain deadline on SIGTERM. */
  requestTimeoutMs: number;
}

/** A configuration value that stops the boot; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

/** Environment-like input: `process.env` or a plain record in tests. */
export type EnvInput = Readonly<Record<string, string | undefined>>;

/** Variables whose values must never appear in an error message or a log. */
const SECRET_VARIABLES = new Set([
  'BEATS_SIGNING_SEED',
  'ADMIN_TOKEN',
  'REGISTRATION_SECRET',
  'DATABASE_URL', // may carry a password
  'REDIS_URL', // may carry a password
]);

/** Largest safe `setTimeout` delay (a signed 32-bit millisecond count); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** Header-safe secret: visible ASCII, no spaces (it travels in an HTTP header). */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An integer variable in [min, max], as a decimal string. */
function int(min: number, max: number) {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`;
  return z
    .string()
    .refine((s) => /^[0-9]+$/.test(s) && Number(s) >= min && Number(s) <= max, { error: expected })
    .transform(Number);
}

/** A boolean variable: true/false, 1/0, on/off (any case). */
function bool() {
  return z.stringbool({
    truthy: ['true', '1', 'on'],
    falsy: ['false', '0', 'off'],
    error: 'expected true/false, 1/0 or on/off',
  });
}

/** 32 bytes as 64 hex characters, normalised to lowercase. */
function hex32(what: string) {
  return z
    .string()
    .refine((s) => HEX_64.test(s), { error: `expected 64 hex characters (${what})` })
    .transform((s) => s.toLowerCase());
}

/** A URL whose scheme is one of `protocols` (e.g. `postgres:`). */
function url(protocols: readonly string[]) {
  const expected = `expected a ${protocols.map((p) => p + '//').join(' or ')} URL`;
  return z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { error: expected },
  );
}

/** A secret sent in a header: visible ASCII without spaces, at least `minLength` characters. */
function headerSecret(minLength: number) {
  return z
    .string()
    .refine((s) => s.length >= minLength && HEADER_TOKEN.test(s), {
      error: `expected at least ${minLength} visible ASCII characters without spaces`,
    });
}

/** True for an IP address or an IP/prefix subnet. */
function isAddressOrSubnet(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: off/false/0 → no proxy (req.ip is the socket peer); on/true → trust every hop
 * (only behind a proxy that overwrites X-Forwarded-For); N ≥ 1 → trust N hops; otherwise a
 * comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal.
 */
function trustProxy() {
  return z.string().transform((s, ctx): TrustProxy => {
    const v = s.toLowerCase();
    if (v === 'off' || v === 'false' || v === '0') return false;
    if (v === 'on' || v === 'true') return true;
    if (/^[0-9]+$/.test(v) && Number(v) <= 64) return Number(v);
    const entries = v.split(',').map((e) => e.trim());
    if (entries.every((e) => TRUST_PROXY_NAMES.has(e) || isAddressOrSubnet(e))) return entries;
    ctx.addIssue({
      code: 'custom',
      message: 'expected off, on, a hop count from 1 to 64, or a comma-separated list of addresses/subnets',
    });
    return z.NEVER;
  });
}

/** The schema over the environment: one entry per variable, defaults included. */
export const envSchema = z
  .object({
    PORT: int(0, 65535).default(8787),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
    DATABASE_POOL_SIZE: int(1, 1000).default(10),
    REDIS_URL: url(['redis:', 'rediss:']).optional(),
    BEATS_SIGNING_SEED: hex32('a 32-byte seed; `npx beats keygen` prints one').optional(),
    ANCHOR_INTERVAL_MS: int(100, MAX_TIMER_MS).default(60_000),
    // Peer minimum 100 (peer-protocol §3); the v2 challenge encodes d as u32be (protocol B3).
    DIFFICULTY: int(100, 2 ** 32 - 1).default(1000),
    RATE_LIMITS: bool().default(true),
    ACCEPT_V1_RECEIPTS: bool().default(false),
    REGISTRATION_SECRET: headerSecret(1).optional(),
    ADMIN_TOKEN: headerSecret(16).optional(),
    BEATS_URL: url(['http:', 'https:'])
      .transform((s) => s.replace(/\/+$/, ''))
      .optional(),
    BEATS_PUBLIC_KEY: hex32('the remote work-proof Ed25519 public key').optional(),
    PROVER_THREADS: int(1, 1024).default(() => os.availableParallelism()),
    BEATS_REQUIRED: bool().default(true),
    HEARTBEAT_PAYMENT: bool().default(false),
    RECEIPT_WINDOW_ANCHORS: int(1, 1_000_000).default(60),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    TRUST_PROXY: trustProxy().default(false),
    BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(262_144),
    HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
    REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  })
  .superRefine((env, ctx) => {
    // A remote Beats service is only trusted through a pinned key; a key alone pins nothing.
    if (env.BEATS_URL !== undefined && env.BEATS_PUBLIC_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['BEATS_PUBLIC_KEY'], message: 'required when BEATS_URL is set' });
    }
    if (env.BEATS_PUBLIC_KEY !== undefined && env.BEATS_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['BEATS_URL'], message: 'required when BEATS_PUBLIC_KEY is set' });
    }
    // Node refuses a headers timeout longer than the request timeout.
    if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HEADERS_TIMEOUT_MS'], message: 'must not exceed REQUEST_TIMEOUT_MS' });
    }
  });

/** The names of every configuration variable. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;

/** How a bad value is quoted: secrets by length only. */
function describeValue(variable: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRET_VARIABLES.has(variable)) return `a ${value.length}-character value (not shown)`;
  return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
}

/**
 * The checked, camelCased configuration of `env` (default `process.env`). Empty or blank values
 * count as unset; values are trimmed. Throws ConfigError on the first bad variable.
 */
export function loadConfig(env: EnvInput = process.env): Config {
  const input: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]?.trim();
    input[name] = value === '' ? undefined : value;
  }
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    // One line, whatever the message holds.
    const message = `${variable}: ${issue.message}, got ${describeValue(variable, input[variable])}`.replace(/\s+/g, ' ');
    throw new ConfigError(variable, message);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    beatsSigningSeed: e.BEATS_SIGNING_SEED,
    anchorIntervalMs: e.ANCHOR_INTERVAL_MS,
    difficulty: e.DIFFICULTY,
    rateLimits: e.RATE_LIMITS,
    acceptV1Receipts: e.ACCEPT_V1_RECEIPTS,
    registrationSecret: e.REGISTRATION_SECRET,
    adminToken: e.ADMIN_TOKEN,
    beatsUrl: e.BEATS_URL,
    beatsPublicKey: e.BEATS_PUBLIC_KEY,
    proverThreads: e.PROVER_THREADS,
    beatsRequired: e.BEATS_REQUIRED,
    heartbeatPayment: e.HEARTBEAT_PAYMENT,
    receiptWindowAnchors: e.RECEIPT_WINDOW_ANCHORS,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
  };
}
