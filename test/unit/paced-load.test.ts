// The paced load generator (service/bench/paced-load.ts) against a real HTTP server: it sends exactly rate ×
// duration requests, counts every answer by kind and status, and measures latency from when a request was due,
// so a server that stalls shows the stall in the requests that fell due during it (coordinated omission).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacedLoad } from '../../service/bench/paced-load.js';

const STALL_MS = 200;

describe('runPacedLoad', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/stall') {
        // Blocks the server's only thread: everything due meanwhile waits, as behind a long synchronous task.
        const until = performance.now() + STALL_MS;
        while (performance.now() < until);
      }
      req.resume().on('end', () => {
        if (req.url === '/fail') res.writeHead(500).end('{}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/wrong' ? '{"ok":false}' : '{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends rate × duration requests and counts them by kind and status, with check() marking wrong 2xx answers', async () => {
    const kinds = ['ok', 'fail', 'wrong', 'post'] as const;
    const result = await runPacedLoad({
      url, rate: 200, durationS: 0.5,
      request: (i) => {
        const kind = kinds[i % kinds.length];
        return kind === 'post'
          ? { kind, method: 'POST', path: '/ok', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }
          : { kind, method: 'GET', path: `/${kind}` };
      },
      check: (_request, _status, body) => body === '{"ok":true}',
    });
    expect(result).toMatchObject({ sent: 100, answered: 100, errors: 0, timeouts: 0, non2xx: 25, bad: 25, statusCodes: { 200: 75, 500: 25 } });
    expect(Object.fromEntries(Object.entries(result.byKind).map(([kind, f]) => [kind, f.count]))).toEqual({ ok: 25, fail: 25, wrong: 25, post: 25 });
    expect(result.latencyMs.count).toBe(100);
  });

  it('counts from when a request was due: those due during a stall wait at least the rest of it', async () => {
    // 100 requests/s: request 10 (due at 100 ms) stalls the server 200 ms; requests 11–20 fall due at 110–200 ms,
    // so none can be answered before the stall ends, at least 300 ms after the start.
    const result = await runPacedLoad({
      url, rate: 100, durationS: 0.5,
      request: (i) => ({ kind: i === 10 ? 'stall' : i > 10 && i <= 20 ? 'due-during-stall' : 'other', method: 'GET', path: i === 10 ? '/stall' : '/ok' }),
    });
    expect(result).toMatchObject({ sent: 50, answered: 50, errors: 0, non2xx: 0 });
    const during = result.byKind['due-during-stall'];
    expect(during.count).toBe(10);
    // Each was due at most 200 ms after the start and answered at least 300 ms after it.
    expect(Math.min(during.p50, during.p90, during.p99)).toBeGreaterThanOrEqual(100);
    expect(result.byKind.stall.max).toBeGreaterThanOrEqual(STALL_MS);
  });

  it('refuses a rate or duration that is not positive', async () => {
    await expect(runPacedLoad({ url, rate: 0, durationS: 1, request: () => ({ kind: 'x', method: 'GET', path: '/' }) })).rejects.toThrow(RangeError);
    await expect(runPacedLoad({ url, rate: 10, durationS: -1, request: () => ({ kind: 'x', method: 'GET', path: '/' }) })).rejects.toThrow(RangeError);
  });
});
