// ReceiptAcceptance (protocol C) on its own, with receipts signed here: the rules a live service
// cannot be made to break over HTTP (an anchor hash differing from the registry's copy, an anchor in
// the future, a key outside its validity window, an anchor key, a pinned remote key), and spending on
// both engines.
import nacl from 'tweetnacl';
import { beforeEach, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { receiptId, signReceipt } from '../../shared/receipts.js';
import { keyId } from '../../shared/signing-keys.js';
import { AppError } from '../../service/errors.js';
import { Keyring } from '../../service/keys/keyring.js';
import {
  ReceiptAcceptance, decodeReceiptInput, keyringReceiptKeys, pinnedReceiptKeys, type ReceiptKeySource, type ReceiptRefusal,
} from '../../service/registry/receipt-acceptance.js';
import { describeEachEngine } from '../helpers/engines.js';

const AGENT = '0x' + 'a1'.repeat(32);
const ANCHORS = new Map([[7, '77'.repeat(32)], [8, '88'.repeat(32)], [9, '99'.repeat(32)]]);
const keyPair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
const KID = keyId(keyPair.publicKey);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function payload(fields: Record<string, unknown> = {}) {
  return {
    type: 'work_proof', version: 2, mode: 'full', assurance: 'full', subject: AGENT.slice(2), merkle_root: null, beats_verified: 100,
    difficulty: 1000, anchor_index: 8, anchor_hash: ANCHORS.get(8), from_hash: 'f0'.repeat(32), to_hash: 'f1'.repeat(32),
    utc: new Date(T0 + 1000).toISOString(), kid: KID, ...fields,
  };
}
const sign = (fields: Record<string, unknown> = {}, secretKey = keyPair.secretKey) => signReceipt(payload(fields) as never, secretKey) as Record<string, unknown>;

const windowKeys = (validFrom: number | null, validUntil: number | null): ReceiptKeySource => ({
  keyFor: async (kid) => (kid === KID ? { publicKey: keyPair.publicKey, validFrom, validUntil } : undefined),
});

function acceptance(keys: ReceiptKeySource = windowKeys(T0, null), options: { acceptV1?: boolean; current?: number } = {}) {
  return new ReceiptAcceptance({
    keys,
    anchors: { currentIndex: async () => options.current ?? 9, hashAt: async (i) => ANCHORS.get(i) ?? null },
    requiredDifficulty: 1000, windowAnchors: 60, acceptV1: options.acceptV1 ?? false,
  });
}

async function reasonOf(promise: Promise<unknown>): Promise<ReceiptRefusal> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('INVALID_RECEIPT');
  expect((error as AppError).status).toBe(402);
  return (error as AppError).details!.reason as ReceiptRefusal;
}

const need = { agentHash: AGENT, requiredBeats: 100 };

describeEachEngine('ReceiptAcceptance', (ctx) => {
  beforeEach(async () => {
    await ctx.db.run('DELETE FROM consumed_receipts');
  });

  it('accepts a good receipt and reports what it proves', async () => {
    const receipt = sign();
    expect(await acceptance().check(receipt, need)).toEqual({
      id: receiptId(receipt as { signature: string }), version: 2, subject: AGENT.slice(2), beatsVerified: 100, difficulty: 1000,
      anchorIndex: 8, fromHash: 'f0'.repeat(32), toHash: 'f1'.repeat(32),
    });
  });

  it.each<[string, Record<string, unknown>, ReceiptRefusal]>([
    ['an anchor hash unlike the registry\'s copy', { anchor_hash: 'ab'.repeat(32) }, 'anchor_mismatch'],
    ['an anchor the registry does not have yet', { anchor_index: 10, anchor_hash: 'ab'.repeat(32) }, 'anchor_in_future'],
    ['another type', { type: 'timestamp' }, 'wrong_type'],
    ['version 3', { version: 3 }, 'version_not_accepted'],
    ['version 1 while v1 is off', { version: 1, subject: null }, 'version_not_accepted'],
    ['a v2 receipt without subject', { subject: null }, 'subject_mismatch'],
    ['less difficulty', { difficulty: 999 }, 'insufficient_difficulty'],
    ['fewer beats', { beats_verified: 99 }, 'insufficient_beats'],
    ['a utc before the key existed', { utc: new Date(T0 - 1).toISOString() }, 'key_not_valid'],
    ['a non-integer count', { beats_verified: 100.5 }, 'malformed_receipt'],
    ['a bad utc', { utc: 'yesterday' }, 'malformed_receipt'],
    ['a short hash', { to_hash: 'f1' }, 'malformed_receipt'],
  ])('refuses %s', async (_label, fields, reason) => {
    expect(await reasonOf(acceptance().check(sign(fields), need))).toBe(reason);
  });

  it('refuses a receipt signed after its key was retired, and one whose key is unknown', async () => {
    expect(await reasonOf(acceptance(windowKeys(T0, T0 + 500)).check(sign(), need))).toBe('key_not_valid');
    const stranger = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
    expect(await reasonOf(acceptance().check(sign({ kid: keyId(stranger.publicKey) }, stranger.secretKey), need))).toBe('unknown_key');
    expect(await reasonOf(acceptance().check(sign({}, stranger.secretKey), need))).toBe('bad_signature');
  });

  it('with v1 allowed: accepts version 1 (or none, the peer\'s own) with subject null, still bound to a named subject', async () => {
    const v1 = acceptance(undefined, { acceptV1: true });
    expect((await v1.check(sign({ version: 1, subject: null, assurance: 'prover-chosen' }), need)).version).toBe(1);
    const { version: _v, subject: _s, ...peer } = payload();
    expect((await v1.check(signReceipt(peer as never, keyPair.secretKey), need)).subject).toBeNull();
    expect(await reasonOf(v1.check(sign({ version: 1, subject: 'b2'.repeat(32) }), need))).toBe('subject_mismatch');
  });

  it('pinned mode trusts only BEATS_PUBLIC_KEY: its kid or none', async () => {
    const pinned = acceptance(pinnedReceiptKeys(bytesToHex(keyPair.publicKey)));
    expect((await pinned.check(sign(), need)).beatsVerified).toBe(100);
    const { kid: _k, ...noKid } = payload();
    expect((await pinned.check(signReceipt(noKid as never, keyPair.secretKey), need)).beatsVerified).toBe(100);
    const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4));
    expect(await reasonOf(pinned.check(sign({ kid: keyId(other.publicKey) }, other.secretKey), need))).toBe('unknown_key');
  });

  it('the keyring source finds work-proof keys by kid, never the anchor key', async () => {
    const keyring = await Keyring.open(ctx.db, new Uint8Array(32).fill(5), T0);
    const keys = keyringReceiptKeys(keyring);
    const workKey = keyring.active('work_proof');
    const anchorKey = keyring.active('anchor');
    expect(await keys.keyFor(workKey.kid)).toMatchObject({ validFrom: T0, validUntil: null });
    expect(await keys.keyFor(anchorKey.kid)).toBeUndefined();
    expect(await keys.keyFor(undefined)).toBeUndefined();
    const byAnchorKey = acceptance(keys);
    expect(await reasonOf(byAnchorKey.check(sign({ kid: anchorKey.kid }, anchorKey.secretKey), need))).toBe('unknown_key');
    await ctx.db.run('DELETE FROM signing_keys');
  });

  it('decodes objects and standard base64 JSON only', () => {
    const receipt = sign();
    expect(decodeReceiptInput(receipt)).toBe(receipt);
    expect(decodeReceiptInput(Buffer.from(JSON.stringify(receipt)).toString('base64'))).toEqual(receipt);
    for (const bad of [undefined, null, 1, 'x', '', '====', [receipt], Buffer.from('"s"').toString('base64')]) {
      expect(decodeReceiptInput(bad)).toBeNull();
    }
  });

  it('spends a receipt once, and its work once, inside the caller\'s transaction', async () => {
    const check = acceptance();
    const first = await check.check(sign(), need);
    await ctx.db.transaction((tx) => check.spend(tx, first, AGENT, 'resync', T0));
    expect(await reasonOf(ctx.db.transaction((tx) => check.spend(tx, first, AGENT, 'resync', T0)))).toBe('already_consumed');
    const sameWork = await check.check(sign({ utc: new Date(T0 + 2000).toISOString() }), need);
    expect(sameWork.id).not.toBe(first.id);
    expect(await reasonOf(ctx.db.transaction((tx) => check.spend(tx, sameWork, AGENT, 'resync', T0)))).toBe('work_already_consumed');
    // A transaction that fails after spending rolls the spend back.
    const other = await check.check(sign({ from_hash: 'f2'.repeat(32) }), need);
    await expect(ctx.db.transaction(async (tx) => {
      await check.spend(tx, other, AGENT, 'resync', T0);
      throw new Error('the state change failed');
    })).rejects.toThrow('the state change failed');
    await ctx.db.transaction((tx) => check.spend(tx, other, AGENT, 'resync', T0));
  });

  it('lets exactly one of 20 concurrent spends of one receipt commit', async () => {
    const check = acceptance();
    const receipt = await check.check(sign({ from_hash: 'f3'.repeat(32) }), need);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => ctx.db.transaction((tx) => check.spend(tx, receipt, AGENT, 'resync', T0))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
