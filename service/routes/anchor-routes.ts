// GET /anchor and GET /anchor/:index in the peer's shape (protocol A2; peer-protocol §2), mounted at /api/v1/beat.
import { Router } from 'express';
import { z } from 'zod';
import type { Anchor } from '../../shared/anchor.js';
import { encodeBase58 } from '../../shared/base58.js';
import type { AnchorReader, StoredAnchor } from '../anchors/anchor-reader.js';
import { AppError, methodNotAllowed } from '../errors.js';
import { parseParams } from '../http-schema.js';
import type { Keyring } from '../keys/keyring.js';

/** What the anchor routes read from. */
export interface AnchorRoutesDeps {
  reader: AnchorReader;
  keyring: Keyring;
  /** The anchor period (ANCHOR_INTERVAL_MS). */
  intervalMs: number;
}

/** The body of `GET /anchor`: the anchor, the signature over it, and when the next is due. */
export interface AnchorResponse {
  anchor: Anchor | null;
  /** `public_key` is base58, as the peer serves it; clients verify with the key from `/key`, matched by `kid`. */
  receipt: { signature: string; public_key: string | null; kid: string } | null;
  anchor_interval_sec: number;
  /** ISO-8601; null before the first anchor. */
  next_anchor_at: string | null;
}

/** `{index}` of GET /anchor/:index. */
export const IndexParams = z.object({
  index: z
    .string()
    .regex(/^[0-9]{1,16}$/, { error: 'expected a non-negative integer' })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: 'expected a safe integer' }),
});

/** The anchor routes: the head and any past anchor, each with its receipt. */
export function anchorRoutes(deps: AnchorRoutesDeps): Router {
  const { reader, keyring, intervalMs } = deps;
  const router = Router();

  /** The response for `stored`; the key named is the one that signed it, even after a rotation. */
  async function render(stored: StoredAnchor | undefined): Promise<AnchorResponse> {
    const anchor_interval_sec = intervalMs / 1000;
    if (!stored) return { anchor: null, receipt: null, anchor_interval_sec, next_anchor_at: null };
    let publicKey = keyring.publicKeyFor(stored.kid);
    if (!publicKey) {
      await keyring.refresh(); // signed by a key another instance rotated to
      publicKey = keyring.publicKeyFor(stored.kid);
    }
    return {
      anchor: stored.anchor,
      receipt: { signature: stored.signature, public_key: publicKey ? encodeBase58(publicKey) : null, kid: stored.kid },
      anchor_interval_sec,
      next_anchor_at: new Date(stored.anchor.utc + intervalMs).toISOString(),
    };
  }

  router.get('/anchor', async (_req, res) => {
    res.json(await render(await reader.head()));
  });
  router.all('/anchor', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));

  router.get('/anchor/:index', async (req, res) => {
    const { index } = parseParams(IndexParams, req);
    const stored = await reader.get(index);
    if (!stored) throw new AppError('ANCHOR_NOT_FOUND', undefined, { beat_index: index });
    res.json(await render(stored));
  });
  router.all('/anchor/:index', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));

  return router;
}
