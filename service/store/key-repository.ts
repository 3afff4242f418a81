// The keyset (protocol A3): every signing key ever used, so old signatures stay verifiable after rotation.

import type { Database } from './database.js';

/** What a key signs: anchors and timestamps, or work-proof receipts. */
export type KeyUse = 'anchor' | 'work_proof';

/** A stored public signing key; field names follow the `keyset` entries of `GET /api/v1/beat/key`. */
export interface SigningKeyRecord {
  /** First 16 hex chars of SHA256(public key). */
  kid: string;
  use: KeyUse;
  public_key_hex: string;
  /** The HKDF info string the key was derived with, e.g. `beats:anchor:v1`. */
  derivation: string;
  /** Epoch milliseconds. */
  valid_from: number;
  /** Epoch milliseconds, or null while the key is current. */
  valid_until: number | null;
}

const COLUMNS = 'kid, use, public_key_hex, derivation, valid_from, valid_until';

/** Reads, adds and retires signing keys. */
export class KeyRepository {
  constructor(private readonly db: Database) {}

  /** Every key, oldest first. */
  list(): Promise<SigningKeyRecord[]> {
    return this.db.query<SigningKeyRecord>(`SELECT ${COLUMNS} FROM signing_keys ORDER BY valid_from, kid`);
  }

  /** The key `kid`, or undefined. */
  get(kid: string): Promise<SigningKeyRecord | undefined> {
    return this.db.one<SigningKeyRecord>(`SELECT ${COLUMNS} FROM signing_keys WHERE kid = $1`, [kid]);
  }

  /** Stores `key`; false when its kid is already stored (keys are derived, so every boot re-adds them). */
  async insert(key: SigningKeyRecord): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO signing_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kid) DO NOTHING`,
      [key.kid, key.use, key.public_key_hex, key.derivation, key.valid_from, key.valid_until],
    );
    return changes === 1;
  }

  /** Ends the validity of `kid` at `validUntil`; false when the kid is unknown or already closed. */
  async closeValidity(kid: string, validUntil: number): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE signing_keys SET valid_until = $2 WHERE kid = $1 AND valid_until IS NULL',
      [kid, validUntil],
    );
    return changes === 1;
  }
}
