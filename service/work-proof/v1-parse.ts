// Structural checks of a v1 work proof, in the peer's order and with its messages (peer-protocol
// §3 rows 3–9); each failure is 400 VALIDATION naming the field. The holes of §7 that are about
// shape are closed here: anchor_hash is required (#4), spot checks need index ≥ 1 (genesis, index 0,
// cannot be checked).
import { AppError } from '../errors.js';
import { V1_LIMITS } from './v1-limits.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** One prover-chosen spot check. */
export interface SpotCheckV1 {
  index: number;
  hash: string;
  prev: string;
  nonce?: string;
}

/** A structurally valid v1 proof (difficulty is checked later: a logic reason, as in the peer). */
export interface ProofV1 {
  from_hash: string;
  to_hash: string;
  beats_computed: number;
  difficulty: unknown;
  anchor_index: number;
  anchor_hash: string;
  spot_checks: SpotCheckV1[];
}

function fail(field: string, message: string): never {
  throw new AppError('VALIDATION', message, { field });
}

function hex64(value: unknown, field: string, message: string): string {
  const lowered = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof lowered !== 'string' || !HEX64.test(lowered)) fail(field, message);
  return lowered;
}

function isInteger(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** The v1 proof in `body` (flat or under `work_proof`), or AppError VALIDATION for the first bad field. */
export function parseProofV1(p: Record<string, unknown>): ProofV1 {
  const from_hash = hex64(p.from_hash, 'from_hash', 'from_hash must be 64 lowercase hex characters');
  const to_hash = hex64(p.to_hash, 'to_hash', 'to_hash must be 64 lowercase hex characters');
  if (!isInteger(p.beats_computed, 1)) fail('beats_computed', 'beats_computed must be a positive integer');
  if (!isInteger(p.anchor_index, 0)) fail('anchor_index', 'anchor_index must be a non-negative integer');
  if (p.anchor_hash === undefined || p.anchor_hash === null) fail('anchor_hash', 'anchor_hash is required: work must be woven with a published anchor');
  const anchor_hash = hex64(p.anchor_hash, 'anchor_hash', 'anchor_hash must be 64 lowercase hex characters when provided');
  const checks = p.spot_checks;
  if (!Array.isArray(checks) || checks.length === 0) fail('spot_checks', 'spot_checks must be a non-empty array');
  if (checks.length > V1_LIMITS.maxSpotChecks) fail('spot_checks', `Too many spot checks (max ${V1_LIMITS.maxSpotChecks})`);
  const spot_checks = checks.map((c: unknown, i: number): SpotCheckV1 => {
    const check = (c ?? {}) as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) fail(`spot_checks.${i}`, `spot_checks[${i}] must be an object`);
    if (!isInteger(check.index, 1)) fail(`spot_checks.${i}.index`, `spot_checks[${i}].index must be a positive integer`);
    const hash = hex64(check.hash, `spot_checks.${i}.hash`, `spot_checks[${i}].hash must be 64 hex characters`);
    const prev = hex64(check.prev, `spot_checks.${i}.prev`, `spot_checks[${i}].prev must be 64 hex characters`);
    const nonce = check.nonce;
    if (nonce !== undefined && nonce !== null && (typeof nonce !== 'string' || nonce.length > V1_LIMITS.maxNonceLength)) {
      fail(`spot_checks.${i}.nonce`, `spot_checks[${i}].nonce must be a string of at most ${V1_LIMITS.maxNonceLength} characters`);
    }
    return { index: check.index as number, hash, prev, ...(typeof nonce === 'string' ? { nonce } : {}) };
  });
  return { from_hash, to_hash, beats_computed: p.beats_computed, difficulty: p.difficulty, anchor_index: p.anchor_index, anchor_hash, spot_checks };
}
