// Hardening in one process: helmet's headers on the page without weakening its CSP, a draining app
// refusing new requests with 503 SHUTTING_DOWN and `Connection: close`, and startService draining on
// close(): the request in flight is answered, a pipelined one refused, no new connection accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, DRAINING } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import { startService } from '../../service/main.js';
import { WEB_CONTENT_SECURITY_POLICY, webRoutes } from '../../service/routes/web-routes.js';
import { buildWebInto } from '../helpers/web-service.js';
import { collectUntilClose, openSocket } from '../helpers/raw-socket.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beats-hardening-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('security headers of the page', () => {
  it('are helmet’s, with the page’s own CSP, frame and referrer policies unchanged', async () => {
    const dir = tempDir();
    buildWebInto(dir);
    const config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' });
    const app = createApp({ config, logger: createLogger(config), routers: [{ path: '/', router: webRoutes({ dir }) }] });
    for (const path of ['/', '/main.js']) {
      const { headers } = await request(app).get(path).expect(200);
      expect(headers['content-security-policy']).toBe(WEB_CONTENT_SECURITY_POLICY);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['strict-transport-security']).toBe('max-age=31536000');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-dns-prefetch-control']).toBe('off');
      expect(headers['x-permitted-cross-domain-policies']).toBe('none');
      expect(headers['x-xss-protection']).toBe('0');
      expect(headers['origin-agent-cluster']).toBe('?1');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-resource-policy']).toBe('same-origin');
    }
    // The public API keeps answering cross-origin reads (no CORP from the page's helmet there).
    const api = await request(app).get('/api/health').expect(200);
    expect(api.headers['access-control-allow-origin']).toBe('*');
    expect(api.headers['cross-origin-resource-policy']).toBeUndefined();
  });
});

describe('draining', () => {
  it('a draining app answers 503 SHUTTING_DOWN with Connection: close and Retry-After', async () => {
    const config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' });
    const app = createApp({ config, logger: createLogger(config) });
    await request(app).get('/api/health').expect(200);
    app.locals[DRAINING] = true;
    const res = await request(app).get('/api/health').expect(503);
    expect(res.body.code).toBe('SHUTTING_DOWN');
    expect(res.headers.connection).toBe('close');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('startService.close(): the request in flight gets its answer, a pipelined one 503, a new connection is refused', async () => {
    const config = loadConfig({ DATA_DIR: tempDir(), PORT: '0', LOG_LEVEL: 'silent', PROVER_THREADS: '1', ANCHOR_INTERVAL_MS: '60000' });
    const running = await startService(config);
    const { port } = new URL(running.url);
    const body = JSON.stringify({ beat: { prev: '0'.repeat(64), index: 1, difficulty: 100, hash: '1'.repeat(64) } });
    const socket = await openSocket(Number(port));
    const received = collectUntilClose(socket);
    // Headers and half the body: the request is in flight when the drain begins.
    socket.write(`POST /api/v1/beat/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = running.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(openSocket(Number(port))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    socket.write(body.slice(10) + 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await received;
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable']);
    expect(answers[0]).toContain('"valid":false');
    expect(answers[1]).toMatch(/\r\nConnection: close\r\n/i);
    expect(answers[1]).toContain('"code":"SHUTTING_DOWN"');
    await closing;
  });
});
