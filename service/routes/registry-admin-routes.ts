// The registry's admin routes (architecture.md): POST /sigil and POST /refuse, mounted inside the admin
// router (/api/v1/admin), behind its ADMIN_TOKEN guard and rate limit.
import { Router } from 'express';
import { z } from 'zod';
import { methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import type { Registry } from '../registry/registry.js';
import { IDENTITY_CLASSES, SIGIL_TIERS } from '../store/agent-repository.js';
import { agentHashSchema } from './registry-schemas.js';

/** A SIGIL segment: it cannot hold `*`, the separator of `name*principal*tier`. */
const segment = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'expected 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/** POST /admin/sigil body. */
export const SigilBody = z.strictObject({
  agent_hash: agentHashSchema,
  sigil_name: segment,
  principal: segment,
  tier: z.enum(SIGIL_TIERS),
  identity_class: z.enum(IDENTITY_CLASSES),
  birth_tx: z.string().regex(/^[\x21-\x7e]{1,128}$/, { error: 'expected 1 to 128 visible ASCII characters' }).optional(),
});

/** POST /admin/refuse body. */
export const RefuseBody = z.strictObject({
  agent_hash: agentHashSchema,
  refused: z.boolean(),
  reason: z.string().min(1).max(500).optional(),
});

/** The registry admin routes over `registry` (the guard is the admin router's). */
export function registryAdminRoutes(deps: { registry: Registry }): Router {
  const { registry } = deps;
  const router = Router();

  router.post('/sigil', async (req, res) => {
    const body = parseBody(SigilBody, req);
    const result = await registry.admin.issueSigil({
      agentHash: body.agent_hash, sigilName: body.sigil_name, principal: body.principal, tier: body.tier,
      identityClass: body.identity_class, birthTx: body.birth_tx,
    });
    req.log.info({ agent_hash: body.agent_hash, sigil: result.sigil.sigil }, 'sigil issued');
    res.json(result);
  });
  router.all('/sigil', methodNotAllowed(['POST', 'OPTIONS']));

  router.post('/refuse', async (req, res) => {
    const body = parseBody(RefuseBody, req);
    const result = await registry.admin.setRefused(body.agent_hash, body.refused, body.reason);
    req.log.info({ agent_hash: body.agent_hash, refused: body.refused }, 'heartbeat refusal flag set');
    res.json(result);
  });
  router.all('/refuse', methodNotAllowed(['POST', 'OPTIONS']));

  return router;
}
