// The one table of error codes: HTTP status and default message for each `code` the API answers
// with (`{"error": message, "code": CODE, ...details}`). Codes and statuses follow the seed pages
// (shared/seeds) and the peer's work-proof route (peer-protocol §3). Pure: the client SDK imports it.

/** Status and default human message of one error code. */
export interface ErrorCodeInfo {
  readonly status: number;
  readonly message: string;
}

/** Every error code the service answers with, its HTTP status and its default message. */
export const ERROR_CODES = {
  // Malformed requests (any route).
  VALIDATION: { status: 400, message: 'Invalid request' },
  INVALID_JSON: { status: 400, message: 'Invalid JSON body' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body too large' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  ANCHOR_NOT_FOUND: { status: 404, message: 'Anchor not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },

  // Authentication and authorisation.
  AUTH_MISSING: { status: 401, message: 'Missing or invalid API key' },
  FORBIDDEN: { status: 403, message: 'Forbidden' },

  // Agents (seed pages 000-004).
  AGENT_NOT_FOUND: { status: 404, message: 'Agent not found' },
  AGENT_WRONG_STATE: { status: 409, message: 'Agent is not in the required state' },
  AGENT_FROZEN: { status: 403, message: 'Agent is frozen; resync first' },
  RECEIPT_REQUIRED: { status: 402, message: 'Beats receipt required' },
  INVALID_RECEIPT: { status: 402, message: 'Receipt failed validation' },
  INSUFFICIENT_BEATS: { status: 400, message: 'Receipt has fewer beats than required' },
  SPAWN_CONFLICT: { status: 409, message: 'Child already registered or authorization expired' },
  SPAWN_LIMIT_REACHED: { status: 429, message: 'Spawn limit reached' },
  SPONSOR_INVALID: { status: 400, message: 'Child is not a direct child of the parent' },
  WALLET_REQUIRED: { status: 403, message: 'A linked wallet is required' },
  SPONSOR_PARENT_FROZEN: { status: 403, message: 'Parent is frozen' },
  SPONSOR_NOT_FOUND: { status: 404, message: 'No active sponsorship' },
  PAYMENT_REQUIRED: { status: 402, message: 'Payment required' },
  HEARTBEAT_TOO_SOON: { status: 429, message: 'Heartbeat sent too soon' },
  VOLUME_CAP_REACHED: { status: 429, message: 'Heartbeat volume cap reached for this epoch' },
  HEARTBEAT_REFUSED: { status: 403, message: 'Heartbeats are refused for this agent' },
  SIGIL_REQUIRED: { status: 403, message: 'A SIGIL is required' },

  // Capacity and availability.
  RATE_LIMITED: { status: 429, message: 'Too many requests. Please try again later.' },
  OVERLOADED: { status: 503, message: 'Server overloaded; try again later' },
  SHUTTING_DOWN: { status: 503, message: 'Server shutting down' },
  ANCHOR_UNAVAILABLE: { status: 503, message: 'Anchor unavailable' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** One of the API's error codes (UPPER_SNAKE). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error response: message, code, then any details. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
  [detail: string]: unknown;
}

/** True when `value` is a code in the table (own keys only, so `"toString"` is not a code). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** HTTP status of `code`. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** Default human message of `code`. */
export function defaultMessageOf(code: ErrorCode): string {
  return ERROR_CODES[code].message;
}
