// The Beats service's public routes (mounted at /api/v1/beat): anchors, keys, work proofs, /verify, /timestamp.
// Request bodies and params come from the routes' own zod schemas. The work proof itself is the exception: its v2
// schema is private to shared/proof-v2/parse.ts and v1 is parsed by hand (service/work-proof/v1-parse.ts), so its
// shape is written here, without the limits, which GET /work-proof serves.
import { IndexParams } from '../routes/anchor-routes.js';
import { TimestampBody } from '../routes/timestamp-routes.js';
import { BeatCheckBody } from '../routes/work-proof-routes.js';
import { errorResponse, jsonResponse, ref } from './components.js';
import { jsonSchemaOf } from './zod-schema.js';
import type { Area, JsonSchema } from './types.js';

const HEX64: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const TAG = 'beats';

const ANCHOR: JsonSchema = {
  type: 'object',
  description: 'An anchor (protocol A2): hash = SHA256("PROVENONCE_BEATS_V1" ‖ prev_hash ‖ u64be(beat_index) ‖ entropy).',
  required: ['type', 'beat_index', 'hash', 'prev_hash', 'utc', 'difficulty', 'epoch', 'solana_entropy', 'entropy'],
  properties: {
    type: { const: 'anchor' },
    beat_index: { type: 'integer', minimum: 0 },
    hash: HEX64,
    prev_hash: HEX64,
    utc: { type: 'integer', description: 'Epoch milliseconds.' },
    difficulty: { type: 'integer' },
    epoch: { type: 'integer' },
    solana_entropy: { type: 'string', description: 'The 32 entropy bytes, base58.' },
    entropy: HEX64,
  },
};

const SIGNATURE: JsonSchema = {
  type: ['object', 'null'],
  required: ['signature', 'public_key', 'kid'],
  properties: {
    signature: { type: 'string', description: 'Ed25519, base64.' },
    public_key: { type: ['string', 'null'], description: 'The signing key, base58.' },
    kid: { type: 'string' },
  },
};

const ANCHOR_RESPONSE: JsonSchema = {
  type: 'object',
  required: ['anchor', 'receipt', 'anchor_interval_sec', 'next_anchor_at'],
  properties: {
    anchor: { anyOf: [ref('schemas', 'Anchor'), { type: 'null' }], description: 'null before the first anchor.' },
    receipt: SIGNATURE,
    anchor_interval_sec: { type: 'number' },
    next_anchor_at: { type: ['string', 'null'], format: 'date-time' },
  },
};

const PUBLIC_KEY_VIEW: JsonSchema = {
  type: 'object',
  properties: {
    public_key_base58: { type: 'string' }, public_key_hex: HEX64, kid: { type: 'string' },
    signing_context: { type: 'string' }, purpose: { type: 'string' },
  },
};

const KEY_RESPONSE: JsonSchema = {
  type: 'object',
  required: ['public_key_base58', 'public_key_hex', 'kid', 'algorithm', 'keys', 'keyset'],
  properties: {
    public_key_base58: { type: 'string' },
    public_key_hex: HEX64,
    kid: { type: 'string' },
    algorithm: { const: 'Ed25519' },
    keys: { type: 'object', properties: { timestamp: PUBLIC_KEY_VIEW, work_proof: PUBLIC_KEY_VIEW } },
    keyset: {
      type: 'array',
      description: 'Every key ever used, with its validity window: pick the key by kid.',
      items: {
        type: 'object',
        properties: {
          kid: { type: 'string' }, use: { enum: ['anchor', 'work_proof'] }, public_key_hex: HEX64,
          valid_from: { type: 'integer' }, valid_until: { type: ['integer', 'null'] },
        },
      },
    },
    _note: { type: 'string' },
  },
};

const WORK_PROOF: JsonSchema = {
  type: 'object',
  description:
    'v2 (`version: 2`, mode `sampled` or `full`) or v1 (the peer\'s format: no `version`, or 1). Which fields a mode needs, ' +
    'and every limit, are served by GET /api/v1/beat/work-proof; a malformed proof is 400 VALIDATION naming the field.',
  required: ['from_hash', 'to_hash', 'beats_computed', 'difficulty', 'anchor_index', 'anchor_hash'],
  properties: {
    version: { enum: [1, 2] },
    mode: { enum: ['sampled', 'full'], description: 'v2 only.' },
    subject: { ...HEX64, description: 'v2 only.' },
    from_hash: HEX64,
    to_hash: HEX64,
    beats_computed: { type: 'integer', minimum: 1 },
    difficulty: { type: 'integer' },
    anchor_index: { type: 'integer', minimum: 0 },
    anchor_hash: HEX64,
    k: { type: 'integer', description: 'v2 sampled.' },
    challenge_work: { type: 'integer', description: 'v2 sampled.' },
    merkle_root: { ...HEX64, description: 'v2 sampled.' },
    spot_checks: { type: 'array', items: { type: 'object' }, description: 'v1, or v2 sampled (with Merkle audit paths).' },
    beats: { type: 'array', items: HEX64, description: 'v2 full: every beat.' },
  },
};

const RECEIPT: JsonSchema = {
  type: 'object',
  description: 'Ed25519 (base64) over the canonical JSON (top-level keys sorted) of every other field, with the work-proof key.',
  required: ['type', 'version', 'mode', 'assurance', 'beats_verified', 'difficulty', 'anchor_index', 'anchor_hash', 'from_hash', 'to_hash', 'utc', 'kid', 'signature'],
  properties: {
    type: { const: 'work_proof' },
    version: { enum: [1, 2] },
    mode: { enum: ['sampled', 'full', 'v1-spot'] },
    assurance: { type: 'string', description: '`full`, `fs-<k>` or `prover-chosen` (v1).' },
    subject: { type: ['string', 'null'] },
    beats_verified: { type: 'integer' },
    difficulty: { type: 'integer' },
    anchor_index: { type: 'integer' },
    anchor_hash: HEX64,
    from_hash: HEX64,
    to_hash: HEX64,
    merkle_root: { type: ['string', 'null'] },
    utc: { type: 'string', format: 'date-time' },
    kid: { type: 'string' },
    signature: { type: 'string' },
  },
};

/** `{work_proof: {…}}` or the proof itself. */
const WORK_PROOF_BODY: JsonSchema = {
  anyOf: [
    { type: 'object', required: ['work_proof'], properties: { work_proof: ref('schemas', 'WorkProof') } },
    ref('schemas', 'WorkProof'),
  ],
};

const INVALID: JsonSchema = {
  type: 'object',
  required: ['valid', 'reason'],
  properties: { valid: { const: false }, reason: { type: 'string', description: 'A stable reason: `insufficient_difficulty`, `stale_anchor`, `spot_check_failed`, …' } },
};

const VALID_RESPONSE = jsonResponse('`{valid:true, receipt}`, or the peer\'s 200 `{valid:false, reason}` for a logic failure.', {
  oneOf: [
    { type: 'object', required: ['valid', 'receipt'], properties: { valid: { const: true }, receipt: ref('schemas', 'WorkProofReceipt') } },
    INVALID,
  ],
});

const VERIFY_RESPONSE = jsonResponse('What a receipt would say (unsigned), or whether the beat recomputes.', {
  type: 'object',
  required: ['valid', 'mode'],
  properties: {
    valid: { type: 'boolean' },
    mode: { enum: ['beat', 'proof'] },
    checked: { type: 'object', description: 'mode proof, valid: the receipt\'s fields, unsigned.' },
    reason: { type: 'string', description: '`hash_mismatch` (beat) or a work-proof reason.' },
    computed: { ...HEX64, description: 'mode beat, invalid: the hash the beat recomputes to.' },
  },
});

const TIMESTAMP_RESPONSE = jsonResponse('The hash stamped against the newest anchor, signed with the anchor key.', {
  type: 'object',
  required: ['timestamp', 'receipt'],
  properties: {
    timestamp: {
      type: 'object',
      properties: { type: { const: 'timestamp' }, hash: HEX64, anchor_index: { type: 'integer' }, anchor_hash: HEX64, utc: { type: 'integer' } },
    },
    receipt: { ...SIGNATURE, type: 'object' },
  },
});

const RATE_LIMITED = { 429: ref('responses', 'RateLimited') };

/** The Beats routes. */
export const beatsArea: Area = {
  tag: { name: TAG, description: 'The Beats service: signed anchors, keys, work proofs and receipts, timestamps. CORS `*`.' },
  schemas: { Anchor: ANCHOR, WorkProof: WORK_PROOF, WorkProofReceipt: RECEIPT },
  routes: [
    {
      method: 'get', path: '/api/v1/beat/anchor', operationId: 'getAnchor', tag: TAG,
      summary: 'The newest anchor, signed with the anchor key',
      responses: { 200: jsonResponse('The head anchor and its signature; `anchor: null` before the first.', ANCHOR_RESPONSE) },
    },
    {
      method: 'get', path: '/api/v1/beat/anchor/:index', operationId: 'getAnchorByIndex', tag: TAG, params: IndexParams,
      summary: 'A past anchor, for checking a proof\'s anchor offline',
      responses: {
        200: jsonResponse('The anchor and the signature made when it was published.', ANCHOR_RESPONSE),
        400: ref('responses', 'Validation'),
        404: errorResponse('ANCHOR_NOT_FOUND (with `beat_index`).'),
      },
    },
    {
      method: 'get', path: '/api/v1/beat/key', operationId: 'getKeys', tag: TAG,
      summary: 'The public keys (anchor and work-proof) and the keyset with validity windows',
      responses: { 200: jsonResponse('The peer\'s key document plus `kid`s and the `keyset`.', KEY_RESPONSE) },
    },
    {
      method: 'get', path: '/api/v1/beat/work-proof', operationId: 'getWorkProofLimits', tag: TAG,
      summary: 'Every limit of a work proof (v1 public caps, v2 modes, difficulty, k, W, work cap, body and rate limits)',
      responses: { 200: jsonResponse('The limits and the receipt format.', { type: 'object', required: ['public_caps', 'v2'] }) },
    },
    {
      method: 'post', path: '/api/v1/beat/work-proof', operationId: 'submitWorkProof', tag: TAG,
      summary: 'Check a work proof and sign a receipt when it holds (10/min per IP)',
      body: { schema: WORK_PROOF_BODY, required: true },
      responses: { 200: VALID_RESPONSE, ...RATE_LIMITED, 503: ref('responses', 'Unavailable') },
    },
    {
      method: 'post', path: '/api/v1/beat/verify', operationId: 'verify', tag: TAG,
      summary: 'Check one beat, or a proof without signing a receipt (30/min per IP)',
      body: {
        schema: {
          description: 'One beat to recompute, or a work proof to check; `beat` is read first when both are sent.',
          anyOf: [
            { type: 'object', required: ['beat'], properties: { beat: jsonSchemaOf(BeatCheckBody) } },
            { type: 'object', required: ['work_proof'], properties: { work_proof: ref('schemas', 'WorkProof') } },
          ],
        },
        required: true,
      },
      responses: { 200: VERIFY_RESPONSE, ...RATE_LIMITED, 503: ref('responses', 'Unavailable') },
    },
    {
      method: 'post', path: '/api/v1/beat/timestamp', operationId: 'timestamp', tag: TAG, body: TimestampBody,
      summary: 'Sign `{hash}` against the current anchor (body ≤ 256 B; 5/min and 10/day per IP)',
      responses: { 200: TIMESTAMP_RESPONSE, ...RATE_LIMITED, 503: ref('responses', 'Unavailable') },
    },
  ],
};
