// Ed25519 service keys derived from one root seed (protocol A3; peer-protocol §4 "Key derivation").
import nacl from 'tweetnacl';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes } from '@noble/hashes/utils.js';
import { bytesToHex } from './hex.js';
import { utf8Encode } from './base64.js';

/** HKDF info of the key that signs anchors and timestamps (protocol A3). */
export const ANCHOR_KEY_INFO = 'beats:anchor:v1';
/** HKDF info of the key that signs work-proof receipts (protocol A3). */
export const WORK_PROOF_KEY_INFO = 'beats:work-proof:v1';

/** An Ed25519 key pair with its key id. */
export interface SigningKeyPair {
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** tweetnacl's 64-byte secret key (seed ‖ public key). */
  secretKey: Uint8Array;
  /** First 16 hex chars of SHA256(publicKey) (protocol A3). */
  kid: string;
}

/** The service's two key pairs. */
export interface ServiceKeys {
  /** Signs anchors and timestamps. */
  anchor: SigningKeyPair;
  /** Signs work-proof receipts. */
  workProof: SigningKeyPair;
}

/** 32-byte Ed25519 seed = HKDF-SHA256(rootSeed, empty salt, utf8(info), 32) (protocol A3, RFC 5869). */
export function deriveSeed(rootSeed: Uint8Array, info: string): Uint8Array {
  abytes(rootSeed, 32, 'rootSeed');
  if (typeof info !== 'string') throw new TypeError(`"info" expected string, got type=${typeof info}`);
  return hkdf(sha256, rootSeed, new Uint8Array(0), utf8Encode(info), 32);
}

/** Key id of a public key: first 16 hex chars of SHA256(publicKey) (protocol A3). */
export function keyId(publicKey: Uint8Array): string {
  abytes(publicKey, 32, 'publicKey');
  return bytesToHex(sha256(publicKey)).slice(0, 16);
}

/** The Ed25519 key pair whose seed is `deriveSeed(rootSeed, info)`. */
export function deriveKeyPair(rootSeed: Uint8Array, info: string): SigningKeyPair {
  const { publicKey, secretKey } = nacl.sign.keyPair.fromSeed(deriveSeed(rootSeed, info));
  return { publicKey, secretKey, kid: keyId(publicKey) };
}

/** The anchor and work-proof key pairs of `rootSeed` (protocol A3). */
export function deriveServiceKeys(rootSeed: Uint8Array): ServiceKeys {
  return {
    anchor: deriveKeyPair(rootSeed, ANCHOR_KEY_INFO),
    workProof: deriveKeyPair(rootSeed, WORK_PROOF_KEY_INFO),
  };
}
