// Admin routes, mounted at /api/v1/admin: off (404 NOT_FOUND) unless ADMIN_TOKEN is set, then guarded by
// `Authorization: Bearer <ADMIN_TOKEN>` (architecture.md, configuration). POST /rotate-key lives here;
// the registry's /sigil and /refuse are mounted behind the same guard.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import type { Keyring } from '../keys/keyring.js';
import { clientIp, rateLimit } from '../rate-limit.js';

/** What the admin routes need. */
export interface AdminRoutesDeps {
  keyring: Keyring;
  /** ADMIN_TOKEN; undefined turns every admin route off. */
  adminToken: string | undefined;
  /** More admin routes (the registry's /sigil and /refuse), mounted behind the same guard and limit. */
  routers?: Router[];
}

const BEARER = /^Bearer ([\x21-\x7e]+)$/i;

/** POST /admin/rotate-key body. */
export const RotateKeyBody = z.object({ use: z.enum(['anchor', 'work_proof']) }).strict();

/** 404 NOT_FOUND when no token is configured; 401 AUTH_MISSING without a bearer token; 403 FORBIDDEN for a wrong one. */
export function requireAdmin(adminToken: string | undefined): RequestHandler {
  // Compare digests: equal lengths for timingSafeEqual, and the token's length does not leak either.
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (req, _res, next) => {
    if (expected === undefined) return next(new AppError('NOT_FOUND'));
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) return next(new AppError('AUTH_MISSING', 'Missing admin bearer token'));
    if (!timingSafeEqual(digest(match[1]), expected)) return next(new AppError('FORBIDDEN', 'Invalid admin token'));
    next();
  };
}

/** The admin router: the guard, then POST /rotate-key `{use}` and `deps.routers`. */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const { keyring, adminToken } = deps;
  const router = Router();
  // Off first (no limiter answers for a disabled surface), then a cap on guessing, then the guard.
  router.use((_req, _res, next) => next(adminToken === undefined ? new AppError('NOT_FOUND') : undefined));
  router.use(rateLimit({ name: 'admin', limit: 30, windowMs: 60_000, key: clientIp }));
  router.use(requireAdmin(adminToken));

  router.post('/rotate-key', async (req, res) => {
    const { use } = parseBody(RotateKeyBody, req);
    const previous = keyring.active(use);
    const key = await keyring.rotate(use);
    req.log.info({ use, kid: key.kid, previous_kid: previous.kid }, 'signing key rotated');
    res.json({ ok: true, use, kid: key.kid, previous_kid: previous.kid, valid_from: key.validFrom, keyset: keyring.keyset() });
  });
  router.all('/rotate-key', methodNotAllowed(['POST', 'OPTIONS']));
  for (const extra of deps.routers ?? []) router.use(extra);

  return router;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
