// The `spawn_authorization` token (seed 004, step 5): what the registry hands a parent after it paid
// for a child, and takes back at POST /register (step 6).
//
// Format: `<payload>.<mac>`, both base64url without padding. The payload is the JSON of
// `{v: 1, id, parent_hash, child_name, expires_at}` (so the token starts `eyJ`, like the seed's); the
// mac is HMAC-SHA256 over `beats:spawn-authorization:v1.` + the payload text, keyed with
// HKDF-SHA256(root seed, empty salt, "beats:spawn-authorization:v1", 32) — the same derivation as the
// signing keys (protocol A3), so every instance on one root seed accepts every instance's tokens and
// no new secret has to be stored. The token only names an authorization: whether it is unused and
// unexpired is the `spawn_authorizations` row's to say, and that row is consumed once.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveSeed } from '../../shared/signing-keys.js';

/** HKDF info of the spawn-authorization MAC key. */
export const SPAWN_AUTHORIZATION_KEY_INFO = 'beats:spawn-authorization:v1';

/** Domain prefix of the MAC input. */
const MAC_DOMAIN = 'beats:spawn-authorization:v1.';

/** Longest token accepted for parsing (a real one is about 300 characters). */
export const MAX_SPAWN_TOKEN_LENGTH = 1024;

/** What a spawn authorization token carries. */
export interface SpawnClaims {
  v: 1;
  /** The `spawn_authorizations` row: 32 hex. */
  id: string;
  parent_hash: string;
  child_name: string;
  /** Epoch milliseconds. */
  expires_at: number;
}

/** The MAC key of `rootSeed`: HKDF-SHA256(rootSeed, empty salt, "beats:spawn-authorization:v1", 32). */
export function spawnAuthorizationKey(rootSeed: Uint8Array): Uint8Array {
  return deriveSeed(rootSeed, SPAWN_AUTHORIZATION_KEY_INFO);
}

const TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/** Signs and checks spawn authorization tokens with one HMAC key. */
export class SpawnTokens {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new RangeError(`"key" expected at least 32 bytes, got length=${key.length}`);
    this.key = Buffer.from(key);
  }

  /** The token of `claims`. */
  sign(claims: Omit<SpawnClaims, 'v'>): string {
    const body: SpawnClaims = { v: 1, id: claims.id, parent_hash: claims.parent_hash, child_name: claims.child_name, expires_at: claims.expires_at };
    const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The claims of a token this key signed, or undefined for anything else (malformed, forged, other key). */
  verify(token: string): SpawnClaims | undefined {
    if (token.length > MAX_SPAWN_TOKEN_LENGTH) return undefined;
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    const [, payload, mac] = match;
    const presented = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    return isClaims(claims) ? claims : undefined;
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(MAC_DOMAIN + payload, 'utf8').digest();
  }
}

function isClaims(value: unknown): value is SpawnClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.v === 1 && typeof c.id === 'string' && typeof c.parent_hash === 'string' && typeof c.child_name === 'string' &&
    typeof c.expires_at === 'number' && Number.isSafeInteger(c.expires_at)
  );
}
