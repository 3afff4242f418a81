// AppError and the one middleware that renders every error as `{"error", "code", ...details}`
// with the status from shared/error-codes.ts. Unknown errors become 500 INTERNAL with no internals.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { defaultMessageOf, statusOf, type ErrorBody, type ErrorCode } from '../shared/error-codes.js';

/** Extra fields spread into an error body (`retry_after_ms` also sets `Retry-After`). */
export type ErrorDetails = Record<string, unknown>;

/** An error the API answers with as-is: its code picks the status, its details join the body. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message?: string, details?: ErrorDetails) {
    super(message ?? defaultMessageOf(code));
    this.code = code;
    this.status = statusOf(code);
    this.details = details;
  }

  /** The response body: details first, so they can never override `error` or `code`. */
  toBody(): ErrorBody {
    return { ...this.details, error: this.message, code: this.code };
  }
}

/** True when `err` is an AppError. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** body-parser / raw-body error types (their `err.type`) and the code each becomes. */
const BODY_ERROR_CODES: Record<string, ErrorCode> = {
  'entity.parse.failed': 'INVALID_JSON',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  // A body that ended early or disagrees with Content-Length could not be read as JSON.
  'request.aborted': 'INVALID_JSON',
  'request.size.invalid': 'INVALID_JSON',
};

/** Codes for client-error statuses raised by Express internals (http-errors), e.g. a bad %-escape. */
const CLIENT_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * The AppError an error is answered as: AppErrors unchanged, body-parser and other client
 * http-errors by type/status (never a 500 for bad input), anything else `undefined` (internal).
 */
export function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status, statusCode, expose } = err as {
    type?: unknown;
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
  };
  if (typeof type === 'string' && type in BODY_ERROR_CODES) return new AppError(BODY_ERROR_CODES[type]);
  const httpStatus = typeof status === 'number' ? status : statusCode;
  // Only errors that mark themselves as the client's: http-errors sets `expose` on 4xx, and the
  // router tags a URIError (bad %-escape in a path param) with status 400. Other errors carrying a
  // status (say, an upstream's) stay internal.
  const clientMarked = expose === true || err instanceof URIError;
  if (clientMarked && typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
    return new AppError(CLIENT_STATUS_CODES[httpStatus] ?? 'VALIDATION');
  }
  return undefined;
}

/** Seconds for `Retry-After` from a `retry_after_ms` detail (rounded up), or undefined. */
export function retryAfterSeconds(details: ErrorDetails | undefined): number | undefined {
  const ms = details?.retry_after_ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return undefined;
  return Math.ceil(ms / 1000);
}

/** The last middleware: renders any error as the API's error body; logs internals, never sends them. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // Headers already out (a stream broke mid-response): let Express close the connection.
    if (res.headersSent) return next(err);
    const log = req.log ?? logger;
    const appError = toAppError(err);
    if (!appError) {
      log.error({ err, req_id: req.id, method: req.method, path: req.path }, 'unhandled error');
      const internal = new AppError('INTERNAL');
      res.status(internal.status).json(internal.toBody());
      return;
    }
    // Deliberate 5xx answers (OVERLOADED, SHUTTING_DOWN, …) are expected under load: warn, not error.
    if (appError.status >= 500) {
      log[appError.code === 'INTERNAL' ? 'error' : 'warn']({ err: appError, code: appError.code }, 'server error');
    }
    const retryAfter = retryAfterSeconds(appError.details);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(appError.status).json(appError.toBody());
  };
}

/** 404 NOT_FOUND for any request no route answered; mount after every router. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('NOT_FOUND'));
};

/** A handler for `router.all(path, …)` after a path's real methods: 405 with an `Allow` header. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = allowed.map((m) => m.toUpperCase()).join(', ');
  const answersOptions = allow.split(', ').includes('OPTIONS');
  return (req, res, next) => {
    res.setHeader('Allow', allow);
    // RFC 9110 §9.3.7: OPTIONS names the methods (routes with CORS answer preflights before this).
    if (req.method === 'OPTIONS' && answersOptions) {
      res.status(204).end();
      return;
    }
    next(new AppError('METHOD_NOT_ALLOWED'));
  };
}
