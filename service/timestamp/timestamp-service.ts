// POST /timestamp: signs a 32-byte hash against the current anchor with the anchor key (peer
// §4 "Timestamp receipt"), proving the hash existed no later than that anchor's successor.
import { encodeBase58 } from '../../shared/base58.js';
import { signReceipt } from '../../shared/receipts.js';
import { AppError } from '../errors.js';

/** The anchor head and the anchor key, as the timestamp service needs them. */
export interface TimestampDeps {
  head(): Promise<{ beat_index: number; hash: string } | undefined>;
  anchorKey(): { kid: string; secretKey: Uint8Array; publicKey: Uint8Array };
  now?: () => number;
}

/** The signed timestamp of `hash` (64 lowercase hex) against the newest anchor. */
export async function stampHash(hash: string, deps: TimestampDeps) {
  let head;
  try {
    head = await deps.head();
  } catch {
    throw new AppError('ANCHOR_UNAVAILABLE');
  }
  if (!head) throw new AppError('ANCHOR_UNAVAILABLE', 'No anchor has been published yet');
  const key = deps.anchorKey();
  const timestamp = { type: 'timestamp', hash, anchor_index: head.beat_index, anchor_hash: head.hash, utc: (deps.now ?? Date.now)() };
  const { signature } = signReceipt(timestamp, key.secretKey);
  return { timestamp, receipt: { signature, public_key: encodeBase58(key.publicKey), kid: key.kid } };
}
