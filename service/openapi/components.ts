// The document's shared components: the one error body every failure answers with (`{"error", "code",
// ...details}`, codes from shared/error-codes.ts), the common error responses, and the security schemes.
import { ERROR_CODES } from '../../shared/error-codes.js';
import type { JsonSchema, OpenApiDocument, Ref, ResponseObject } from './types.js';

/** A `$ref` to the component `name` of `kind` (`schemas`, `responses`, `headers`). */
export function ref(kind: 'schemas' | 'responses' | 'headers', name: string): Ref {
  return { $ref: `#/components/${kind}/${name}` };
}

/** A response whose body is `schema` as JSON. */
export function jsonResponse(description: string, schema: JsonSchema): ResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** An error response with the shared error body; `description` names the codes and their details. */
export function errorResponse(description: string): ResponseObject {
  return jsonResponse(description, ref('schemas', 'Error'));
}

/** The error body of every failure: message, code, then any details (errors.ts `AppError.toBody`). */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error: `{"error": message, "code": CODE, ...details}`; the code decides the status (shared/error-codes.ts).',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'A human message; clients match on `code`, never on this text.' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    field: { type: 'string', description: 'VALIDATION: the dotted path of the offending input.' },
    reason: { type: 'string', description: 'A stable snake_case reason (INVALID_RECEIPT, PAYMENT_REQUIRED, SPAWN_CONFLICT, …).' },
    retry_after_ms: { type: 'integer', minimum: 0, description: 'When to retry (429 and 503 answers; also `Retry-After`).' },
  },
  additionalProperties: true,
};

/** A retry hint: the response carries `Retry-After` and `retry_after_ms`. */
const RETRY_AFTER = { description: 'Seconds to wait before retrying (rounded up from `retry_after_ms`).', schema: { type: 'integer', minimum: 0 } };

/** The common error responses, referenced by name from the operations. */
const RESPONSES: Record<string, ResponseObject> = {
  Validation: errorResponse('VALIDATION (with `field`) or INVALID_JSON: malformed input.'),
  AuthMissing: errorResponse('AUTH_MISSING: no credentials, or not valid ones.'),
  Forbidden: errorResponse('FORBIDDEN: credentials that do not grant this.'),
  NotFound: errorResponse('NOT_FOUND.'),
  PayloadTooLarge: errorResponse('PAYLOAD_TOO_LARGE: the body is over BODY_LIMIT_BYTES (or the route\'s own limit).'),
  UnsupportedMediaType: errorResponse('UNSUPPORTED_MEDIA_TYPE: a body that is not application/json.'),
  RateLimited: { ...errorResponse('RATE_LIMITED (with `retry_after_ms`).'), headers: { 'Retry-After': ref('headers', 'RetryAfter') } },
  Unavailable: {
    ...errorResponse('OVERLOADED (prover queue full), SHUTTING_DOWN (draining) or ANCHOR_UNAVAILABLE.'),
    headers: { 'Retry-After': ref('headers', 'RetryAfter') },
  },
  Error: errorResponse('Any other failure, as the shared error body (see `code`).'),
};

/** The `components` section of the document. */
export function components(): OpenApiDocument['components'] {
  return {
    schemas: { Error: ERROR_SCHEMA },
    responses: RESPONSES,
    headers: { RetryAfter: RETRY_AFTER },
    securitySchemes: {
      agentKey: { type: 'http', scheme: 'bearer', bearerFormat: 'pvn_…', description: 'An agent\'s API key, shown once at registration.' },
      adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN; without it set every admin route answers 404 NOT_FOUND.' },
      registrationSecret: { type: 'apiKey', in: 'header', name: 'x-registration-secret', description: 'REGISTRATION_SECRET, when set: needed to register a root agent.' },
    },
  };
}
