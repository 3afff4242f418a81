// Configuration from the environment: defaults, accepted spellings, and one-line errors naming the variable.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type EnvInput } from '../../service/config.js';

const SEED = 'ab'.repeat(32);
const KEY = 'CD'.repeat(32);

/** The ConfigError thrown by loadConfig(env). */
function configError(env: EnvInput): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('an empty environment gives the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: undefined,
      databasePoolSize: 10,
      redisUrl: undefined,
      beatsSigningSeed: undefined,
      anchorIntervalMs: 60_000,
      difficulty: 1000,
      rateLimits: true,
      acceptV1Receipts: false,
      registrationSecret: undefined,
      adminToken: undefined,
      beatsUrl: undefined,
      beatsPublicKey: undefined,
      proverThreads: os.availableParallelism(),
      beatsRequired: true,
      heartbeatPayment: false,
      receiptWindowAnchors: 60,
      logLevel: 'info',
      trustProxy: false,
      bodyLimitBytes: 262_144,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
  });

  it('empty and blank values count as unset; other variables are ignored', () => {
    expect(loadConfig({ PORT: '', DIFFICULTY: '   ', UNRELATED: 'x' })).toEqual(loadConfig({}));
  });

  it('the schema covers every variable of the architecture table', () => {
    expect([...CONFIG_VARIABLES].sort()).toEqual(
      [
        'PORT', 'HOST', 'DATA_DIR', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'REDIS_URL', 'BEATS_SIGNING_SEED', 'ANCHOR_INTERVAL_MS',
        'DIFFICULTY', 'RATE_LIMITS', 'ACCEPT_V1_RECEIPTS', 'REGISTRATION_SECRET', 'ADMIN_TOKEN', 'BEATS_URL',
        'BEATS_PUBLIC_KEY', 'PROVER_THREADS', 'BEATS_REQUIRED', 'LOG_LEVEL', 'TRUST_PROXY', 'BODY_LIMIT_BYTES',
        'HEARTBEAT_PAYMENT', 'RECEIPT_WINDOW_ANCHORS', 'HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS',
      ].sort(),
    );
  });
});

describe('loadConfig values', () => {
  it('reads and camelCases every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/beats',
      DATABASE_URL: 'postgres://u:p@db/beats',
      DATABASE_POOL_SIZE: '24',
      REDIS_URL: 'rediss://cache:6380',
      BEATS_SIGNING_SEED: SEED.toUpperCase(),
      ANCHOR_INTERVAL_MS: '100',
      DIFFICULTY: '5000',
      RATE_LIMITS: 'off',
      ACCEPT_V1_RECEIPTS: 'on',
      REGISTRATION_SECRET: 'reg-secret',
      ADMIN_TOKEN: 'a-long-admin-token-123',
      BEATS_URL: 'https://beats.example.org/',
      BEATS_PUBLIC_KEY: KEY,
      PROVER_THREADS: '3',
      BEATS_REQUIRED: 'false',
      HEARTBEAT_PAYMENT: 'on',
      RECEIPT_WINDOW_ANCHORS: '5',
      LOG_LEVEL: 'silent',
      TRUST_PROXY: '1',
      BODY_LIMIT_BYTES: '1024',
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '4000',
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/beats',
      databaseUrl: 'postgres://u:p@db/beats',
      databasePoolSize: 24,
      redisUrl: 'rediss://cache:6380',
      beatsSigningSeed: SEED,
      anchorIntervalMs: 100,
      difficulty: 5000,
      rateLimits: false,
      acceptV1Receipts: true,
      registrationSecret: 'reg-secret',
      adminToken: 'a-long-admin-token-123',
      beatsUrl: 'https://beats.example.org',
      beatsPublicKey: KEY.toLowerCase(),
      proverThreads: 3,
      beatsRequired: false,
      heartbeatPayment: true,
      receiptWindowAnchors: 5,
      logLevel: 'silent',
      trustProxy: 1,
      bodyLimitBytes: 1024,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
    });
  });

  it.each([
    ['true', true], ['TRUE', true], ['1', true], ['on', true], ['On', true],
    ['false', false], ['0', false], ['off', false], ['OFF', false],
  ])('booleans accept %j', (value, expected) => {
    expect(loadConfig({ RATE_LIMITS: value }).rateLimits).toBe(expected);
    expect(loadConfig({ ACCEPT_V1_RECEIPTS: value }).acceptV1Receipts).toBe(expected);
    expect(loadConfig({ BEATS_REQUIRED: value }).beatsRequired).toBe(expected);
    expect(loadConfig({ HEARTBEAT_PAYMENT: value }).heartbeatPayment).toBe(expected);
  });

  it.each([
    ['off', false], ['false', false], ['0', false], ['on', true], ['true', true], ['2', 2],
    ['loopback', ['loopback']], ['10.0.0.0/8, ::1', ['10.0.0.0/8', '::1']],
  ])('TRUST_PROXY accepts %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});

describe('loadConfig errors', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://db/beats'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache'],
    ['BEATS_SIGNING_SEED', 'ab'.repeat(31)],
    ['BEATS_SIGNING_SEED', 'zz'.repeat(32)],
    ['ANCHOR_INTERVAL_MS', 'abc'],
    ['ANCHOR_INTERVAL_MS', '99'],
    ['ANCHOR_INTERVAL_MS', '1e5'],
    ['ANCHOR_INTERVAL_MS', String(2 ** 31)],
    ['DIFFICULTY', '99'],
    ['DIFFICULTY', '1000.0'],
    ['DIFFICULTY', String(2 ** 32)],
    ['RATE_LIMITS', 'yes'],
    ['RATE_LIMITS', 'enabled'],
    ['ACCEPT_V1_RECEIPTS', '2'],
    ['BEATS_REQUIRED', 'nope'],
    ['HEARTBEAT_PAYMENT', 'sometimes'],
    ['RECEIPT_WINDOW_ANCHORS', '0'],
    ['RECEIPT_WINDOW_ANCHORS', '60.5'],
    ['REGISTRATION_SECRET', 'has space'],
    ['ADMIN_TOKEN', 'short'],
    ['ADMIN_TOKEN', 'sixteen chars with spaces'],
    ['BEATS_URL', 'ftp://beats.example.org'],
    ['BEATS_PUBLIC_KEY', 'abc'],
    ['PROVER_THREADS', '0'],
    ['PROVER_THREADS', 'many'],
    ['LOG_LEVEL', 'verbose'],
    ['TRUST_PROXY', 'maybe'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '100'],
    ['BODY_LIMIT_BYTES', '10'],
    ['BODY_LIMIT_BYTES', '1kb'],
  ])('%s=%j stops with one line naming the variable', (variable, value) => {
    // A valid partner for the variables that come in pairs, so the error is about `variable`.
    const partner: EnvInput =
      variable === 'BEATS_URL' ? { BEATS_PUBLIC_KEY: KEY } : variable === 'BEATS_PUBLIC_KEY' ? { BEATS_URL: 'https://b.example' } : {};
    const err = configError({ ...partner, [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('quotes a bad plain value', () => {
    expect(configError({ ANCHOR_INTERVAL_MS: 'abc' }).message).toContain('"abc"');
  });

  it.each([
    ['BEATS_SIGNING_SEED', 'zz'.repeat(32)],
    ['ADMIN_TOKEN', 'tiny-secret'],
    ['REGISTRATION_SECRET', 'secret with spaces'],
    ['DATABASE_URL', 'mysql://user:hunter2@db'],
  ])('never echoes the value of secret %s', (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.message).not.toContain(value);
    expect(err.message).not.toContain('hunter2');
  });

  it('BEATS_URL needs a pinned BEATS_PUBLIC_KEY, and the reverse', () => {
    expect(configError({ BEATS_URL: 'https://b.example' }).variable).toBe('BEATS_PUBLIC_KEY');
    expect(configError({ BEATS_PUBLIC_KEY: KEY }).variable).toBe('BEATS_URL');
  });

  it('HEADERS_TIMEOUT_MS may not exceed REQUEST_TIMEOUT_MS (Node refuses that server)', () => {
    expect(configError({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '4000' }).variable).toBe('HEADERS_TIMEOUT_MS');
    expect(configError({ HEADERS_TIMEOUT_MS: '40000' }).variable).toBe('HEADERS_TIMEOUT_MS');
    expect(loadConfig({ HEADERS_TIMEOUT_MS: '4000', REQUEST_TIMEOUT_MS: '4000' }).headersTimeoutMs).toBe(4000);
  });
});
