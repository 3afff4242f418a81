// The service's signing keys (protocol A3): every key is derived from the root seed by HKDF and recorded
// in `signing_keys`, so the keyset served by `/key` lists old keys after a rotation and every instance
// sharing one database signs with the same key.
//
// Generations: generation 0 of each key uses the protocol's info string (`beats:anchor:v1`,
// `beats:work-proof:v1`) unchanged; a rotation derives generation g+1 with info `${info}#${g+1}`
// (`beats:anchor:v1#1`, …). The protocol's strings therefore always name generation 0, and a
// rotated key is still reproducible from the root seed and its stored `derivation` alone.
import { bytesToHex } from '../../shared/hex.js';
import { ANCHOR_KEY_INFO, WORK_PROOF_KEY_INFO, deriveKeyPair, type SigningKeyPair } from '../../shared/signing-keys.js';
import type { Database } from '../store/database.js';
import { KeyRepository, type KeyUse, type SigningKeyRecord } from '../store/key-repository.js';

/** Name of the cross-process lock held while the keyset is created or rotated. */
export const KEYRING_LOCK = 'signing-keys';

/** Every key use, in the order `/key` lists them. */
export const KEY_USES: readonly KeyUse[] = ['anchor', 'work_proof'];

/** HKDF info of generation 0 of each key (protocol A3). */
export const BASE_KEY_INFO: Readonly<Record<KeyUse, string>> = {
  anchor: ANCHOR_KEY_INFO,
  work_proof: WORK_PROOF_KEY_INFO,
};

/** A signing key with its secret half and validity window. */
export interface SigningKey {
  kid: string;
  use: KeyUse;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** tweetnacl's 64-byte secret key. */
  secretKey: Uint8Array;
  /** The HKDF info the key was derived with. */
  derivation: string;
  generation: number;
  /** Epoch milliseconds. */
  validFrom: number;
  /** Epoch milliseconds, or null while the key is current. */
  validUntil: number | null;
}

/** One entry of the public keyset (protocol A3, `GET /key` `keyset`). */
export interface KeysetEntry {
  kid: string;
  use: KeyUse;
  public_key_hex: string;
  valid_from: number;
  valid_until: number | null;
}

/** Why the keyring refuses to start. */
export type KeyringErrorCode = 'SEED_MISMATCH' | 'KEYSET_INVALID';

/** The stored keyset does not match this root seed, or is not usable; the message is one line. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  readonly code: KeyringErrorCode;

  constructor(code: KeyringErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The HKDF info of generation `generation` of the `use` key. */
export function keyDerivation(use: KeyUse, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new RangeError(`"generation" expected a non-negative safe integer, got ${generation}`);
  }
  return generation === 0 ? BASE_KEY_INFO[use] : `${BASE_KEY_INFO[use]}#${generation}`;
}

/** The generation a stored derivation names for `use`, or undefined when it is not one of ours. */
export function generationOf(use: KeyUse, derivation: string): number | undefined {
  const base = BASE_KEY_INFO[use];
  if (derivation === base) return 0;
  const match = /^#([1-9][0-9]{0,8})$/.exec(derivation.startsWith(base) ? derivation.slice(base.length) : '');
  return match ? Number(match[1]) : undefined;
}

/** The keys in use: loaded from the database, checked against the root seed, rotated on request. */
export class Keyring {
  private keys: SigningKey[] = [];
  private readonly pairs = new Map<string, SigningKeyPair>();
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;

  private readonly rootSeed: Uint8Array;

  private constructor(
    private readonly db: Database,
    rootSeed: Uint8Array,
  ) {
    if (!(rootSeed instanceof Uint8Array) || rootSeed.length !== 32) {
      throw new TypeError('"rootSeed" expected Uint8Array of length 32');
    }
    this.rootSeed = Uint8Array.from(rootSeed);
  }

  /**
   * Opens the keyring of `db`: on an empty keyset stores generation 0 of both keys; otherwise
   * re-derives every stored key and throws KeyringError SEED_MISMATCH when one differs (a different
   * root seed than the one this database's keys were made with).
   */
  static async open(db: Database, rootSeed: Uint8Array, now: number = Date.now()): Promise<Keyring> {
    const keyring = new Keyring(db, rootSeed);
    // Under a lock: two instances booting on one empty PostgreSQL database must not both create keys.
    await db.withAdvisoryLock(KEYRING_LOCK, (session) =>
      session.transaction(async (tx) => {
        const repo = new KeyRepository(tx);
        const records = await repo.list();
        records.forEach((record) => keyring.checkRecord(record));
        for (const use of KEY_USES) {
          if (records.some((r) => r.use === use)) continue;
          await repo.insert(keyring.recordFor(use, 0, now));
        }
      }),
    );
    await keyring.refresh();
    return keyring;
  }

  /** The current key for `use` (the one that signs now). */
  active(use: KeyUse): SigningKey {
    const current = this.keys
      .filter((k) => k.use === use && k.validUntil === null)
      .sort((a, b) => b.generation - a.generation)[0];
    if (!current) throw new KeyringError('KEYSET_INVALID', `no current ${use} key in the keyset`);
    return current;
  }

  /** The key `kid` (current or retired), or undefined. */
  keyFor(kid: string): SigningKey | undefined {
    return this.keys.find((k) => k.kid === kid);
  }

  /** The public key of `kid` (current or retired), or undefined. */
  publicKeyFor(kid: string): Uint8Array | undefined {
    return this.keyFor(kid)?.publicKey;
  }

  /** Every key ever used, oldest first, as `GET /key` lists them. */
  keyset(): KeysetEntry[] {
    return this.keys.map((k) => ({
      kid: k.kid,
      use: k.use,
      public_key_hex: bytesToHex(k.publicKey),
      valid_from: k.validFrom,
      valid_until: k.validUntil,
    }));
  }

  /** Reloads the keyset from the database, so this instance sees a rotation made by another. */
  refresh(): Promise<void> {
    // Concurrent callers share one read.
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Reloads when the last load is older than `maxAgeMs` (cheap enough to call on every request). */
  async refreshIfStale(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.refreshedAt >= maxAgeMs) await this.refresh();
  }

  /**
   * Adds generation g+1 of the `use` key, valid from `now`, closes the current key's window at `now`
   * and makes the new key current. Retired keys stay in the keyset and verifiable.
   */
  async rotate(use: KeyUse, now: number = Date.now()): Promise<SigningKey> {
    if (!KEY_USES.includes(use)) throw new TypeError(`"use" expected one of ${KEY_USES.join(', ')}, got ${String(use)}`);
    const kid = await this.db.withAdvisoryLock(KEYRING_LOCK, (session) =>
      session.transaction(async (tx) => {
        const repo = new KeyRepository(tx);
        const records = await repo.list();
        records.forEach((record) => this.checkRecord(record));
        const own = records.filter((r) => r.use === use);
        const current = own.filter((r) => r.valid_until === null);
        const generation = Math.max(...own.map((r) => generationOf(use, r.derivation)!)) + 1;
        // A window never ends before it starts, even when clocks of two instances disagree.
        const validFrom = Math.max(now, ...current.map((r) => r.valid_from));
        const next = this.recordFor(use, generation, validFrom);
        await repo.insert(next);
        for (const record of current) await repo.closeValidity(record.kid, validFrom);
        return next.kid;
      }),
    );
    await this.refresh();
    return this.keyFor(kid)!;
  }

  private async load(): Promise<void> {
    const records = await new KeyRepository(this.db).list();
    const keys = records.map((record) => this.checkRecord(record));
    for (const use of KEY_USES) {
      if (!keys.some((k) => k.use === use && k.validUntil === null)) {
        throw new KeyringError('KEYSET_INVALID', `no current ${use} key in the keyset`);
      }
    }
    this.keys = keys;
    this.refreshedAt = Date.now();
  }

  /** The key a stored record names, re-derived from the root seed; throws KeyringError when it does not match. */
  private checkRecord(record: SigningKeyRecord): SigningKey {
    const generation = KEY_USES.includes(record.use) ? generationOf(record.use, record.derivation) : undefined;
    if (generation === undefined) {
      throw new KeyringError(
        'KEYSET_INVALID',
        `signing key ${record.kid} has an unknown derivation for use ${String(record.use)}: ${JSON.stringify(record.derivation)}`,
      );
    }
    const pair = this.pairOf(record.derivation);
    if (bytesToHex(pair.publicKey) !== record.public_key_hex || pair.kid !== record.kid) {
      throw new KeyringError(
        'SEED_MISMATCH',
        `signing key ${record.kid} (${record.use}, ${record.derivation}) was not derived from this root seed: ` +
          'BEATS_SIGNING_SEED (or DATA_DIR/signing-seed) differs from the seed this database was made with',
      );
    }
    return {
      kid: pair.kid,
      use: record.use,
      publicKey: pair.publicKey,
      secretKey: pair.secretKey,
      derivation: record.derivation,
      generation,
      validFrom: record.valid_from,
      validUntil: record.valid_until,
    };
  }

  private recordFor(use: KeyUse, generation: number, validFrom: number): SigningKeyRecord {
    const derivation = keyDerivation(use, generation);
    const pair = this.pairOf(derivation);
    return {
      kid: pair.kid,
      use,
      public_key_hex: bytesToHex(pair.publicKey),
      derivation,
      valid_from: validFrom,
      valid_until: null,
    };
  }

  private pairOf(derivation: string): SigningKeyPair {
    let pair = this.pairs.get(derivation);
    if (!pair) {
      pair = deriveKeyPair(this.rootSeed, derivation);
      this.pairs.set(derivation, pair);
    }
    return pair;
  }
}
