// POST /timestamp (mounted at /api/v1/beat): sign {hash} against the current anchor.
import { Router } from 'express';
import { z } from 'zod';
import { AppError, methodNotAllowed } from '../errors.js';
import { parseBody } from '../http-schema.js';
import { clientIp, rateLimit } from '../rate-limit.js';
import { stampHash, type TimestampDeps } from '../timestamp/timestamp-service.js';

/** The peer's free tier: 5 per minute and 10 per day per IP; a body of at most 256 bytes. */
export const TIMESTAMP_RATES = { perMinute: 5, perDay: 10, maxBodyBytes: 256 };

/** POST /timestamp body. */
export const TimestampBody = z.strictObject({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters') });

/** The timestamp route. */
export function timestampRoutes(deps: TimestampDeps): Router {
  const router = Router();
  router.post(
    '/timestamp',
    (req, _res, next) => {
      const length = Number(req.headers['content-length'] ?? 0);
      next(length > TIMESTAMP_RATES.maxBodyBytes ? new AppError('PAYLOAD_TOO_LARGE', `The body may hold at most ${TIMESTAMP_RATES.maxBodyBytes} bytes`) : undefined);
    },
    rateLimit({ name: 'timestamp-minute', limit: TIMESTAMP_RATES.perMinute, windowMs: 60_000, key: clientIp }),
    rateLimit({ name: 'timestamp-day', limit: TIMESTAMP_RATES.perDay, windowMs: 86_400_000, key: clientIp }),
    async (req, res) => {
      const { hash } = parseBody(TimestampBody, req);
      res.json(await stampHash(hash, deps));
    },
  );
  router.all('/timestamp', methodNotAllowed(['POST', 'OPTIONS']));
  return router;
}
