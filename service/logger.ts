// JSON logs (pino) with secrets redacted by key name, and the per-request id + access log middleware.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's id (echoed in `x-request-id`). */
      id: string;
      /** A child logger bound to this request's id. */
      log: Logger;
    }
  }
}

/** Replacement for a redacted value. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values never reach a log, anywhere in a logged object: auth headers, cookies,
 * `x-registration-secret`, anything named like a seed, secret, password or token, API keys.
 */
const SECRET_KEY = /authorization|cookie|secret|seed|passw|token|api_?key/i;

/** Objects nested deeper than this are logged as `[depth]` (logs stay small, cycles stay finite). */
const MAX_DEPTH = 8;

/** True for a plain object or array (what redaction walks into; Errors, Buffers, Dates pass through). */
function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `value` with every secret-named key's value replaced by REDACTED (input untouched). */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (!isWalkable(value)) return value;
  if (depth >= MAX_DEPTH) return '[depth]' as T;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out as T;
}

/** The service's pino logger at `config.logLevel`; `destination` defaults to stdout. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'beats' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactSecrets(bindings),
      log: (object) => redactSecrets(object),
    },
    // Errors are not walked by `log` above (their class matters to the serializer); redact after.
    serializers: { err: (err: Error) => redactSecrets({ ...pino.stdSerializers.err(err) }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A client-supplied request id is kept only when it is a short token of safe characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request id for `header`: the client's when safe, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Gives each request `req.id` (from a safe `x-request-id`, else generated) and `req.log`, echoes
 * the id in the `x-request-id` response header, and logs one line when the response ends.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    req.id = requestIdFrom(req.headers['x-request-id']);
    req.log = logger.child({ req_id: req.id });
    res.setHeader('x-request-id', req.id);
    let logged = false;
    const done = (event: 'finish' | 'close') => {
      if (logged) return;
      logged = true;
      const line = {
        method: req.method,
        path: req.originalUrl.split('?')[0], // no query strings in logs
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - start) / 1e6,
        ip: req.ip,
        aborted: event === 'close' && !res.writableFinished ? true : undefined,
      };
      if (res.statusCode >= 500) req.log.error(line, 'request');
      else req.log.info(line, 'request');
    };
    res.once('finish', () => done('finish'));
    res.once('close', () => done('close'));
    next();
  };
}
