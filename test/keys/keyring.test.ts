// Keyring (protocol A3): generation 0 stored on first open, checked against the root seed on every
// open, rotation adds a generation and keeps old keys verifiable, other instances see it on refresh.
import nacl from 'tweetnacl';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { signReceipt, verifyReceipt } from '../../shared/receipts.js';
import { deriveKeyPair, deriveServiceKeys } from '../../shared/signing-keys.js';
import { generationOf, keyDerivation, Keyring, KeyringError, type KeyringErrorCode } from '../../service/keys/keyring.js';
import { KeyRepository } from '../../service/store/key-repository.js';
import { describeEachEngine } from '../helpers/engines.js';

const SEED = new Uint8Array(32).fill(1);
const OTHER_SEED = new Uint8Array(32).fill(2);
const T0 = 1_700_000_000_000;

async function refusal(promise: Promise<unknown>): Promise<KeyringErrorCode> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyringError);
  expect((error as Error).message).not.toContain('\n');
  return (error as KeyringError).code;
}

describe('key derivations', () => {
  it('keeps the protocol info strings for generation 0 and suffixes #g after', () => {
    expect(keyDerivation('anchor', 0)).toBe('beats:anchor:v1');
    expect(keyDerivation('work_proof', 0)).toBe('beats:work-proof:v1');
    expect(keyDerivation('anchor', 1)).toBe('beats:anchor:v1#1');
    expect(keyDerivation('work_proof', 12)).toBe('beats:work-proof:v1#12');
    expect(() => keyDerivation('anchor', -1)).toThrow(RangeError);
  });

  it('parses only its own derivations back', () => {
    expect(generationOf('anchor', 'beats:anchor:v1')).toBe(0);
    expect(generationOf('anchor', 'beats:anchor:v1#3')).toBe(3);
    for (const bad of ['beats:anchor:v1#0', 'beats:anchor:v1#01', 'beats:anchor:v1#', 'beats:anchor:v2', 'beats:work-proof:v1', 'x']) {
      expect(generationOf('anchor', bad)).toBeUndefined();
    }
  });
});

describeEachEngine('Keyring', (ctx) => {
  beforeEach(async () => {
    await ctx.db.run('DELETE FROM signing_keys');
  });

  it('stores generation 0 of both keys on an empty keyset (protocol A3 derivation)', async () => {
    const keyring = await Keyring.open(ctx.db, SEED, T0);
    const expected = deriveServiceKeys(SEED);
    const anchor = keyring.active('anchor');
    const workProof = keyring.active('work_proof');
    expect(anchor).toMatchObject({ kid: expected.anchor.kid, use: 'anchor', derivation: 'beats:anchor:v1', generation: 0, validFrom: T0, validUntil: null });
    expect(anchor.publicKey).toEqual(expected.anchor.publicKey);
    expect(anchor.secretKey).toEqual(expected.anchor.secretKey);
    expect(workProof).toMatchObject({ kid: expected.workProof.kid, derivation: 'beats:work-proof:v1', validUntil: null });
    expect(keyring.keyset()).toEqual(
      expect.arrayContaining([
        { kid: expected.anchor.kid, use: 'anchor', public_key_hex: bytesToHex(expected.anchor.publicKey), valid_from: T0, valid_until: null },
        { kid: expected.workProof.kid, use: 'work_proof', public_key_hex: bytesToHex(expected.workProof.publicKey), valid_from: T0, valid_until: null },
      ]),
    );
    expect(keyring.keyset()).toHaveLength(2);
    expect(keyring.publicKeyFor(expected.anchor.kid)).toEqual(expected.anchor.publicKey);
    expect(keyring.publicKeyFor('0000000000000000')).toBeUndefined();
    expect(await new KeyRepository(ctx.db).list()).toHaveLength(2);
  });

  it('reopens a keyset made with the same seed without adding keys', async () => {
    const first = await Keyring.open(ctx.db, SEED, T0);
    const second = await Keyring.open(ctx.db, SEED, T0 + 1000);
    expect(second.keyset()).toEqual(first.keyset());
  });

  it('creates the keyset once when two instances open an empty store at the same time', async () => {
    const other = await ctx.open();
    const [a, b] = await Promise.all([Keyring.open(ctx.db, SEED, T0), Keyring.open(other, SEED, T0 + 5)]);
    expect(a.keyset()).toEqual(b.keyset());
    expect(a.keyset()).toHaveLength(2);
    await other.close();
  });

  it('refuses to start on a keyset made with another root seed', async () => {
    await Keyring.open(ctx.db, SEED, T0);
    expect(await refusal(Keyring.open(ctx.db, OTHER_SEED, T0))).toBe('SEED_MISMATCH');
  });

  it('refuses a keyset holding a derivation it does not know', async () => {
    await Keyring.open(ctx.db, SEED, T0);
    await ctx.db.run("UPDATE signing_keys SET derivation = 'beats:anchor:v9' WHERE use = 'anchor'");
    expect(await refusal(Keyring.open(ctx.db, SEED, T0))).toBe('KEYSET_INVALID');
  });

  it('rotates: new generation current, old key closed at the rotation time and still listed', async () => {
    const keyring = await Keyring.open(ctx.db, SEED, T0);
    const old = keyring.active('anchor');
    const workProof = keyring.active('work_proof');
    const rotated = await keyring.rotate('anchor', T0 + 60_000);

    const expected = deriveKeyPair(SEED, 'beats:anchor:v1#1');
    expect(rotated).toMatchObject({ kid: expected.kid, derivation: 'beats:anchor:v1#1', generation: 1, validFrom: T0 + 60_000, validUntil: null });
    expect(rotated.kid).not.toBe(old.kid);
    expect(keyring.active('anchor').kid).toBe(expected.kid);
    expect(keyring.active('work_proof').kid).toBe(workProof.kid); // the other key is untouched
    expect(keyring.keyset()).toContainEqual({ kid: old.kid, use: 'anchor', public_key_hex: bytesToHex(old.publicKey), valid_from: T0, valid_until: T0 + 60_000 });
    expect(keyring.keyset()).toHaveLength(3);

    // Old signatures stay verifiable with the old kid's key; new ones are made with the new key.
    const before = signReceipt({ type: 'anchor', n: 1 }, old.secretKey);
    expect(verifyReceipt(before, keyring.publicKeyFor(old.kid)!)).toBe(true);
    const after = signReceipt({ type: 'anchor', n: 2 }, keyring.active('anchor').secretKey);
    expect(verifyReceipt(after, expected.publicKey)).toBe(true);
    expect(verifyReceipt(after, old.publicKey)).toBe(false);

    const again = await keyring.rotate('anchor', T0 + 120_000);
    expect(again.derivation).toBe('beats:anchor:v1#2');
    expect(keyring.keyset().filter((k) => k.use === 'anchor' && k.valid_until === null)).toHaveLength(1);

    // The rotated keyset reopens with the same seed and is refused with another.
    const reopened = await Keyring.open(ctx.db, SEED, T0);
    expect(reopened.active('anchor').kid).toBe(again.kid);
    expect(await refusal(Keyring.open(ctx.db, OTHER_SEED, T0))).toBe('SEED_MISMATCH');
  });

  it('shows a rotation made by another instance after refresh', async () => {
    const other = await ctx.open();
    const a = await Keyring.open(ctx.db, SEED, T0);
    const b = await Keyring.open(other, SEED, T0);
    const rotated = await b.rotate('work_proof', T0 + 10);
    expect(a.active('work_proof').kid).not.toBe(rotated.kid);
    await a.refresh();
    expect(a.active('work_proof').kid).toBe(rotated.kid);
    expect(a.keyset()).toEqual(b.keyset());
    await a.refreshIfStale(60_000); // fresh: no reload needed, nothing changes
    expect(a.keyset()).toEqual(b.keyset());
    await other.close();
  });

  it('never lets a window end before it starts', async () => {
    const keyring = await Keyring.open(ctx.db, SEED, T0);
    const rotated = await keyring.rotate('anchor', T0 - 5_000);
    expect(rotated.validFrom).toBe(T0);
    expect(keyring.keyset().find((k) => k.valid_until !== null)!.valid_until).toBe(T0);
  });

  it('hands out key pairs that sign', async () => {
    const keyring = await Keyring.open(ctx.db, SEED, T0);
    const key = keyring.active('anchor');
    const message = new TextEncoder().encode('x');
    expect(nacl.sign.detached.verify(message, nacl.sign.detached(message, key.secretKey), key.publicKey)).toBe(true);
  });
});
