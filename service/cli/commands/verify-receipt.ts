// beats verify-receipt FILE (--key HEX | --url U): exit 0 when the receipt verifies, 1 when not.
// FILE holds the receipt JSON, the service's answer {valid, receipt}, or base64 of the receipt JSON.
import { readFileSync } from 'node:fs';
import { hexToBytes } from '../../../shared/hex.js';
import { verifyReceipt } from '../../../shared/receipts.js';
import { BeatsClient } from '../../../shared/sdk/beats-client.js';
import type { WorkProofReceipt } from '../../../shared/work-proof-receipt.js';
import { CliError } from '../cli-error.js';
import { parseFlags } from '../options.js';

/** Verifies a receipt file against a key or a service's keyset. */
export async function verifyReceiptCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags, args } = parseFlags(argv, { key: { type: 'string' }, url: { type: 'string' } }, 1);
  if (args.length !== 1) throw new CliError('give the receipt file: beats verify-receipt FILE (--key HEX | --url U)');
  if ((flags.key === undefined) === (flags.url === undefined)) throw new CliError('give exactly one of --key HEX or --url U');
  const receipt = readReceipt(args[0]);
  if (typeof flags.key === 'string') {
    if (!/^[0-9a-f]{64}$/.test(flags.key)) throw new CliError('--key must be 64 lowercase hex characters (an Ed25519 public key)');
    if (!verifyReceipt(receipt, hexToBytes(flags.key))) throw new CliError('receipt does NOT verify with that key', 1);
  } else {
    try {
      await new BeatsClient({ baseUrl: flags.url as string }).verifyReceipt(receipt);
    } catch (error) {
      throw new CliError(`receipt does NOT verify: ${(error as Error).message}`, 1);
    }
  }
  out(`receipt verifies: ${receipt.beats_verified} beats at difficulty ${receipt.difficulty}, anchor ${receipt.anchor_index}, ${receipt.assurance ?? 'v1'}${receipt.subject ? `, subject ${receipt.subject}` : ''}`);
}

function readReceipt(file: string): WorkProofReceipt {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('{') ? text : Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new CliError(`${file} holds neither receipt JSON nor base64 of it`);
  }
  const receipt = (value as { receipt?: unknown })?.receipt ?? value;
  if (!receipt || typeof receipt !== 'object' || typeof (receipt as { signature?: unknown }).signature !== 'string') {
    throw new CliError(`${file} holds no signed receipt`);
  }
  return receipt as WorkProofReceipt;
}
