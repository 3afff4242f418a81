// `window.beats`: the page's proof code path for the developer console and for browser tests,
// which compare its proofs with Node's. Nothing here differs from what the Prove button runs.
import type { ProofV2 } from '../../shared/proof-v2/index.js';
import type { ProvedWork } from '../../shared/sdk/index.js';
import type { WorkProofReceipt } from '../../shared/work-proof-receipt.js';
import { buildPageProof, provePageWork, type BuildParams, type ProveContext, type ProveParams } from './prove.js';

/** The console API. */
export interface BeatsConsoleApi {
  /**
   * Proves work against this service, as the Prove button does: verified anchor, chain in the Web
   * Worker, v2 proof, submission, receipt verified in the browser. Resolves `{ receipt, proof, subject }`.
   * `beats` is required; `mode` ('sampled' | 'full', default sampled), `subject` (64 hex, default
   * random), `difficulty` (default the anchor's), `onProgress(done, total, d)` and `signal` are optional.
   */
  proveWork(params: ProveParams): Promise<ProvedWork & { subject: string }>;
  /**
   * Builds a v2 proof offline from a given anchor `{ index, hash }`, subject, beats, difficulty and
   * mode (optional `k`, `challengeWork`), on the Web Worker; nothing is fetched or submitted.
   */
  buildProof(params: BuildParams): Promise<ProofV2>;
  /** Verifies a work-proof receipt with the service's published keyset; resolves true or throws. */
  verifyReceipt(receipt: WorkProofReceipt): Promise<true>;
  /** What these functions do, as text. */
  help(): string;
}

declare global {
  interface Window {
    beats: BeatsConsoleApi;
  }
}

const HELP = `window.beats — the page's proof code path:
  await beats.proveWork({ beats: 20, mode: 'sampled' })       → { receipt, proof, subject } (receipt verified)
      options: mode 'sampled'|'full', subject (64 hex), difficulty, onProgress(done, total, d), signal
  await beats.buildProof({ anchor: { index, hash }, subject, beats, difficulty, mode })  → the v2 proof, offline
  await beats.verifyReceipt(receipt)                          → true, or throws ReceiptVerificationError`;

/** Installs `window.beats` over the page's client and worker engine. */
export function installConsoleApi(ctx: ProveContext): BeatsConsoleApi {
  const api: BeatsConsoleApi = {
    proveWork: (params) => provePageWork(ctx, params),
    buildProof: (params) => buildPageProof(ctx, params),
    async verifyReceipt(receipt) {
      await ctx.client.verifyReceipt(receipt);
      return true;
    },
    help: () => HELP,
  };
  window.beats = Object.freeze(api);
  return api;
}
