// GET /key in the peer's shape (peer-protocol §4) plus `kid` on each key and the `keyset` (protocol A3),
// mounted at /api/v1/beat. Our anchor key plays the peer's "timestamp" key: it signs anchors and timestamps.
import { Router } from 'express';
import { encodeBase58 } from '../../shared/base58.js';
import { bytesToHex } from '../../shared/hex.js';
import { methodNotAllowed } from '../errors.js';
import type { KeysetEntry, Keyring, SigningKey } from '../keys/keyring.js';

/** What the key route reads from. */
export interface KeyRoutesDeps {
  keyring: Keyring;
  /** How stale the keyset may be before a request reloads it (default 5000 ms): rotations by other instances. */
  refreshMs?: number;
}

/** One public key as `/key` lists it. */
export interface PublicKeyView {
  public_key_base58: string;
  public_key_hex: string;
  kid: string;
  /** The HKDF info string the key was derived with. */
  signing_context: string;
  purpose: string;
}

/** The body of `GET /key`. */
export interface KeyResponse {
  public_key_base58: string;
  public_key_hex: string;
  kid: string;
  algorithm: 'Ed25519';
  keys: { timestamp: PublicKeyView; work_proof: PublicKeyView };
  keyset: KeysetEntry[];
  _note: string;
}

const NOTE =
  'Both keys are Ed25519, HKDF-SHA256-derived from one root seed with distinct info strings (signing_context). ' +
  'The top-level key is the timestamp key, which also signs anchors. keyset lists every key ever used with its ' +
  'validity window, so signatures made before a rotation stay verifiable: pick the key by kid.';

/** The key route. */
export function keyRoutes(deps: KeyRoutesDeps): Router {
  const { keyring, refreshMs = 5_000 } = deps;
  const router = Router();

  router.get('/key', async (req, res) => {
    try {
      await keyring.refreshIfStale(refreshMs);
    } catch (error) {
      // The keys already loaded are still true; a store outage must not hide them.
      req.log.warn({ err: error }, 'keyset reload failed; serving the loaded keyset');
    }
    res.json(renderKeys(keyring));
  });
  router.all('/key', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));

  return router;
}

/** The `/key` body of `keyring`'s current keys. */
export function renderKeys(keyring: Keyring): KeyResponse {
  const timestamp = view(keyring.active('anchor'), 'Verify signatures on GET /anchor and POST /timestamp responses');
  const workProof = view(keyring.active('work_proof'), 'Verify signatures on POST /work-proof receipts');
  return {
    public_key_base58: timestamp.public_key_base58,
    public_key_hex: timestamp.public_key_hex,
    kid: timestamp.kid,
    algorithm: 'Ed25519',
    keys: { timestamp, work_proof: workProof },
    keyset: keyring.keyset(),
    _note: NOTE,
  };
}

function view(key: SigningKey, purpose: string): PublicKeyView {
  return {
    public_key_base58: encodeBase58(key.publicKey),
    public_key_hex: bytesToHex(key.publicKey),
    kid: key.kid,
    signing_context: key.derivation,
    purpose,
  };
}
