// The registry's routes (mounted at /api/v1; the seed pages 000–004): registration, the beat chain, spawn,
// wallets, key rotation, sponsorship and the public status lookups. Bodies and params from the routes' zod schemas.
import { WalletBody } from '../routes/registry-account-routes.js';
import { BeatsSubmitBody, HeartbeatBody, RegisterBody, ResyncBody } from '../routes/registry-agent-routes.js';
import { EmptyBody, HashParams } from '../routes/registry-schemas.js';
import { SpawnBody } from '../routes/registry-spawn-routes.js';
import { RevokeBody, SponsorBody } from '../routes/registry-sponsor-routes.js';
import { errorResponse, jsonResponse, ref } from './components.js';
import type { Area, JsonSchema, ResponseObject } from './types.js';

const TAG = 'registry';
/** Every /api/v1/agent/* route but beat-status: the agent's API key. */
const AGENT_KEY = [{ agentKey: [] }];
const AUTH = { 401: ref('responses', 'AuthMissing') };
const RATE_LIMITED = { 429: ref('responses', 'RateLimited') };

/** A 200 (or 201) JSON object answer described in words: its fields are listed in README.md, *The registry*. */
function ok(description: string, required: string[] = ['ok']): ResponseObject {
  return jsonResponse(description, { type: 'object', required, properties: Object.fromEntries(required.map((k) => [k, k === 'ok' ? { const: true } : {}])) });
}

const BEAT_STATUS_NOT_FOUND: JsonSchema = {
  type: 'object',
  description: 'Seed 001\'s exact 404 body: no error code.',
  required: ['agent_hash', 'beat_initialized', '_message'],
  properties: { agent_hash: { type: 'string' }, beat_initialized: { const: false }, _message: { type: 'string' } },
};

/** The registry routes. */
export const registryArea: Area = {
  tag: { name: TAG, description: 'The agent registry: agents, heartbeats, receipts as payment, spawn, wallets, sponsorship, status.' },
  routes: [
    {
      method: 'post', path: '/api/v1/register', operationId: 'register', tag: TAG, body: RegisterBody,
      security: [{}, { registrationSecret: [] }, { agentKey: [] }],
      summary: 'Register a root agent, or a child with its parent\'s key (10/min per IP)',
      description:
        'A root: `{name, metadata?}`, with `x-registration-secret` when REGISTRATION_SECRET is set. A child: the parent\'s ' +
        '`Authorization: Bearer` key and `{name, spawn_authorization}` (from POST /agent/spawn) or the peer SDK\'s `{name, parent}`. ' +
        'The API key in the answer is shown once.',
      responses: {
        201: ok('`{ok, hash, api_key, name, type, parent, depth, metadata, registered_at}`.', ['ok', 'hash', 'api_key']),
        ...AUTH,
        403: ref('responses', 'Forbidden'),
        409: errorResponse('SPAWN_CONFLICT (with `reason`): the authorization is used, expired, another parent\'s or another name\'s.'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/init', operationId: 'initChain', tag: TAG, security: AGENT_KEY, body: EmptyBody,
      summary: 'Create the agent\'s beat chain (genesis), once',
      responses: {
        200: ok('Already initialized: `{ok, already_initialized:true, genesis_hash, total_beats, status, …}`.'),
        201: ok('`{ok, genesis:{hash, prev, timestamp}, difficulty, status}`.'),
        ...AUTH,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/heartbeat', operationId: 'heartbeat', tag: TAG, security: AGENT_KEY, body: HeartbeatBody,
      summary: 'One heartbeat per anchor, paid by a sponsor when `payer` names one',
      description: '`payer_signature` needs `payer`. The peer SDK\'s `payment_tx`, `global_anchor` and `sponsored_by` are accepted and ignored.',
      responses: {
        200: ok('`{ok, agent_hash, anchor_index, current_beat, …, status, sponsor}`.', ['ok', 'agent_hash', 'anchor_index']),
        ...AUTH,
        402: errorResponse('PAYMENT_REQUIRED (with `reason`).'),
        403: errorResponse('AGENT_FROZEN, HEARTBEAT_REFUSED (with `reason`) or SIGIL_REQUIRED.'),
        409: errorResponse('AGENT_WRONG_STATE: no beat chain yet.'),
        429: errorResponse('HEARTBEAT_TOO_SOON or VOLUME_CAP_REACHED (with `retry_after_ms`).'),
      },
    },
    {
      method: 'post', path: '/api/v1/agent/beats/submit', operationId: 'submitBeats', tag: TAG, security: AGENT_KEY, body: BeatsSubmitBody,
      summary: 'Credit a Beats receipt\'s work to the agent\'s lifetime and available beats',
      responses: {
        200: ok('The credited and resulting beat counts.'),
        ...AUTH,
        402: errorResponse('INVALID_RECEIPT (with `reason`).'),
        403: errorResponse('AGENT_FROZEN.'),
      },
    },
    {
      method: 'post', path: '/api/v1/agent/resync', operationId: 'resync', tag: TAG, security: AGENT_KEY, body: ResyncBody,
      summary: 'Bring a frozen agent back, paid with a Beats receipt (10/hour per IP)',
      responses: {
        200: ok('`{ok, agent_hash, status:\'active\', last_global_sync, gap_anchors, required_beats, beats_proven, receipt_based}`.'),
        ...AUTH,
        402: errorResponse('RECEIPT_REQUIRED (with `required_beats`, `gap_anchors`) or INVALID_RECEIPT (with `reason`).'),
        409: errorResponse('AGENT_WRONG_STATE: the agent is not frozen, or has no chain.'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/spawn', operationId: 'spawn', tag: TAG, security: AGENT_KEY, body: SpawnBody,
      summary: 'Probe, pay for or finalize a child (5 authorizations/hour per parent)',
      description:
        '`{child_name}` probes the price (402, or an authorization paid from available beats); `{child_name, beats_receipt}` pays; ' +
        '`{child_hash, child_name?}` finalizes (no receipt).',
      responses: {
        200: ok('An authorization `{ok, eligible:true, spawn_authorization, …, expires_at}` or the finalized lineage.'),
        400: errorResponse('VALIDATION, INVALID_JSON or INSUFFICIENT_BEATS (with `required_beats`, `beats_verified`).'),
        ...AUTH,
        402: errorResponse('RECEIPT_REQUIRED (with `required_beats`, `depth`, `siblings`) or INVALID_RECEIPT.'),
        403: errorResponse('AGENT_FROZEN.'),
        404: errorResponse('AGENT_NOT_FOUND: finalize of an unknown child.'),
        409: errorResponse('SPAWN_CONFLICT (with `reason`).'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/wallet', operationId: 'linkWallet', tag: TAG, security: AGENT_KEY, body: WalletBody,
      summary: 'Get a wallet challenge, or link an Ed25519 wallet by signing it (30/hour per agent)',
      description: '`{action:\'challenge\'}` alone, or `{wallet, signature, challenge?}`.',
      responses: {
        200: ok('`{ok, challenge, expires_at}` or `{ok, agent_hash, wallet, wallet_chain, wallet_model, linked_at}`.'),
        ...AUTH,
        ...RATE_LIMITED,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/key/rotate', operationId: 'rotateApiKey', tag: TAG, security: AGENT_KEY, body: EmptyBody,
      summary: 'Replace the agent\'s API key; the old one is refused at once (10/hour per agent)',
      responses: {
        200: ok('`{ok, agent_hash, api_key, rotated_at, sponsorships_revoked}`; the new key is shown once.', ['ok', 'api_key']),
        ...AUTH,
        ...RATE_LIMITED,
      },
    },
    {
      method: 'post', path: '/api/v1/agent/sponsor', operationId: 'sponsor', tag: TAG, security: AGENT_KEY, body: SponsorBody,
      summary: 'Create, update or reactivate a sponsorship of a direct child (10/hour per agent)',
      responses: {
        200: ok('`{ok, sponsorship:{parent_hash, child_hash, status, max_heartbeats_epoch, …}}`.', ['ok', 'sponsorship']),
        400: errorResponse('VALIDATION, INVALID_JSON or SPONSOR_INVALID: not a direct child.'),
        ...AUTH,
        403: errorResponse('WALLET_REQUIRED or SPONSOR_PARENT_FROZEN.'),
        404: errorResponse('AGENT_NOT_FOUND.'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'delete', path: '/api/v1/agent/sponsor', operationId: 'revokeSponsorship', tag: TAG, security: AGENT_KEY, body: RevokeBody,
      summary: 'Revoke the sponsorship of a child (60/min per agent)',
      responses: {
        200: ok('`{ok, revoked:true, …}`.'),
        ...AUTH,
        404: errorResponse('SPONSOR_NOT_FOUND: none is active.'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'get', path: '/api/v1/agent/sponsor', operationId: 'listSponsorships', tag: TAG, security: AGENT_KEY,
      summary: 'Every sponsorship the agent made (60/min per agent)',
      responses: { 200: ok('The sponsorships, each with its status.'), ...AUTH, ...RATE_LIMITED },
    },
    {
      method: 'get', path: '/api/v1/status/:hash', operationId: 'agentStatus', tag: TAG, params: HashParams,
      summary: 'An agent\'s public status (seed 002; 60/min per IP; CORS `*`)',
      responses: {
        200: jsonResponse('`{exists:true, status, hash, type, depth, name, …}`.', { type: 'object', required: ['exists', 'status', 'hash'] }),
        400: ref('responses', 'Validation'),
        404: errorResponse('AGENT_NOT_FOUND (with `exists:false`, `status:\'not_found\'`, `hash`).'),
        ...RATE_LIMITED,
      },
    },
    {
      method: 'get', path: '/api/v1/agent/beat-status/:hash', operationId: 'beatStatus', tag: TAG, params: HashParams,
      summary: 'An agent\'s beat chain, public (seed 001; 60/min per IP; CORS `*`)',
      responses: {
        200: jsonResponse('`{agent_hash, beat_initialized:true, …}`.', { type: 'object', required: ['agent_hash', 'beat_initialized'] }),
        400: ref('responses', 'Validation'),
        404: jsonResponse('No such agent or no beat chain: seed 001\'s body, not the error shape.', BEAT_STATUS_NOT_FOUND),
        ...RATE_LIMITED,
      },
    },
  ],
};
