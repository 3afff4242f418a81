// The logs of a whole agent life at the most verbose level, captured from the logger's destination:
// no API key (`pvn_…`), no signing seed nor a key derived from it, no admin token or registration
// secret ever appears — neither in access lines, nor in warnings and errors of refused requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { encodeBase58 } from '../../shared/base58.js';
import { encodeBase64 } from '../../shared/base64.js';
import { bytesToHex, hexToBytes } from '../../shared/hex.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import { createApp } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import { openServices, type Services } from '../../service/services.js';
import { describeEachEngine } from '../helpers/engines.js';

const SEED = '5e'.repeat(32);
const ADMIN_TOKEN = 'admin-token-never-logged-0123';
const REGISTRATION_SECRET = 'registration-secret-never-logged';
const INTERVAL_MS = 60_000;

describeEachEngine('logs of an agent life', (ctx) => {
  const lines: string[] = [];
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let dataDir: string;
  let time = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'beats-log-secrets-'));
    const config = loadConfig({
      DATA_DIR: dataDir, LOG_LEVEL: 'trace', BEATS_SIGNING_SEED: SEED, ADMIN_TOKEN, REGISTRATION_SECRET, DIFFICULTY: '100',
      ANCHOR_INTERVAL_MS: String(INTERVAL_MS), RATE_LIMITS: 'on', PROVER_THREADS: '1',
    });
    const logger = createLogger(config, { write: (line: string) => void lines.push(line) });
    services = await openServices(config, logger, { db: ctx.db, startClock: false, now: () => time });
    app = createApp({ config, logger, services });
  });
  afterAll(async () => {
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Makes `count` anchors one period apart, each swept by the dead man's switch. */
  async function nextAnchor(count = 1): Promise<{ index: number; hash: string }> {
    for (let i = 0; i < count; i++) {
      time += INTERVAL_MS;
      await services.clock.tick();
    }
    await services.registry.deadMansSwitch.idle();
    const head = (await services.reader.head())!.anchor;
    return { index: head.beat_index, hash: head.hash };
  }

  it('never carries an API key, the seed, a derived private key, the admin token or the registration secret', async () => {
    await nextAnchor();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    // Refused attempts first: a wrong secret, a wrong key, a wrong admin token.
    await request(app).post('/api/v1/register').set('x-registration-secret', 'wrong-secret').send({ name: 'x' }).expect(403);
    const registered = await request(app).post('/api/v1/register').set('x-registration-secret', REGISTRATION_SECRET)
      .set('x-request-id', 'life-1').send({ name: 'secretive', metadata: { note: 'hello' } }).expect(201);
    const { hash, api_key: apiKey } = registered.body as { hash: string; api_key: string };
    const auth = { authorization: `Bearer ${apiKey}` };
    await request(app).post('/api/v1/agent/init').set('authorization', `Bearer pvn_${'A'.repeat(43)}`).expect(401);
    await request(app).post('/api/v1/admin/sigil').set('authorization', 'Bearer not-the-admin-token-xx').send({}).expect(403);

    await request(app).post('/api/v1/agent/init').set(auth).expect(201);
    await request(app).post('/api/v1/admin/sigil').set(admin)
      .send({ agent_hash: hash, sigil_name: 's', principal: 'p', tier: 'ind', identity_class: 'autonomous' }).expect(200);
    await request(app).post('/api/v1/agent/heartbeat').set(auth).send({}).expect(200);
    await request(app).post('/api/v1/agent/heartbeat').set(auth).send({}).expect(429);
    await request(app).post('/api/v1/agent/heartbeat').set(auth).set('content-type', 'application/json').send('{"broken').expect(400);
    await request(app).get(`/api/v1/status/${hash}?api_key=${apiKey}`).expect(200);
    await request(app).get(`/api/v1/agent/beat-status/${hash}`).expect(200);

    // Frozen, priced, paid with a v2 receipt, alive again.
    const head = await nextAnchor(61);
    await request(app).post('/api/v1/agent/heartbeat').set(auth).send({}).expect(403);
    await request(app).post('/api/v1/agent/resync').set(auth).send({}).expect(402);
    const proof = await buildProofV2({
      anchor: head, subject: hash.slice(2), beats: 6100, difficulty: 100, mode: 'sampled', engine: proverEngine(await loadProver()),
    });
    const receipt = (await request(app).post('/api/v1/beat/work-proof').send({ work_proof: proof }).expect(200)).body.receipt;
    await request(app).post('/api/v1/agent/resync').set(auth).send({ beats_receipt: receipt }).expect(200);
    await request(app).post('/api/v1/agent/beats/submit').set(auth).send({ beats_receipt: receipt }).expect(402);
    await request(app).post('/api/v1/agent/heartbeat').set(auth).send({}).expect(200);
    await request(app).post('/api/v1/admin/refuse').set(admin).send({ agent_hash: hash, refused: true, reason: 'test' }).expect(200);
    await request(app).post('/api/v1/admin/rotate-key').set(admin).send({ use: 'work_proof' }).expect(200);

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('"req_id":"life-1"');
    expect(log).not.toMatch(/pvn_[A-Za-z0-9_-]{8}/);
    expect(log).not.toContain(apiKey.slice(4));
    expect(log).not.toContain(ADMIN_TOKEN);
    expect(log).not.toContain(REGISTRATION_SECRET);
    const seed = hexToBytes(SEED);
    for (const text of [SEED, SEED.toUpperCase(), encodeBase64(seed), encodeBase58(seed)]) expect(log).not.toContain(text);
    for (const use of ['anchor', 'work_proof'] as const) {
      const secret = services.keyring.active(use).secretKey;
      for (const text of [bytesToHex(secret), encodeBase64(secret), encodeBase58(secret), bytesToHex(secret.subarray(0, 32))]) {
        expect(log).not.toContain(text);
      }
    }
  });
});
