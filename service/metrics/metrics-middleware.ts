// The middleware that feeds AppMetrics from HTTP traffic, and GET /metrics. Requests are labelled by
// route pattern (`/api/v1/status/:hash`), never by raw URL, so a scan of random paths cannot grow the
// label set; refused receipts are counted from the answers (402 INVALID_RECEIPT and its reason).
import type { Request, RequestHandler } from 'express';
import type { AppMetrics } from './app-metrics.js';

/** Route label of a request no route matched (404s, static files, answers given by middleware). */
export const UNMATCHED_ROUTE = '<unmatched>';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `res.locals` key of the request's route pattern, once a route matched. */
const ROUTE_PATTERN = 'routePattern';

/** A stored `reason` label: the registry's snake_case reasons, anything else as `other`. */
const REASON = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Records each request's route pattern the moment the router matches a route: the router assigns
 * `req.route` while `req.baseUrl` is still the mount path of the matching router, which it no longer
 * is when an error leaves that router.
 */
function capturePattern(req: Request, locals: Record<string, unknown>): void {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (path !== undefined) locals[ROUTE_PATTERN] = `${req.baseUrl ?? ''}${String(path)}`;
    },
  });
}

/** The route pattern a finished request matched, or UNMATCHED_ROUTE. */
export function routePatternOf(locals: Record<string, unknown>): string {
  const pattern = locals[ROUTE_PATTERN];
  return typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE;
}

/** Counts every request and observes its latency by method, route pattern and status (`aborted` when the client left). */
export function httpMetrics(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    capturePattern(req, res.locals);
    let done = false;
    const record = (finished: boolean) => {
      if (done) return;
      done = true;
      const labels = {
        method: KNOWN_METHODS.has(req.method) ? req.method : 'OTHER',
        route: routePatternOf(res.locals),
        status: finished ? String(res.statusCode) : 'aborted',
      };
      metrics.httpRequests.inc(labels);
      stop(labels);
    };
    res.once('finish', () => record(true));
    res.once('close', () => record(res.writableFinished));
    next();
  };
}

/**
 * Counts refused receipts by the answers: a 402 INVALID_RECEIPT is a refusal with its `reason`, whichever
 * rule refused it. (Spent receipts are counted where they are spent: app-metrics.ts.)
 */
export function receiptMetrics(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      try {
        const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        if (res.statusCode === 402 && answer.code === 'INVALID_RECEIPT') {
          const reason = typeof answer.reason === 'string' && REASON.test(answer.reason) ? answer.reason : 'other';
          metrics.receiptsRefused.inc({ reason });
        }
      } catch {
        // Counting must never change an answer.
      }
      return json(body);
    };
    next();
  };
}

/** GET /metrics: the registry in Prometheus text format. */
export function metricsHandler(metrics: AppMetrics): RequestHandler {
  return async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(text);
  };
}
