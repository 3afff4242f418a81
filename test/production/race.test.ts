// The same receipt spent through two processes at once: a frozen agent, a real v2 receipt from one
// instance's POST /work-proof, and 50 concurrent resyncs with it split across both instances on one
// PostgreSQL database → exactly one 200; every other answer a refusal, and one receipt row spent.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { buildProofV2 } from '../../shared/proof-v2/index.js';
import {
  api, Cluster, createTestDatabase, headOf, postgresUnavailable, queryDatabase, readyAgent, skipWithoutPostgres, sleep,
} from './cluster.js';

describe.skipIf(skipWithoutPostgres)('one receipt, 50 concurrent resyncs across two processes [postgres]', () => {
  let cluster: Cluster;
  beforeAll(() => {
    if (postgresUnavailable) throw new Error(`PostgreSQL is required in CI: ${postgresUnavailable}`);
  });
  afterEach(() => cluster.dispose());

  it('exactly one resync succeeds', async () => {
    const db = await createTestDatabase('race');
    cluster = new Cluster({ DATABASE_URL: db.url, ANCHOR_INTERVAL_MS: '1000' });
    cluster.onDispose(db.drop);
    const a = await cluster.start('a');
    const b = await cluster.start('b');
    const agent = await readyAgent(a.url, 'racer');

    // Far past the deadline (stored facts moved back): the leader's next sweep freezes it.
    const head = await headOf(a.url);
    await queryDatabase(db.url, 'UPDATE beat_chains SET last_global_sync = $2 WHERE agent_hash = $1', [agent.hash, head.index - 200]);
    for (let i = 0; ; i++) {
      const { body } = await api(b.url, 'GET', `/api/v1/status/${agent.hash}`);
      if (body.status === 'frozen') break;
      if (i > 100) throw new Error(`never frozen: ${JSON.stringify(body)}`);
      await sleep(50);
    }
    const price = await api(a.url, 'POST', '/api/v1/agent/resync', { bearer: agent.apiKey, body: {} });
    expect(price.status).toBe(402);
    expect(price.body.required_beats).toBe(10_000);

    // A real receipt from instance b, for this agent's work at the current anchor.
    const anchor = await headOf(b.url);
    const proof = await buildProofV2({
      anchor, subject: agent.hash.slice(2), beats: 10_000, difficulty: 100, mode: 'sampled', engine: proverEngine(await loadProver()),
    });
    const submitted = await api(b.url, 'POST', '/api/v1/beat/work-proof', { body: { work_proof: proof } });
    expect(submitted.body.valid, JSON.stringify(submitted.body)).toBe(true);
    const receipt = submitted.body.receipt;

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      api(i % 2 ? a.url : b.url, 'POST', '/api/v1/agent/resync', { bearer: agent.apiKey, body: { beats_receipt: receipt } })));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body).toMatchObject({ ok: true, status: 'active', receipt_based: true, beats_proven: 10_000 });
    for (const refused of answers.filter((r) => r.status !== 200)) {
      expect([[402, 'INVALID_RECEIPT'], [409, 'AGENT_WRONG_STATE']]).toContainEqual([refused.status, refused.body.code]);
    }
    const codes = answers.map((r) => `${r.status} ${r.body.code ?? ''} ${r.body.reason ?? ''}`.trim());
    console.log(`race answers: ${JSON.stringify(codes.reduce<Record<string, number>>((n, c) => ({ ...n, [c]: (n[c] ?? 0) + 1 }), {}))}`);

    const spent = await queryDatabase(db.url, 'SELECT receipt_id FROM consumed_receipts WHERE agent_hash = $1', [agent.hash]);
    expect(spent).toHaveLength(1);
    const freezes = await queryDatabase<{ ended_at_anchor: number | null }>(db.url, 'SELECT ended_at_anchor FROM freezes WHERE agent_hash = $1', [agent.hash]);
    expect(freezes).toHaveLength(1);
    expect(freezes[0].ended_at_anchor).not.toBeNull();
  });
});
