// proveWork: fetch the anchor, compute the chain on the given engine (worker pool in Node, a Web
// Worker in browsers), build the v2 proof, submit it, and return the receipt verified offline.
import { buildProofV2, type ProofV2 } from '../proof-v2/index.js';
import type { ProvingEngine } from '../proof-engine.js';
import type { WorkProofReceipt } from '../work-proof-receipt.js';
import type { BeatsClient } from './beats-client.js';
import { ProofRejectedError, ReceiptVerificationError } from './errors.js';

/** What to prove. */
export interface ProveWorkParams {
  client: BeatsClient;
  engine: ProvingEngine;
  /** Whose work: 64 hex, or an agent hash `0x` + 64 hex. */
  subject: string;
  beats: number;
  /** Default: the difficulty the anchor publishes. */
  difficulty?: number;
  mode?: 'sampled' | 'full';
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The verified receipt, and the proof and anchor it came from. */
export interface ProvedWork {
  receipt: WorkProofReceipt;
  proof: ProofV2;
}

/** Proves `beats` beats of work for `subject` and returns the service's receipt, verified. */
export async function proveWork(params: ProveWorkParams): Promise<ProvedWork> {
  const { client, engine, beats, mode = 'sampled', onProgress, signal } = params;
  const subject = params.subject.startsWith('0x') ? params.subject.slice(2) : params.subject;
  const anchor = await client.getAnchor();
  const difficulty = params.difficulty ?? anchor.difficulty;
  const proof = await buildProofV2({ anchor: { index: anchor.beat_index, hash: anchor.hash }, subject, beats, difficulty, mode, engine, onProgress, signal });
  const answer = await client.submitWorkProof(proof, signal);
  if (!answer.valid) throw new ProofRejectedError(answer.reason);
  const { receipt } = answer;
  await client.verifyReceipt(receipt);
  if (receipt.version !== 2 || receipt.subject !== subject || receipt.beats_verified !== beats || receipt.difficulty !== difficulty || receipt.to_hash !== proof.to_hash) {
    throw new ReceiptVerificationError('The receipt does not state the work that was submitted');
  }
  return { receipt, proof };
}
