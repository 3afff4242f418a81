// The page's routes over HTTP: index.html at `/` with a strict CSP and no-cache, assets with their
// MIME types (application/wasm), a year of caching only for the current content version, the JSON
// 404 and 405 still answering for everything else, and a clear 404 when the page is not built.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import { defaultWebDir, IMMUTABLE_CACHE, REVALIDATE_CACHE, WEB_CONTENT_SECURITY_POLICY, webRoutes } from '../../service/routes/web-routes.js';
import { buildWebInto } from '../helpers/web-service.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beats-web-routes-'));
  dirs.push(dir);
  return dir;
}

function appServing(dir: string) {
  const config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' });
  return createApp({ config, logger: createLogger(config), routers: [{ path: '/', router: webRoutes({ dir }) }] });
}

describe('web routes', () => {
  let dir: string;
  let manifest: Record<string, string>;
  let app: ReturnType<typeof createApp>;

  beforeAll(() => {
    dir = tempDir();
    buildWebInto(dir);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    app = appServing(dir);
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('GET / is index.html with the strict CSP, revalidated on every load', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe(REVALIDATE_CACHE);
    expect(res.headers.etag).toBeDefined();
    const csp = res.headers['content-security-policy'];
    expect(csp).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // No inline script: every <script> has a src, and it carries the content version.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).toContain(`src="main.js?v=${manifest['main.js']}"`);
    expect(res.text).toContain(`href="styles.css?v=${manifest['styles.css']}"`);
  });

  it('answers a revalidation with 304', async () => {
    const first = await request(app).get('/').expect(200);
    await request(app).get('/').set('If-None-Match', first.headers.etag).expect(304);
  });

  it.each([
    ['beats-simd.wasm', 'application/wasm'],
    ['beats-scalar.wasm', 'application/wasm'],
    ['main.js', 'text/javascript; charset=utf-8'],
    ['prover-worker.js', 'text/javascript; charset=utf-8'],
    ['styles.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ])('%s is served as %s, immutable at its current version', async (name, type) => {
    const res = await request(app).get(`/${name}?v=${manifest[name]}`).expect(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe(IMMUTABLE_CACHE);
    // The worker takes its CSP from its own response: it must allow WASM compilation too.
    expect(res.headers['content-security-policy']).toBe(WEB_CONTENT_SECURITY_POLICY);
  });

  it('an asset without its current version is revalidated, never cached for long', async () => {
    expect((await request(app).get('/main.js').expect(200)).headers['cache-control']).toBe(REVALIDATE_CACHE);
    expect((await request(app).get('/main.js?v=0000000000000000').expect(200)).headers['cache-control']).toBe(REVALIDATE_CACHE);
    expect((await request(app).get('/main.js.map').expect(200)).headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('leaves every other path to the JSON 404, and answers 405 for other methods on /', async () => {
    const missing = await request(app).get('/nope.js').expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    expect(missing.headers['content-security-policy']).toBeUndefined();
    expect((await request(app).get('/api/v1/nothing').expect(404)).body.code).toBe('NOT_FOUND');
    expect((await request(app).get('/../package.json').expect(404)).body.code).toBe('NOT_FOUND');
    const post = await request(app).post('/').expect(405);
    expect(post.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('a server whose page is not built answers / with a JSON 404 that says so', async () => {
    const res = await request(appServing(tempDir())).get('/').expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', error: expect.stringContaining('npm run build:web') });
  });

  it('finds dist/web from the sources (as from dist/service/routes)', () => {
    expect(defaultWebDir()).toBe(join(process.cwd(), 'dist', 'web'));
  });
});
