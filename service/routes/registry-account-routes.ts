// An agent's own account, mounted at /api/v1 behind its API key: POST /agent/wallet (challenge, then
// link a wallet) and POST /agent/key/rotate. Thin: parse, call the registry, render.
import { Router } from 'express';
import { z } from 'zod';
import { methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import { rateLimit } from '../rate-limit.js';
import type { Registry } from '../registry/registry.js';
import { agentKey, agentOf, requireAgent } from './registry-agent-routes.js';
import { base58PublicKey, EmptyBody } from './registry-schemas.js';

/** Per-agent limit of POST /agent/wallet (the seeds are silent; this project's choice: challenges are stored). */
export const WALLET_RATE = { limit: 30, windowMs: 60 * 60_000 };
/** Per-agent limit of POST /agent/key/rotate (this project's choice). */
export const KEY_ROTATE_RATE = { limit: 10, windowMs: 60 * 60_000 };

/** POST /agent/wallet body: the key and its signature over the challenge. */
export const WalletBody = z
  .strictObject({
    action: z.literal('challenge').optional(),
    wallet: base58PublicKey.optional(),
    signature: z.string().min(1).max(256).optional(),
    challenge: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lowercase hex characters' }).optional(),
  })
  .refine((b) => b.action === undefined || (b.wallet === undefined && b.signature === undefined && b.challenge === undefined), {
    path: ['action'],
    error: 'a challenge request takes no other field',
  })
  .refine((b) => b.action !== undefined || b.wallet !== undefined, { path: ['wallet'], error: 'wallet is required' })
  .refine((b) => b.action !== undefined || b.signature !== undefined, { path: ['signature'], error: 'signature is required' });


/** The account routes over `registry`. */
export function registryAccountRoutes(deps: { registry: Registry }): Router {
  const { registry } = deps;
  const router = Router();
  const auth = requireAgent(registry);

  router.post('/agent/wallet', auth, rateLimit({ name: 'wallet', ...WALLET_RATE, key: agentKey }), async (req, res) => {
    const body = parseBody(WalletBody, req);
    const agent = agentOf(res);
    if (body.action === 'challenge') {
      res.json(await registry.wallets.challenge(agent));
      return;
    }
    const linked = await registry.wallets.link(agent, { wallet: body.wallet!, signature: body.signature!, challenge: body.challenge });
    req.log.info({ agent_hash: agent.hash, wallet: linked.wallet }, 'wallet linked');
    res.json(linked);
  });
  router.all('/agent/wallet', methodNotAllowed(['POST', 'OPTIONS']));

  router.post('/agent/key/rotate', auth, rateLimit({ name: 'key-rotate', ...KEY_ROTATE_RATE, key: agentKey }), async (req, res) => {
    parseBody(EmptyBody, req);
    const rotated = await registry.agents.rotateKey(agentOf(res));
    req.log.info({ agent_hash: rotated.agent_hash, sponsorships_revoked: rotated.sponsorships_revoked }, 'api key rotated');
    res.json(rotated);
  });
  router.all('/agent/key/rotate', methodNotAllowed(['POST', 'OPTIONS']));

  return router;
}
