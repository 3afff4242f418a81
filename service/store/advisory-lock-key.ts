// PostgreSQL advisory locks are keyed by one bigint per database; names are hashed into that space.

import { createHash } from 'node:crypto';

/** The signed 64-bit advisory-lock key (decimal string, bound as `$1::bigint`) for `name` within `scope`. */
export function advisoryLockKey(scope: string, name: string): string {
  // The scope (the schema) keeps deployments, or parallel test files, sharing one database
  // from contending for each other's locks. NUL cannot occur in either part, so no two pairs collide.
  const digest = createHash('sha256').update(`beats\0${scope}\0${name}`, 'utf8').digest();
  return digest.readBigInt64BE(0).toString();
}
