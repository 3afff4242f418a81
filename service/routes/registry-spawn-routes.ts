// POST /agent/spawn (seed 004), mounted at /api/v1 behind the parent's API key: the probe
// `{child_name}`, the paid request `{child_name, beats_receipt}` and the finalize `{child_hash}`.
// The child itself is registered by POST /register with `spawn_authorization` (registry-agent-routes).
import { Router } from 'express';
import { z } from 'zod';
import { methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import { hitRateLimit } from '../rate-limit.js';
import type { Registry } from '../registry/registry.js';
import type { SpawnRequest } from '../registry/spawn-service.js';
import { agentKey, agentOf, requireAgent } from './registry-agent-routes.js';
import { agentHashSchema, nameSchema } from './registry-schemas.js';

/** Per-parent limit of authorization-issuing spawn calls (seed 004: 5/hour). */
export const SPAWN_RATE = { limit: 5, windowMs: 60 * 60_000 };

/** POST /agent/spawn body (seed 004). */
export const SpawnBody = z
  .strictObject({
    child_name: nameSchema.optional(),
    child_hash: agentHashSchema.optional(),
    beats_receipt: z.unknown().optional(),
  })
  .refine((b) => b.child_name !== undefined || b.child_hash !== undefined, { path: ['child_name'], error: 'child_name is required' })
  .refine((b) => b.child_hash === undefined || b.beats_receipt === undefined, {
    path: ['beats_receipt'],
    error: 'the finalize call (child_hash) takes no beats_receipt',
  });

/** The spawn route over `registry`. */
export function registrySpawnRoutes(deps: { registry: Registry }): Router {
  const { registry } = deps;
  const router = Router();

  router.post('/agent/spawn', requireAgent(registry), async (req, res) => {
    const body = parseBody(SpawnBody, req);
    const parent = agentOf(res);
    const request: SpawnRequest =
      body.child_hash !== undefined
        ? { kind: 'finalize', childHash: body.child_hash, childName: body.child_name }
        : body.beats_receipt !== undefined
          ? { kind: 'receipt', childName: body.child_name!, receipt: body.beats_receipt }
          : { kind: 'probe', childName: body.child_name! };
    // Counted only when an authorization is about to be issued (probes answered 402 and finalizes are free).
    const beforeIssue = () => hitRateLimit(req, { name: 'spawn', ...SPAWN_RATE, key: agentKey });
    const result = await registry.spawn.spawn(parent, request, { beforeIssue });
    if ('spawn_authorization' in result) {
      req.log.info({ parent_hash: parent.hash, required_beats: result.required_beats, receipt_based: result.receipt_based }, 'spawn authorized');
    }
    res.json(result);
  });
  router.all('/agent/spawn', methodNotAllowed(['POST', 'OPTIONS']));

  return router;
}
