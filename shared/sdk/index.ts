// The client SDK (Node and browsers): the Beats client and proveWork; the registry client joins later.
export { BeatsClient, type BeatsClientOptions, type KeysetEntry, type AnchorResponse, type WorkProofAnswer } from './beats-client.js';
export { proveWork, type ProveWorkParams, type ProvedWork } from './prove-work.js';
export { AnchorVerificationError, BeatsApiError, ProofRejectedError, ReceiptVerificationError } from './errors.js';
export { requestJson, sleep, type HttpOptions } from './http.js';
