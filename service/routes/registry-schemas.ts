// Request schemas shared by the registry routes.
import { z } from 'zod';
import { decodeBase58 } from '../../shared/base58.js';

/** An agent hash in a path or body: `0x` + 64 hex (either case), normalised to lowercase. */
export const agentHashSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, { error: 'expected 0x followed by 64 hex characters' })
  .transform((s) => s.toLowerCase());

/** A body that must be absent or `{}` (init, key rotation). */
export const EmptyBody = z.strictObject({}).optional();

/** `{hash}` route params. */
export const HashParams = z.object({ hash: agentHashSchema });

/** A base58 Ed25519 public key (32 bytes). */
export const base58PublicKey = z.string().refine(
  (s) => {
    if (s.length < 32 || s.length > 44) return false;
    try {
      return decodeBase58(s).length === 32;
    } catch {
      return false;
    }
  },
  { error: 'expected a base58 Ed25519 public key (32 bytes)' },
);

/** An agent (or child) name: 1 to 64 characters, not blank. */
export const nameSchema = z
  .string()
  .min(1, { error: 'expected 1 to 64 characters' })
  .max(64, { error: 'expected 1 to 64 characters' })
  .refine((s) => s.trim().length > 0, { error: 'expected a non-blank name' });
