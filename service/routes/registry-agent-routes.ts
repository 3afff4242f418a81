// The registry's agent routes, mounted at /api/v1 (seed pages 000, 004; peer-protocol §5): POST
// /register (a root, or a spawned child with its parent's key), then, behind `Authorization: Bearer
// pvn_…`, POST /agent/init, /agent/heartbeat, /agent/beats/submit and /agent/resync. Thin: parse, call
// the registry, render.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import { clientIp, rateLimit } from '../rate-limit.js';
import { secretMatches } from '../registry/agent-credentials.js';
import type { Registry } from '../registry/registry.js';
import type { AgentRecord } from '../store/agent-repository.js';
import { MAX_SPAWN_TOKEN_LENGTH } from '../registry/spawn-token.js';
import { agentHashSchema, base58PublicKey, EmptyBody, nameSchema } from './registry-schemas.js';

/** Per-IP limit of POST /register (the seeds are silent; this project's choice). */
export const REGISTER_RATE = { limit: 10, windowMs: 60_000 };
/** Per-IP limit of POST /agent/resync (seed 000: 10/hour). */
export const RESYNC_RATE = { limit: 10, windowMs: 60 * 60_000 };
/** Largest registration metadata, serialised (peer docs: "4KB serialized"). */
export const MAX_METADATA_BYTES = 4096;

const metadataSchema = z
  .looseObject({})
  .refine((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= MAX_METADATA_BYTES, {
    error: `expected a JSON object of at most ${MAX_METADATA_BYTES} bytes`,
  });

/** POST /register body (seed 000). */
export const RegisterBody = z.strictObject({
  name: nameSchema,
  metadata: metadataSchema.optional(),
  // A child (seed 004 step 6): the token from POST /agent/spawn, with the parent's API key.
  spawn_authorization: z.string().min(1).max(MAX_SPAWN_TOKEN_LENGTH).optional(),
  // The peer SDK's child registration (`{name, parent}` + the parent's key): uses the parent's live authorization for the name.
  parent: agentHashSchema.optional(),
});


/** POST /agent/heartbeat body (seed 000, 003). */
export const HeartbeatBody = z
  .strictObject({
    // Sent by the peer's SDK (peer-protocol §5 `heartbeat`): accepted and ignored.
    payment_tx: z.unknown().optional(),
    global_anchor: z.unknown().optional(),
    sponsored_by: z.unknown().optional(),
    payer: base58PublicKey.optional(),
    payer_signature: z.string().max(256).optional(),
  })
  .refine((b) => b.payer_signature === undefined || b.payer !== undefined, {
    path: ['payer'],
    error: 'payer_signature needs payer',
  })
  .optional();

/** POST /agent/resync body (seed 000). */
export const ResyncBody = z.strictObject({ beats_receipt: z.unknown().optional() }).optional();

/** POST /agent/beats/submit body. */
export const BeatsSubmitBody = z
  .strictObject({ beats_receipt: z.unknown().optional() })
  .refine((b) => b.beats_receipt !== undefined, { path: ['beats_receipt'], error: 'beats_receipt is required' });

/** The agent `requireAgent` authenticated. */
export function agentOf(res: Response): AgentRecord {
  return res.locals.agent as AgentRecord;
}

/** Authenticates `Authorization: Bearer pvn_…` (401 AUTH_MISSING otherwise); `agentOf(res)` is the agent. */
export function requireAgent(registry: Registry): RequestHandler {
  return async (req, res, next) => {
    res.locals.agent = await registry.agents.authenticate(req.headers.authorization);
    next();
  };
}

/** The authenticated agent's hash, for limits counted per agent (after `requireAgent`). */
export function agentKey(req: Request): string {
  return agentOf(req.res as Response).hash;
}

/** The registry's agent routes over `registry`. */
export function registryAgentRoutes(deps: { registry: Registry; registrationSecret: string | undefined }): Router {
  const { registry, registrationSecret } = deps;
  const router = Router();

  /** A root registration needs REGISTRATION_SECRET when it is set (a child's needs its parent's API key instead). */
  const requireRegistrationSecret = (req: Request): void => {
    if (registrationSecret === undefined) return;
    const presented = req.headers['x-registration-secret'];
    if (typeof presented !== 'string' || presented.length === 0) throw new AppError('AUTH_MISSING', 'Missing x-registration-secret header');
    if (!secretMatches(presented, registrationSecret)) throw new AppError('FORBIDDEN', 'Invalid registration secret');
  };

  router.post('/register', rateLimit({ name: 'register', ...REGISTER_RATE, key: clientIp }), async (req, res) => {
    const body = parseBody(RegisterBody, req);
    if (body.spawn_authorization !== undefined || body.parent !== undefined) {
      const parent = await registry.agents.authenticate(req.headers.authorization);
      const child = await registry.spawn.registerChild(parent, {
        name: body.name, metadata: body.metadata, spawnAuthorization: body.spawn_authorization, parentHash: body.parent,
      });
      req.log.info({ parent_hash: parent.hash, child_hash: child.hash }, 'child registered');
      res.status(201).json(child);
      return;
    }
    requireRegistrationSecret(req);
    res.status(201).json(await registry.agents.register({ name: body.name, metadata: body.metadata }));
  });
  router.all('/register', methodNotAllowed(['POST', 'OPTIONS']));

  // Each /agent/* route below needs an agent's API key, checked after the method so that a wrong method is 405.
  const withAgentKey = requireAgent(registry);

  router.post('/agent/init', withAgentKey, async (req, res) => {
    parseBody(EmptyBody, req);
    const result = await registry.chains.init(agentOf(res));
    res.status('already_initialized' in result ? 200 : 201).json(result);
  });
  router.all('/agent/init', methodNotAllowed(['POST', 'OPTIONS']));

  router.post('/agent/heartbeat', withAgentKey, async (req, res) => {
    const body = parseBody(HeartbeatBody, req) ?? {};
    res.json(await registry.chains.heartbeat(agentOf(res), { payer: body.payer, payerSignature: body.payer_signature }));
  });
  router.all('/agent/heartbeat', methodNotAllowed(['POST', 'OPTIONS']));

  router.post('/agent/beats/submit', withAgentKey, async (req, res) => {
    const body = parseBody(BeatsSubmitBody, req);
    res.json(await registry.chains.submitBeats(agentOf(res), body.beats_receipt));
  });
  router.all('/agent/beats/submit', methodNotAllowed(['POST', 'OPTIONS']));

  router.post('/agent/resync', withAgentKey, rateLimit({ name: 'resync', ...RESYNC_RATE, key: clientIp }), async (req, res) => {
    const body = parseBody(ResyncBody, req) ?? {};
    res.json(await registry.chains.resync(agentOf(res), body.beats_receipt));
  });
  router.all('/agent/resync', methodNotAllowed(['POST', 'OPTIONS']));
  // Any other /agent/* path says nothing to a caller without a key (401); with one, the 404 follows.
  router.use('/agent', withAgentKey);

  return router;
}
