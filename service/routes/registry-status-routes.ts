// Public status lookups, mounted at /api/v1: GET /status/:hash (seed 002) and
// GET /agent/beat-status/:hash (seed 001), 60/min per IP each.
import { Router } from 'express';
import { methodNotAllowed } from '../errors.js';
import { parseParams } from '../http-schema.js';
import { clientIp, rateLimit } from '../rate-limit.js';
import type { Registry } from '../registry/registry.js';
import { HashParams } from './registry-schemas.js';

/** Per-IP limit of each status route (seeds 001, 002). */
export const STATUS_RATE = { limit: 60, windowMs: 60_000 };

/** The status routes over `registry`. */
export function registryStatusRoutes(deps: { registry: Registry }): Router {
  const { registry } = deps;
  const router = Router();

  router.get('/status/:hash', rateLimit({ name: 'status', ...STATUS_RATE, key: clientIp }), async (req, res) => {
    const { hash } = parseParams(HashParams, req);
    res.json(await registry.status.status(hash));
  });
  router.all('/status/:hash', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));

  router.get('/agent/beat-status/:hash', rateLimit({ name: 'beat-status', ...STATUS_RATE, key: clientIp }), async (req, res) => {
    const { hash } = parseParams(HashParams, req);
    const body = await registry.status.beatStatus(hash);
    // Seed 001's 404 carries no error code: it is this exact body.
    res.status(body.beat_initialized ? 200 : 404).json(body);
  });
  router.all('/agent/beat-status/:hash', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));

  return router;
}
