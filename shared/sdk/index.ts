// The client SDK (Node and browsers): the Beats client, proveWork, and the registry client of one agent.
export { BeatsClient, type BeatsClientOptions, type KeysetEntry, type AnchorResponse, type WorkProofAnswer } from './beats-client.js';
export { proveWork, type ProveWorkParams, type ProvedWork } from './prove-work.js';
export { AnchorVerificationError, BeatsApiError, ProofRejectedError, ReceiptVerificationError } from './errors.js';
export { requestJson, sleep, type HttpOptions } from './http.js';
export { AgentClient, registerAgent, type AgentCredentials, type HeartbeatLoop, type HeartbeatLoopOptions, type ProvingSetup } from './agent-client.js';
