// GET /anchor and /anchor/:index against the peer's published client on a listening server: continuity
// checks, signature check with our key, hash recomputation; offline verification of the whole chain from
// /key + /anchor/:index; rotation; error codes.
import { createBeatsClient } from '@provenonce/beats-client';
import { afterEach, expect, it } from 'vitest';
import { verifyAnchor, verifyAnchorLink, type Anchor } from '../../shared/anchor.js';
import { encodeBase58 } from '../../shared/base58.js';
import { hexToBytes } from '../../shared/hex.js';
import type { AnchorResponse } from '../../service/routes/anchor-routes.js';
import type { KeyResponse } from '../../service/routes/key-routes.js';
import { openDatabase } from '../../service/store/open-database.js';
import { describeEachEngine } from '../helpers/engines.js';
import { getJson, startNode, TEST_ADMIN_TOKEN, type TestNode } from './harness.js';

const INTERVAL = 200;

/** Every anchor from 0 to the head, each verified offline against the keyset of `/key` by its kid. */
async function verifyChainOffline(baseUrl: string): Promise<Array<{ anchor: Anchor; kid: string }>> {
  const { body: keys } = await getJson<KeyResponse>(baseUrl, '/api/v1/beat/key');
  const { body: head } = await getJson<AnchorResponse>(baseUrl, '/api/v1/beat/anchor');
  const chain: Array<{ anchor: Anchor; kid: string }> = [];
  for (let i = 0; i <= head.anchor!.beat_index; i++) {
    const { status, body } = await getJson<AnchorResponse>(baseUrl, `/api/v1/beat/anchor/${i}`);
    expect(status).toBe(200);
    const anchor = body.anchor!;
    const entry = keys.keyset.find((k) => k.kid === body.receipt!.kid);
    expect(entry, `kid ${body.receipt!.kid} of anchor ${i} is in the keyset`).toMatchObject({ use: 'anchor' });
    const publicKey = hexToBytes(entry!.public_key_hex);
    expect(body.receipt!.public_key).toBe(encodeBase58(publicKey));
    expect(verifyAnchor(anchor, body.receipt!.signature, publicKey)).toBe(true);
    // Signed inside the key's validity window.
    expect(anchor.utc).toBeGreaterThanOrEqual(entry!.valid_from);
    if (entry!.valid_until !== null) expect(anchor.utc).toBeLessThanOrEqual(entry!.valid_until);
    if (i > 0) expect(verifyAnchorLink(chain[i - 1].anchor, anchor)).toBe(true);
    chain.push({ anchor, kid: body.receipt!.kid });
  }
  return chain;
}

describeEachEngine('anchor routes over HTTP', (ctx) => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close({ closeDb: true });
  });

  async function node(startClock = true): Promise<TestNode> {
    const started = await startNode({ db: await openDatabase(ctx.freshOptions()), intervalMs: INTERVAL, startClock });
    nodes.push(started);
    return started;
  }

  it('answers anchor:null before the first anchor, 404/400 codes for bad indices', async () => {
    const { baseUrl } = await node(false);
    expect(await getJson(baseUrl, '/api/v1/beat/anchor')).toEqual({
      status: 200,
      body: { anchor: null, receipt: null, anchor_interval_sec: 0.2, next_anchor_at: null },
    });
    const missing = await getJson(baseUrl, '/api/v1/beat/anchor/0');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'ANCHOR_NOT_FOUND', beat_index: 0 });
    for (const bad of ['abc', '-1', '1.5', '1e3', '99999999999999999', '%20']) {
      const res = await getJson(baseUrl, `/api/v1/beat/anchor/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION', field: 'index' });
    }
    const post = await fetch(`${baseUrl}/api/v1/beat/anchor`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });

  it("passes the peer client's getAnchor({verify:true}) continuity, signature and hash checks across successive anchors", async () => {
    const n = await node();
    const client = createBeatsClient({ baseUrl: n.baseUrl, timeoutMs: 5_000 });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const made = await n.anchors.next();
      const data = await client.getAnchor({ verify: true, recompute: true });
      expect(data.anchor!.beat_index).toBe(made.anchor.beat_index);
      expect(data.anchor).toEqual(made.anchor);
      expect(data).toMatchObject({ _verified_receipt: true, _verified_hash: true });
      seen.push(data.anchor!.beat_index);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(client.isBroken()).toBe(false);
    expect(client.getLastKnownAnchor()).toMatchObject({ beat_index: 4 });
    // The same anchor fetched again is an idempotent re-fetch, not a fork.
    await n.clock.stop();
    await client.getAnchor({ verify: true });
  });

  it('serves the peer shape: anchor, receipt {signature, public_key (base58), kid}, interval, next_anchor_at', async () => {
    const n = await node();
    const made = await n.anchors.next();
    await n.clock.stop();
    const { body } = await getJson<AnchorResponse>(n.baseUrl, '/api/v1/beat/anchor');
    const key = n.keyring.active('anchor');
    expect(body).toEqual({
      anchor: made.anchor,
      receipt: { signature: made.signature, public_key: encodeBase58(key.publicKey), kid: key.kid },
      anchor_interval_sec: INTERVAL / 1000,
      next_anchor_at: new Date(made.anchor.utc + INTERVAL).toISOString(),
    });
    expect(Object.keys(body.anchor!).sort()).toEqual(
      ['beat_index', 'difficulty', 'entropy', 'epoch', 'hash', 'prev_hash', 'solana_entropy', 'type', 'utc'],
    );
    expect(await getJson(n.baseUrl, `/api/v1/beat/anchor/${made.anchor.beat_index}`)).toEqual({ status: 200, body });
  });

  it('lets a verifier check every stored anchor offline from /key and /anchor/:index', async () => {
    const n = await node();
    for (let i = 0; i < 4; i++) await n.anchors.next();
    await n.clock.stop();
    const chain = await verifyChainOffline(n.baseUrl);
    expect(chain.length).toBeGreaterThanOrEqual(4);
  });

  it('after a rotation signs new anchors with the new kid while old ones stay listed and verifiable', async () => {
    const n = await node();
    const before = await n.anchors.next();
    const oldKid = before.kid;
    const client = createBeatsClient({ baseUrl: n.baseUrl, timeoutMs: 5_000 });
    await client.getAnchor({ verify: true }); // caches the old key, as the peer's client does

    const res = await fetch(`${n.baseUrl}/api/v1/admin/rotate-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ use: 'anchor' }),
    });
    expect(res.status).toBe(200);
    const rotation = (await res.json()) as { kid: string; previous_kid: string };
    expect(rotation.previous_kid).toBe(oldKid);

    let after = await n.anchors.next();
    while (after.kid === oldKid) after = await n.anchors.next(); // one may have been in flight
    expect(after.kid).toBe(rotation.kid);
    await n.clock.stop();

    const { body: keys } = await getJson<KeyResponse>(n.baseUrl, '/api/v1/beat/key');
    expect(keys.kid).toBe(rotation.kid);
    expect(keys.keyset.find((k) => k.kid === oldKid)).toMatchObject({ use: 'anchor', valid_until: expect.any(Number) });
    const chain = await verifyChainOffline(n.baseUrl);
    expect(chain[0].kid).toBe(oldKid);
    expect(chain.at(-1)!.kid).toBe(rotation.kid);

    // A fresh peer client verifies the new anchors with the key /key now serves; a client that cached
    // the old key fails closed until it fetches /key again (the peer client pins its first key).
    const fresh = createBeatsClient({ baseUrl: n.baseUrl, timeoutMs: 5_000 });
    expect((await fresh.getAnchor({ verify: true }))._verified_receipt).toBe(true);
    await expect(client.getAnchor({ verify: true })).rejects.toThrow(/verification failed/);
  });

  it('answers 503 ANCHOR_UNAVAILABLE when the store cannot be read', async () => {
    const n = await node();
    await n.anchors.next();
    await n.clock.stop();
    n.reader.invalidate();
    await n.db.close();
    for (const path of ['/api/v1/beat/anchor', '/api/v1/beat/anchor/5']) {
      const res = await getJson(n.baseUrl, path);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'ANCHOR_UNAVAILABLE' });
    }
  });
});
