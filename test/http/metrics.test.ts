// GET /metrics in Prometheus text: HTTP requests by route pattern (never a raw URL) and status, work-proof
// verification latency, the prover queue, anchors made, agents by stored status, freezes, receipts spent
// and refused by reason; each app counts in its own registry, never prom-client's global one.
import { register as globalRegistry } from 'prom-client';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, METRICS } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import type { AppMetrics } from '../../service/metrics/app-metrics.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, expectError } from '../registry/harness.js';

/** The value of one sample line `name{labels} value` of a Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describeEachEngine('GET /metrics', (ctx) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
  });
  afterAll(() => reg.close());

  const scrape = async () => {
    const res = await request(reg.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  it('counts requests by route pattern and status, and verification latency by outcome', async () => {
    const agent = await reg.ready('metered');
    await reg.status(agent.hash).expect(200);
    await reg.status('0x' + 'ab'.repeat(32)).expect(404);
    await request(reg.app).get(`/no/such/path/${agent.hash}`).expect(404);
    await request(reg.app).post('/api/v1/beat/work-proof').send({ x: 1 }).expect(400);
    await reg.receipt(agent.hash, 300);

    const text = await scrape();
    expect(sample(text, 'beats_http_requests_total', { method: 'GET', route: '/api/v1/status/:hash', status: '200' })).toBe(1);
    expect(sample(text, 'beats_http_requests_total', { method: 'GET', route: '/api/v1/status/:hash', status: '404' })).toBe(1);
    expect(sample(text, 'beats_http_requests_total', { method: 'POST', route: '/api/v1/register', status: '201' })).toBe(1);
    // An error raised inside a router keeps the router's mount path in its pattern.
    expect(sample(text, 'beats_http_requests_total', { method: 'POST', route: '/api/v1/beat/work-proof', status: '400' })).toBe(1);
    expect(sample(text, 'beats_http_requests_total', { method: 'POST', route: '/api/v1/beat/work-proof', status: '200' })).toBe(1);
    expect(sample(text, 'beats_http_requests_total', { method: 'GET', route: '<unmatched>', status: '404' })).toBe(1);
    expect(sample(text, 'beats_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/status/:hash', status: '200' })).toBe(1);
    // Raw URLs never become labels.
    expect(text).not.toContain(agent.hash);
    expect(text).not.toContain('/no/such/path');

    expect(sample(text, 'beats_work_proof_verification_seconds_count', { operation: 'submit', outcome: 'valid' })).toBe(1);
    expect(sample(text, 'beats_work_proof_verification_seconds_count', { operation: 'submit', outcome: 'validation' })).toBe(1);
    expect(sample(text, 'beats_prover_queue_depth')).toBe(0);
    expect(sample(text, 'beats_anchors_made_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'beats_anchor_leader')).toBe(1);
    expect(sample(text, 'beats_anchor_head_index')).toBe((await reg.head()).index);
    expect(sample(text, 'beats_agents', { status: 'active' })).toBe(1);
    expect(sample(text, 'beats_agents', { status: 'frozen' })).toBe(0);
  });

  it('counts agents by status, freezes, and receipts spent and refused by reason', async () => {
    await reg.register('never-initialized');
    const agent = await reg.ready('to-freeze');
    const before = await scrape();
    const frozenBefore = sample(before, 'beats_agents_frozen_total') ?? 0;
    const anchorsBefore = sample(before, 'beats_anchors_made_total')!;

    // Past the deadline the switch freezes both initialized agents (this suite's first one too).
    await reg.nextAnchor(61);
    let text = await scrape();
    expect(sample(text, 'beats_anchors_made_total')).toBe(anchorsBefore + 61);
    expect(sample(text, 'beats_agents_frozen_total')).toBe(frozenBefore + 2);
    expect(sample(text, 'beats_agents', { status: 'frozen' })).toBe(2);
    expect(sample(text, 'beats_agents', { status: 'registered' })).toBe(1);

    expectError(await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: 'not a receipt' }), 402, 'INVALID_RECEIPT');
    const receipt = await reg.receipt(agent.hash, 6100);
    await reg.post(agent, '/api/v1/agent/resync', { beats_receipt: receipt }).expect(200);
    expectError(await reg.post(agent, '/api/v1/agent/beats/submit', { beats_receipt: receipt }), 402, 'INVALID_RECEIPT');
    // No receipt at all is a price, not a refused receipt.
    expectError(await reg.post((await reg.ready('priced')).apiKey, '/api/v1/agent/resync', {}), 409, 'AGENT_WRONG_STATE');

    // A valid receipt whose spend is rolled back (the agent is not frozen): nothing counted as spent.
    const priced = await reg.ready('rolled-back');
    expectError(await reg.post(priced, '/api/v1/agent/resync', { beats_receipt: await reg.receipt(priced.hash, 100) }), 409, 'AGENT_WRONG_STATE');
    await reg.post(priced, '/api/v1/agent/beats/submit', { beats_receipt: await reg.receipt(priced.hash, 500) }).expect(200);

    text = await scrape();
    expect(sample(text, 'beats_receipts_consumed_total', { purpose: 'resync' })).toBe(1);
    expect(sample(text, 'beats_receipts_consumed_total', { purpose: 'beats_submit' })).toBe(1);
    expect(sample(text, 'beats_receipts_refused_total', { reason: 'malformed_receipt' })).toBe(1);
    expect(sample(text, 'beats_receipts_refused_total', { reason: 'already_consumed' })).toBe(1);
    expect(sample(text, 'beats_agents', { status: 'frozen' })).toBe(1);
    expect(sample(text, 'beats_agents', { status: 'active' })).toBe(3);
  });

  it('keeps each app in its own registry, apart from prom-client’s global one', async () => {
    const config = loadConfig({ DATA_DIR: '/nonexistent', LOG_LEVEL: 'silent' });
    const bare = createApp({ config, logger: createLogger(config) });
    await request(bare).get('/api/health').expect(200);
    const text = (await request(bare).get('/metrics').expect(200)).text;
    expect(sample(text, 'beats_http_requests_total', { route: '/api/health', status: '200' })).toBe(1);
    expect(sample(text, 'beats_http_requests_total', { route: '/api/v1/register' })).toBeUndefined();
    expect((reg.app.locals[METRICS] as AppMetrics).registry).not.toBe(globalRegistry);
    expect(await globalRegistry.getMetricsAsJSON()).toEqual([]);
    expect((await request(bare).post('/metrics').expect(405)).body.code).toBe('METHOD_NOT_ALLOWED');
  });
});
