// The admin routes (mounted at /api/v1/admin): key rotation and the registry's /sigil and /refuse, all behind
// `Authorization: Bearer <ADMIN_TOKEN>`, 30/min per IP; every one answers 404 NOT_FOUND while ADMIN_TOKEN is unset.
import { RotateKeyBody } from '../routes/admin-routes.js';
import { RefuseBody, SigilBody } from '../routes/registry-admin-routes.js';
import { errorResponse, jsonResponse, ref } from './components.js';
import type { Area, ResponseObject } from './types.js';

const TAG = 'admin';
const GUARDED = {
  401: ref('responses', 'AuthMissing'),
  403: ref('responses', 'Forbidden'),
  429: ref('responses', 'RateLimited'),
};

/** 404: the admin surface is off (NOT_FOUND), and `also` what else answers 404. */
function notFound(also = ''): ResponseObject {
  return errorResponse(`NOT_FOUND: ADMIN_TOKEN is not set${also}.`);
}

/** The admin routes. */
export const adminArea: Area = {
  tag: { name: TAG, description: 'Operator routes: ADMIN_TOKEN as a bearer token; 404 NOT_FOUND when ADMIN_TOKEN is unset.' },
  routes: [
    {
      method: 'post', path: '/api/v1/admin/rotate-key', operationId: 'rotateSigningKey', tag: TAG, security: [{ adminToken: [] }], body: RotateKeyBody,
      summary: 'Rotate the anchor or the work-proof signing key; the old key stays in the keyset',
      responses: {
        200: jsonResponse('`{ok, use, kid, previous_kid, valid_from, keyset}`.', { type: 'object', required: ['ok', 'use', 'kid', 'previous_kid', 'valid_from', 'keyset'] }),
        ...GUARDED,
        404: notFound(),
      },
    },
    {
      method: 'post', path: '/api/v1/admin/sigil', operationId: 'issueSigil', tag: TAG, security: [{ adminToken: [] }], body: SigilBody,
      summary: 'Set an agent\'s SIGIL `name*principal*tier` and identity class',
      responses: {
        200: jsonResponse('`{ok, sigil:{…}}`.', { type: 'object', required: ['sigil'] }),
        ...GUARDED,
        404: notFound(', or AGENT_NOT_FOUND'),
      },
    },
    {
      method: 'post', path: '/api/v1/admin/refuse', operationId: 'setRefused', tag: TAG, security: [{ adminToken: [] }], body: RefuseBody,
      summary: 'Set or clear the complaint flag that refuses an agent\'s heartbeats',
      responses: {
        200: jsonResponse('The agent\'s new flag.', { type: 'object' }),
        ...GUARDED,
        404: notFound(', or AGENT_NOT_FOUND'),
      },
    },
  ],
};
