// Ed25519 signing and verification behind one switch. The default is tweetnacl (pure JS, runs in
// browsers). A runtime with a native implementation installs it with useEd25519Backend: the
// service uses Node's OpenSSL (service/ed25519-node.ts), about 100× faster per call. Ed25519 is
// deterministic (RFC 8032), so every backend gives the same signatures.
import nacl from 'tweetnacl';

/** Sign and verify with 64-byte tweetnacl-form secret keys (seed ‖ public key) and 32-byte public keys. */
export interface Ed25519Backend {
  name: string;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** False, never a throw, for a signature or key that does not verify. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

/** The pure-JS backend every runtime has. */
export const TWEETNACL_BACKEND: Ed25519Backend = {
  name: 'tweetnacl',
  sign: (message, secretKey) => nacl.sign.detached(message, secretKey),
  verify: (message, signature, publicKey) => nacl.sign.detached.verify(message, signature, publicKey),
};

let backend: Ed25519Backend = TWEETNACL_BACKEND;

/** Installs `next` for every later signature and verification in this runtime; returns the previous one. */
export function useEd25519Backend(next: Ed25519Backend): Ed25519Backend {
  const previous = backend;
  backend = next;
  return previous;
}

/** Ed25519 signature of `message` (RFC 8032). */
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return backend.sign(message, secretKey);
}

/** True when `signature` is `publicKey`'s Ed25519 signature of `message` (never for a small-order key). */
export function ed25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64 || isSmallOrder(publicKey)) return false;
  try {
    return backend.verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

// The encodings of the points of order 1, 2, 4 and 8 (libsodium's blocklist, sign bit ignored).
// Under such a "public key" a forged signature verifies for a fraction of all messages (OpenSSL
// accepts the all-zero key and signature for about one in four), so keys that users supply —
// wallets — must not be one of them.
const SMALL_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16)));

/** True when `publicKey` encodes a point of small order (or its sign-flipped twin). */
export function isSmallOrder(publicKey: Uint8Array): boolean {
  return SMALL_ORDER_POINTS.some((point) => point.every((byte, i) => (i === 31 ? (publicKey[i] & 0x7f) === byte : publicKey[i] === byte)));
}
