// An independent beat implementation on node:crypto, written from protocol A1 for cross-tests.
import { createHash } from 'node:crypto';

/** Beat(prev, index, d, anchor?, nonce?) exactly as protocol A1 states it. */
export function referenceBeat(prev: string, index: number, difficulty: number, anchorHash?: string | null, nonce?: string): string {
  const seed = anchorHash ? `${prev}:${index}:${nonce ?? ''}:${anchorHash}` : `${prev}:${index}:${nonce ?? ''}`;
  let h = createHash('sha256').update(seed, 'utf8').digest('hex');
  for (let i = 0; i < difficulty; i++) h = createHash('sha256').update(h, 'utf8').digest('hex');
  return h;
}
