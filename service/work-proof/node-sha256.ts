// SHA-256 through Node's OpenSSL for the verifier's Merkle audit paths: on this kind of machine it uses the
// CPU's SHA instructions, about twice as fast per 65-byte node as the portable @noble/hashes the shared code
// defaults to, and the paths run on the service's main thread.
import { hash } from 'node:crypto';
import type { HashFn } from '../../shared/merkle.js';

/** One-shot SHA-256 of `data` (a fresh Buffer each call, as HashFn requires). */
export const nodeSha256: HashFn = (data) => hash('sha256', data, 'buffer');
