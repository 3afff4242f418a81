// The SDK's Beats client against a real service: verified anchors and continuity, offline receipt
// checks, proveWork end to end, 503 retried after Retry-After. A lying server is simulated by
// rewriting the real server's answers in `fetch`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { BeatsClient, type KeysetEntry } from '../../shared/sdk/beats-client.js';
import { BeatsApiError, ReceiptVerificationError } from '../../shared/sdk/errors.js';
import { proveWork } from '../../shared/sdk/prove-work.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';

/** A fetch that passes through to the real server, then lets `edit` rewrite the JSON answer. */
function lyingFetch(edit: (path: string, body: any, call: number) => any): typeof fetch {
  let call = 0;
  return async (input, init) => {
    const response = await fetch(input, init);
    const path = new URL(String(input)).pathname;
    const body = await response.json();
    return new Response(JSON.stringify(edit(path, body, call++)), { status: response.status, headers: response.headers });
  };
}

describeEachEngine('SDK BeatsClient', (ctx) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(ctx.db, { ANCHOR_INTERVAL_MS: '200' });
  });
  afterAll(() => svc.close());
  /** Resolves once the service has made an anchor after the current one (polls the clock's output, not a timer). */
  const waitForAnchor = async () => {
    const start = (await svc.services.reader.head())!.anchor.beat_index;
    for (let i = 0; (await svc.services.reader.head())!.anchor.beat_index <= start; i++) {
      if (i > 600) throw new Error('no new anchor within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('getAnchor verifies signature and hash, and follows the chain across anchors', async () => {
    const client = new BeatsClient({ baseUrl: svc.url });
    const first = await client.getAnchor();
    await waitForAnchor();
    const second = await client.getAnchor();
    expect(second.beat_index).toBeGreaterThan(first.beat_index);
  });

  it('refuses an anchor whose fields were changed: ANCHOR_SIGNATURE', async () => {
    const tampered = new BeatsClient({ baseUrl: svc.url, fetch: lyingFetch((p, b) => (p.endsWith('/anchor') ? { ...b, anchor: { ...b.anchor, utc: b.anchor.utc + 1 } } : b)) });
    await expect(tampered.getAnchor()).rejects.toMatchObject({ code: 'ANCHOR_SIGNATURE' });
  });

  it('refuses an index lower than one already seen: ANCHOR_REGRESSION', async () => {
    const head = await new BeatsClient({ baseUrl: svc.url }).getAnchor();
    const client = new BeatsClient({ baseUrl: svc.url, lastSeen: { ...head, beat_index: head.beat_index + 1000 } });
    await expect(client.getAnchor()).rejects.toMatchObject({ code: 'ANCHOR_REGRESSION' });
  });

  it('refuses a second, different anchor at an index already seen: ANCHOR_FORK', async () => {
    const stored = (await svc.services.reader.head())!;
    const replay = lyingFetch((p, b) => (p.endsWith('/anchor') ? { ...b, anchor: stored.anchor, receipt: { signature: stored.signature, public_key: b.receipt.public_key, kid: stored.kid } } : b));
    const client = new BeatsClient({ baseUrl: svc.url, fetch: replay, lastSeen: { ...stored.anchor, hash: 'ee'.repeat(32) } });
    await expect(client.getAnchor()).rejects.toMatchObject({ code: 'ANCHOR_FORK' });
  });

  it('refuses a chain that does not continue the anchor seen: ANCHOR_CHAIN_BREAK', async () => {
    const genesis = await new BeatsClient({ baseUrl: svc.url }).getAnchorAt(0);
    await waitForAnchor();
    const client = new BeatsClient({ baseUrl: svc.url, lastSeen: { ...genesis, hash: 'ee'.repeat(32) } });
    await expect(client.getAnchor()).rejects.toMatchObject({ code: 'ANCHOR_CHAIN_BREAK' });
  });

  it('a client given the anchor it saw last continues from it', async () => {
    const first = new BeatsClient({ baseUrl: svc.url });
    await first.getAnchor();
    await waitForAnchor();
    const resumed = new BeatsClient({ baseUrl: svc.url, lastSeen: first.lastAnchor });
    expect((await resumed.getAnchor()).beat_index).toBeGreaterThan(first.lastAnchor!.beat_index);
  });

  it('with a pinned keyset from another service, nothing verifies and /key is never fetched', async () => {
    const keyset = (await (await fetch(`${svc.url}/api/v1/beat/key`)).json()).keyset as KeysetEntry[];
    const foreign = keyset.map((k) => ({ ...k, public_key_hex: 'aa'.repeat(32) }));
    const paths: string[] = [];
    const client = new BeatsClient({ baseUrl: svc.url, pinnedKeyset: foreign, fetch: lyingFetch((p, b) => (paths.push(p), b)) });
    await expect(client.getAnchor()).rejects.toMatchObject({ code: 'ANCHOR_SIGNATURE' });
    expect(paths).not.toContain('/api/v1/beat/key');
  });

  it('proveWork: anchor → chain → v2 proof → receipt verified offline; a changed receipt does not verify', async () => {
    const client = new BeatsClient({ baseUrl: svc.url });
    const seen: number[] = [];
    const { receipt } = await proveWork({ client, engine: proverEngine(await loadProver()), subject: '0x' + '77'.repeat(32), beats: 40, difficulty: 100, onProgress: (done) => seen.push(done) });
    expect(receipt).toMatchObject({ version: 2, subject: '77'.repeat(32), beats_verified: 40, difficulty: 100, assurance: 'fs-64' });
    expect(seen.at(-1)).toBe(40);
    await expect(client.verifyReceipt({ ...receipt, beats_verified: 41 })).rejects.toBeInstanceOf(ReceiptVerificationError);
    await expect(client.verifyReceipt({ ...receipt, kid: 'ffffffffffffffff' })).rejects.toBeInstanceOf(ReceiptVerificationError);
  });

  it('a 503 is retried after its Retry-After; other errors are typed with the server code', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) return new Response(JSON.stringify({ error: 'busy', code: 'OVERLOADED', retry_after_ms: 300 }), { status: 503, headers: { 'retry-after': '1' } });
      return fetch(input, init);
    };
    const started = Date.now();
    const anchor = await new BeatsClient({ baseUrl: svc.url, fetch: flaky }).getAnchorAt(0);
    expect(anchor.beat_index).toBe(0);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290); // waited as told (a lower bound, not a performance threshold)
    const error = await new BeatsClient({ baseUrl: svc.url }).getAnchorAt(10 ** 12).catch((e) => e);
    expect(error).toBeInstanceOf(BeatsApiError);
    expect([error.status, error.code]).toEqual([404, 'ANCHOR_NOT_FOUND']);
  });
}, { engines: ['sqlite'] });

