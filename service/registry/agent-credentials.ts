// Agent identities and API keys (architecture.md, registry): both are 32 CSPRNG bytes, so neither can
// be guessed. The key is shown once at registration and stored only as its SHA-256 digest.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `pvn_` + 43 base64url characters (32 bytes, unpadded). */
export const API_KEY_PATTERN = /^pvn_[A-Za-z0-9_-]{43}$/;

/** `0x` + 64 lowercase hex: how the registry writes agent hashes (protocol, intro). */
export const AGENT_HASH_PATTERN = /^0x[0-9a-f]{64}$/;

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/** A new agent hash: `0x` + hex of 32 CSPRNG bytes. */
export function newAgentHash(): string {
  return '0x' + randomBytes(32).toString('hex');
}

/** A new API key: `pvn_` + base64url of 32 CSPRNG bytes. */
export function newApiKey(): string {
  return 'pvn_' + randomBytes(32).toString('base64url');
}

/** Lowercase hex SHA-256 of an API key: what the store keeps and looks keys up by. */
export function apiKeyDigest(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** True when `apiKey` digests to `storedDigest`, compared in constant time. */
export function apiKeyMatches(apiKey: string, storedDigest: string): boolean {
  const presented = Buffer.from(apiKeyDigest(apiKey), 'hex');
  const stored = Buffer.from(storedDigest, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The API key of an `Authorization: Bearer pvn_…` header, or undefined when absent or malformed. */
export function bearerApiKey(header: string | undefined): string | undefined {
  const match = BEARER.exec(header ?? '');
  return match && API_KEY_PATTERN.test(match[1]) ? match[1] : undefined;
}

/** True when `presented` equals `secret`; constant time in the content (both are digested first). */
export function secretMatches(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}
