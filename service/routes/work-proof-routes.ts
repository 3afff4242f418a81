// GET|POST /work-proof and POST /verify (mounted at /api/v1/beat). Thin: parse, call the service, render.
import { Router } from 'express';
import { z } from 'zod';
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import type { VerifyingEngine } from '../../shared/proof-engine.js';
import { AppError, methodNotAllowed } from '../errors.js';
import { parseInput } from '../http-schema.js';
import { clientIp, rateLimit } from '../rate-limit.js';
import { V1_LIMITS } from '../work-proof/v1-limits.js';
import type { WorkProofService } from '../work-proof/work-proof-service.js';

/** Per-IP limits of the work-proof routes (the peer's 10/min for /work-proof). */
export const WORK_PROOF_RATE = { limit: 10, windowMs: 60_000 };
export const VERIFY_RATE = { limit: 30, windowMs: 60_000 };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters');
/** One beat to check at POST /verify. */
export const BeatCheckBody = z.strictObject({
  prev: hex64,
  index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  difficulty: z.number().int().min(1).max(V1_LIMITS.maxDifficulty),
  hash: hex64,
  anchor_hash: hex64.optional(),
  nonce: z.string().max(V1_LIMITS.maxNonceLength).optional(),
});

/** The work-proof routes over `service`; `engine` recomputes single beats for /verify. */
export function workProofRoutes(deps: { service: WorkProofService; engine: VerifyingEngine; bodyLimitBytes: number }): Router {
  const { service, engine } = deps;
  const router = Router();

  router.get('/work-proof', (_req, res) => {
    res.json({ ...service.describe(deps.bodyLimitBytes), rate_limit: { per_ip: WORK_PROOF_RATE } });
  });

  router.post('/work-proof', rateLimit({ name: 'work-proof', ...WORK_PROOF_RATE, key: clientIp }), async (req, res) => {
    res.json(await service.submit(req.body));
  });

  router.post('/verify', rateLimit({ name: 'verify', ...VERIFY_RATE, key: clientIp }), async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && 'beat' in body) {
      const beat = parseInput(BeatCheckBody, body.beat, 'body');
      const out = await engine.batch({ prevs: hexToBytes(beat.prev), indices: [beat.index], difficulty: beat.difficulty, anchorHash: beat.anchor_hash ?? '', nonce: beat.nonce });
      const computed = bytesToHex(out);
      res.json(computed === beat.hash ? { valid: true, mode: 'beat' } : { valid: false, mode: 'beat', reason: 'hash_mismatch', computed });
      return;
    }
    if (!body || typeof body !== 'object' || !('work_proof' in body)) {
      throw new AppError('VALIDATION', 'expected {beat:{…}} or {work_proof:{…}}', { field: 'body' });
    }
    const outcome = await service.check(body);
    res.json(outcome.valid ? { valid: true, mode: 'proof', checked: outcome.receipt } : { valid: false, mode: 'proof', reason: outcome.reason });
  });
  router.all('/work-proof', methodNotAllowed(['GET', 'HEAD', 'POST', 'OPTIONS']));
  router.all('/verify', methodNotAllowed(['POST', 'OPTIONS']));

  return router;
}
