// POST, DELETE and GET /agent/sponsor (seed 003), mounted at /api/v1 behind the parent's API key,
// each with its per-agent limit. Thin: parse, call the registry, render.
import { Router } from 'express';
import { z } from 'zod';
import { methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import { rateLimit } from '../rate-limit.js';
import type { Registry } from '../registry/registry.js';
import { MAX_EXPIRES_IN_HOURS, MAX_HEARTBEATS_EPOCH, MIN_EXPIRES_IN_HOURS } from '../registry/sponsorship-service.js';
import { agentKey, agentOf, requireAgent } from './registry-agent-routes.js';
import { agentHashSchema } from './registry-schemas.js';

/** Per-agent limit of POST /agent/sponsor (seed 003: 10/hour). */
export const SPONSOR_POST_RATE = { limit: 10, windowMs: 60 * 60_000 };
/** Per-agent limit of DELETE and of GET /agent/sponsor, each (seed 003: 60/min). */
export const SPONSOR_READ_RATE = { limit: 60, windowMs: 60_000 };

/** POST /agent/sponsor body (seed 003). */
export const SponsorBody = z.strictObject({
  child_hash: agentHashSchema,
  max_heartbeats_epoch: z.number().int().min(1).max(MAX_HEARTBEATS_EPOCH).optional(),
  expires_in_hours: z.number().min(MIN_EXPIRES_IN_HOURS).max(MAX_EXPIRES_IN_HOURS).optional(),
});

/** DELETE /agent/sponsor body (seed 003). */
export const RevokeBody = z.strictObject({ child_hash: agentHashSchema });

/** The sponsorship routes over `registry`. */
export function registrySponsorRoutes(deps: { registry: Registry }): Router {
  const { registry } = deps;
  const router = Router();
  const auth = requireAgent(registry);

  router.post('/agent/sponsor', auth, rateLimit({ name: 'sponsor-post', ...SPONSOR_POST_RATE, key: agentKey }), async (req, res) => {
    const body = parseBody(SponsorBody, req);
    const result = await registry.sponsorships.sponsor(agentOf(res), {
      childHash: body.child_hash, maxHeartbeatsEpoch: body.max_heartbeats_epoch, expiresInHours: body.expires_in_hours,
    });
    req.log.info({ parent_hash: result.sponsorship.parent_hash, child_hash: result.sponsorship.child_hash }, 'sponsorship set');
    res.json(result);
  });

  router.delete('/agent/sponsor', auth, rateLimit({ name: 'sponsor-delete', ...SPONSOR_READ_RATE, key: agentKey }), async (req, res) => {
    const body = parseBody(RevokeBody, req);
    res.json(await registry.sponsorships.revoke(agentOf(res), body.child_hash));
  });

  router.get('/agent/sponsor', auth, rateLimit({ name: 'sponsor-get', ...SPONSOR_READ_RATE, key: agentKey }), async (_req, res) => {
    res.json(await registry.sponsorships.list(agentOf(res)));
  });
  router.all('/agent/sponsor', methodNotAllowed(['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']));

  return router;
}
