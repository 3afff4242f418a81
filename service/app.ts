// createApp(deps): the Express app with the middleware every route stands on. It never listens
// (service/main does), so tests drive it with supertest.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';
import type { Config } from './config.js';
import { AppError, errorHandler, methodNotAllowed, notFoundHandler } from './errors.js';
import { requestLogger, type Logger } from './logger.js';
import { createAppMetrics, type AppMetrics } from './metrics/app-metrics.js';
import { httpMetrics, metricsHandler, receiptMetrics } from './metrics/metrics-middleware.js';
import { MemoryRateLimitStore, RATE_LIMIT_CONTEXT, type RateLimitContext, type RateLimitStore } from './rate-limit.js';
import { adminRoutes } from './routes/admin-routes.js';
import { anchorRoutes } from './routes/anchor-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { openapiRoutes } from './routes/openapi-routes.js';
import { registryAdminRoutes } from './routes/registry-admin-routes.js';
import { registryAccountRoutes } from './routes/registry-account-routes.js';
import { registryAgentRoutes } from './routes/registry-agent-routes.js';
import { registrySpawnRoutes } from './routes/registry-spawn-routes.js';
import { registrySponsorRoutes } from './routes/registry-sponsor-routes.js';
import { registryStatusRoutes } from './routes/registry-status-routes.js';
import { timestampRoutes } from './routes/timestamp-routes.js';
import { webRoutes } from './routes/web-routes.js';
import { workProofRoutes } from './routes/work-proof-routes.js';
import type { Services } from './services.js';

/** A router and the path it is mounted at. */
export interface MountedRouter {
  path: string;
  router: Router;
}

/** What createApp is built from. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  /** The Beats service and the registry (anchors, keys, work proofs, timestamps, agents, admin); see services.ts. */
  services?: Services;
  /** Mounted in order after the built-in routes, before the 404 handler. */
  routers?: MountedRouter[];
  /** Rate-limit counters shared by every limiter (default: in memory, per process). */
  rateLimitStore?: RateLimitStore;
  /** Version reported by `/api/health` (default: this package's version). */
  version?: string;
  /** Also Node's process metrics on GET /metrics (the process's one app: main.ts); default false. */
  processMetrics?: boolean;
}

/** `app.locals` key: true once the process drains (SIGTERM); new requests then get 503 SHUTTING_DOWN. */
export const DRAINING = 'draining';
/** `app.locals` key of the app's AppMetrics. */
export const METRICS = 'metrics';

/** While draining: 503 SHUTTING_DOWN with `Connection: close`, so clients move to another instance. */
const refuseWhileDraining: RequestHandler = (req, res, next) => {
  if (req.app.locals[DRAINING] !== true) return next();
  res.setHeader('Connection', 'close');
  next(new AppError('SHUTTING_DOWN', undefined, { retry_after_ms: 1000 }));
};

/** Paths that answer cross-origin requests: the peer's public Beats routes (peer-protocol §3), the public status lookups and the OpenAPI document. */
export const PUBLIC_CORS_PATHS = ['/api/v1/beat', '/api/health', '/api/v1/status', '/api/v1/agent/beat-status', '/openapi.json'];

/** CORS for public routes: `*` origin, GET/POST, Content-Type/Authorization; OPTIONS → 204. */
export const publicCors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
};

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True when the request carries a body (chunked, or a Content-Length above 0). */
function hasBody(req: express.Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/** 415 UNSUPPORTED_MEDIA_TYPE for a POST/PUT/PATCH/DELETE body that is not application/json (peer §3 row 1). */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (BODY_METHODS.has(req.method) && hasBody(req) && !req.is('application/json')) {
    return next(new AppError('UNSUPPORTED_MEDIA_TYPE'));
  }
  next();
};

/** This package's version, from the nearest package.json named `beats` (source or dist layout). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'beats' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not here: try the parent.
    }
  }
  return '0.0.0';
}

/** The Beats service's and the registry's routes and where they are mounted (architecture: HTTP surface). */
function serviceRouters(services: Services, config: Config, metrics: AppMetrics): MountedRouter[] {
  const { keyring, reader, engine, registry } = services;
  const workProof = metrics.timeWorkProof(services.workProof);
  return [
    { path: '/api/v1/beat', router: anchorRoutes({ reader, keyring, intervalMs: config.anchorIntervalMs }) },
    { path: '/api/v1/beat', router: keyRoutes({ keyring }) },
    { path: '/api/v1/beat', router: workProofRoutes({ service: workProof, engine, bodyLimitBytes: config.bodyLimitBytes }) },
    {
      path: '/api/v1/beat',
      router: timestampRoutes({
        head: async () => (await reader.head())?.anchor,
        anchorKey: () => keyring.active('anchor'),
      }),
    },
    {
      path: '/api/v1/admin',
      router: adminRoutes({ keyring, adminToken: config.adminToken, routers: [registryAdminRoutes({ registry })] }),
    },
    // Public lookups first: GET /agent/beat-status/:hash needs no API key, every other /agent/* route does.
    { path: '/api/v1', router: registryStatusRoutes({ registry }) },
    // Spawn, sponsorship and account routes authenticate per route; then the rest of /agent/* (one auth for all).
    { path: '/api/v1', router: registrySpawnRoutes({ registry }) },
    { path: '/api/v1', router: registrySponsorRoutes({ registry }) },
    { path: '/api/v1', router: registryAccountRoutes({ registry }) },
    { path: '/api/v1', router: registryAgentRoutes({ registry, registrationSecret: config.registrationSecret }) },
  ];
}

/** The service's Express app: ids, logs, CORS, JSON bodies, health, the service routes, `deps.routers`, 404, errors. */
export function createApp(deps: AppDeps): express.Application {
  const { config, logger } = deps;
  const version = deps.version ?? packageVersion();
  const app = express();

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const rateLimitContext: RateLimitContext = {
    enabled: config.rateLimits,
    store: deps.rateLimitStore ?? deps.services?.rateLimitStore ?? new MemoryRateLimitStore(),
  };
  app.locals[RATE_LIMIT_CONTEXT] = rateLimitContext;
  const metrics = createAppMetrics({ services: deps.services, logger, processMetrics: deps.processMetrics });
  app.locals[METRICS] = metrics;

  app.use(requestLogger(logger));
  app.use(httpMetrics(metrics));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  // Before body checks, so preflights and error answers on public routes carry CORS headers.
  app.use(PUBLIC_CORS_PATHS, publicCors);
  app.use(refuseWhileDraining);
  app.use(requireJsonBody);
  app.use(express.json({ limit: config.bodyLimitBytes, type: 'application/json' }));

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, version, uptime_s: Math.floor(process.uptime()) });
  });
  app.all('/api/health', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  app.get('/metrics', metricsHandler(metrics));
  app.all('/metrics', methodNotAllowed(['GET', 'HEAD']));
  app.use(openapiRoutes({ version, withServices: deps.services !== undefined }));
  app.use(receiptMetrics(metrics));

  if (deps.services) for (const { path, router } of serviceRouters(deps.services, config, metrics)) app.use(path, router);
  for (const { path, router } of deps.routers ?? []) app.use(path, router);
  // The page at `/` (built into dist/web by npm install); after every API route.
  if (deps.services) app.use('/', webRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
