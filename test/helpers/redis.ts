// The machine's Redis for the suites that need one: `TEST_REDIS_URL`, default the local server. Suites
// are skipped when it is unreachable, except in CI, where they fail. Each test takes its own key prefix.
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';

/** The Redis server the suites use. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis cannot be used, or undefined when it answered PING. */
export const redisUnavailable: string | undefined = await probeRedis(TEST_REDIS_URL);

/** True when Redis suites should be skipped (unreachable, and not in CI). */
export const skipWithoutRedis = redisUnavailable !== undefined && process.env.CI !== 'true';

/** Throws when Redis is unreachable (call in beforeAll of a suite that is not skipped). */
export function requireRedis(): void {
  if (redisUnavailable !== undefined) throw new Error(`Redis is required in CI but unreachable at ${TEST_REDIS_URL}: ${redisUnavailable}`);
}

/** A fresh key prefix, so concurrent suites never share counters. */
export function testKeyPrefix(label: string): string {
  return `beats-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A plain PING over a socket (no client library), with a 2 s limit. */
async function probeRedis(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(2_000, () => done('timed out'));
    socket.once('error', (error) => done(error.message));
    socket.connect(Number(port || 6379), hostname.replace(/^\[|\]$/g, ''), () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? undefined : `answered ${JSON.stringify(data.toString().trim())}`));
  });
}
