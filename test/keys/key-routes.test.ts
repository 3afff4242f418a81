// GET /key in the peer's exact shape plus kid and keyset, and POST /admin/rotate-key behind the admin token.
import type { Application } from 'express';
import request from 'supertest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { encodeBase58 } from '../../shared/base58.js';
import { bytesToHex } from '../../shared/hex.js';
import { deriveKeyPair, deriveServiceKeys } from '../../shared/signing-keys.js';
import { createApp } from '../../service/app.js';
import { loadConfig, type EnvInput } from '../../service/config.js';
import { Keyring } from '../../service/keys/keyring.js';
import { createLogger } from '../../service/logger.js';
import { adminRoutes } from '../../service/routes/admin-routes.js';
import { keyRoutes } from '../../service/routes/key-routes.js';
import type { Database } from '../../service/store/database.js';
import { openDatabase, type OpenDatabaseOptions } from '../../service/store/open-database.js';
import { describeEachEngine } from '../helpers/engines.js';

const SEED = new Uint8Array(32).fill(1);
const TOKEN = 'admin-token-for-tests-0123';
const T0 = 1_700_000_000_000;

describeEachEngine('key and admin routes', (ctx) => {
  let options: OpenDatabaseOptions;
  let db: Database;
  let keyring: Keyring;

  beforeEach(async () => {
    options = ctx.freshOptions();
    db = await openDatabase(options);
    keyring = await Keyring.open(db, SEED, T0);
  });
  afterEach(() => db.close());

  function app(env: EnvInput = { ADMIN_TOKEN: TOKEN, RATE_LIMITS: 'off' }): Application {
    const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
    return createApp({
      config,
      logger: createLogger({ logLevel: 'silent' }),
      routers: [
        { path: '/api/v1/beat', router: keyRoutes({ keyring, refreshMs: 0 }) },
        { path: '/api/v1/admin', router: adminRoutes({ keyring, adminToken: config.adminToken }) },
      ],
    });
  }

  /** POST /rotate-key with `auth` as the Authorization header (null: no header). */
  const rotate = (a: Application, body: unknown, auth: string | null = `Bearer ${TOKEN}`) => {
    const req = request(a).post('/api/v1/admin/rotate-key');
    if (auth !== null) req.set('authorization', auth);
    return req.send(body as object);
  };

  it('GET /key answers the peer shape with our anchor key as the timestamp key, plus kid and keyset', async () => {
    const { anchor, workProof } = deriveServiceKeys(SEED);
    const res = await request(app()).get('/api/v1/beat/key');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toEqual({
      public_key_base58: encodeBase58(anchor.publicKey),
      public_key_hex: bytesToHex(anchor.publicKey),
      kid: anchor.kid,
      algorithm: 'Ed25519',
      keys: {
        timestamp: {
          public_key_base58: encodeBase58(anchor.publicKey),
          public_key_hex: bytesToHex(anchor.publicKey),
          kid: anchor.kid,
          signing_context: 'beats:anchor:v1',
          purpose: 'Verify signatures on GET /anchor and POST /timestamp responses',
        },
        work_proof: {
          public_key_base58: encodeBase58(workProof.publicKey),
          public_key_hex: bytesToHex(workProof.publicKey),
          kid: workProof.kid,
          signing_context: 'beats:work-proof:v1',
          purpose: 'Verify signatures on POST /work-proof receipts',
        },
      },
      keyset: expect.arrayContaining([
        { kid: anchor.kid, use: 'anchor', public_key_hex: bytesToHex(anchor.publicKey), valid_from: T0, valid_until: null },
        { kid: workProof.kid, use: 'work_proof', public_key_hex: bytesToHex(workProof.publicKey), valid_from: T0, valid_until: null },
      ]),
      _note: expect.any(String),
    });
    expect(res.body.keyset).toHaveLength(2);
    expect((await request(app()).post('/api/v1/beat/key').send({})).body.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('rotates a key with the admin token; /key then serves the new key and lists the old one', async () => {
    const a = app();
    const old = keyring.active('work_proof');
    const res = await rotate(a, { use: 'work_proof' });
    expect(res.status).toBe(200);
    const expected = deriveKeyPair(SEED, 'beats:work-proof:v1#1');
    expect(res.body).toMatchObject({ ok: true, use: 'work_proof', kid: expected.kid, previous_kid: old.kid, valid_from: expect.any(Number) });
    expect(res.body.keyset).toHaveLength(3);

    const key = await request(a).get('/api/v1/beat/key');
    expect(key.body.keys.work_proof).toMatchObject({ kid: expected.kid, public_key_hex: bytesToHex(expected.publicKey), signing_context: 'beats:work-proof:v1#1' });
    expect(key.body.kid).toBe(keyring.active('anchor').kid); // the anchor key did not move
    expect(key.body.keyset).toContainEqual(expect.objectContaining({ kid: old.kid, use: 'work_proof', valid_until: res.body.valid_from }));
  });

  it('GET /key shows a rotation made through another instance', async () => {
    const other = await openDatabase(options);
    const rotated = await (await Keyring.open(other, SEED)).rotate('anchor');
    await other.close();
    const res = await request(app()).get('/api/v1/beat/key');
    expect(res.body.kid).toBe(rotated.kid);
    expect(res.body.keyset).toHaveLength(3);
  });

  it('answers 401 AUTH_MISSING without a bearer token and 403 FORBIDDEN for a wrong one', async () => {
    const a = app();
    for (const auth of [null, '', 'Basic abc', 'Bearer', `Bearer  ${TOKEN}`, `Token ${TOKEN}`]) {
      const res = await rotate(a, { use: 'anchor' }, auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.body.code).toBe('AUTH_MISSING');
    }
    for (const auth of ['Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`]) {
      const res = await rotate(a, { use: 'anchor' }, auth);
      expect(res.status, auth).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await rotate(a, { use: 'anchor' }, `bearer ${TOKEN}`)).status).toBe(200); // the scheme is case-insensitive
    expect(keyring.keyset()).toHaveLength(3);
  });

  it('answers 400 VALIDATION for a bad body and 405 for another method', async () => {
    const a = app();
    for (const body of [{}, { use: 'timestamp' }, { use: 'anchor', extra: 1 }, { use: 7 }]) {
      const res = await rotate(a, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION', field: expect.any(String) });
    }
    expect((await rotate(a, { use: 'nope' })).body.field).toBe('use');
    const get = await request(a).get('/api/v1/admin/rotate-key').set('authorization', `Bearer ${TOKEN}`);
    expect(get.status).toBe(405);
    expect(get.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(keyring.keyset()).toHaveLength(2);
  });

  it('turns the admin routes off (404 NOT_FOUND) when ADMIN_TOKEN is unset', async () => {
    const a = app({ RATE_LIMITS: 'off' });
    for (const auth of [null, `Bearer ${TOKEN}`]) {
      const res = await rotate(a, { use: 'anchor' }, auth);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    expect(keyring.keyset()).toHaveLength(2);
  });

  it('caps admin attempts per client: 429 RATE_LIMITED after 30 a minute', async () => {
    const a = app({ ADMIN_TOKEN: TOKEN });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await rotate(a, { use: 'anchor' }, 'Bearer wrong')).status);
    expect(statuses.slice(0, 30).every((s) => s === 403)).toBe(true);
    const limited = await rotate(a, { use: 'anchor' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
  });
});
