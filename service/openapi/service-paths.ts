// The routes every app has (health, metrics, this document), and the browser page at `/`.
import { jsonResponse, ref } from './components.js';
import type { Area } from './types.js';

/** What the app serves without a route, so the document leaves it out: the page's files (`/main.js`, `/prover-worker.js`, the WASM, …). */
export const UNLISTED = ['the page\'s static files under / (express.static over dist/web: main.js, prover-worker.js, *.wasm, styles.css, …)'] as const;

/** Health, metrics and the OpenAPI document: mounted on every app. */
export const serviceArea: Area = {
  tag: { name: 'service', description: 'Operating the service: health, Prometheus metrics, this document.' },
  routes: [
    {
      method: 'get', path: '/api/health', operationId: 'health', tag: 'service',
      summary: 'Liveness: `{ok, version, uptime_s}` (503 SHUTTING_DOWN while draining; CORS `*`)',
      responses: {
        200: jsonResponse('The service is up.', {
          type: 'object',
          required: ['ok', 'version', 'uptime_s'],
          properties: { ok: { const: true }, version: { type: 'string' }, uptime_s: { type: 'integer', minimum: 0 } },
        }),
        503: ref('responses', 'Unavailable'),
      },
    },
    {
      method: 'get', path: '/metrics', operationId: 'metrics', tag: 'service',
      summary: 'Prometheus metrics (text exposition format 0.0.4)',
      responses: {
        200: { description: 'Every metric of this app.', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'get', path: '/openapi.json', operationId: 'openapi', tag: 'service',
      summary: 'This document: every route the app serves (OpenAPI 3.1; CORS `*`)',
      responses: { 200: jsonResponse('The OpenAPI 3.1 document.', { type: 'object', required: ['openapi', 'info', 'paths'] }) },
    },
  ],
};

/** The browser page. */
export const webArea: Area = {
  tag: { name: 'web', description: 'The browser page (prove work, check receipts) under its own strict CSP.' },
  routes: [
    {
      method: 'get', path: '/', operationId: 'page', tag: 'web',
      summary: 'The page (index.html); its assets are served from `/<file>` and not listed',
      responses: {
        200: { description: 'index.html.', content: { 'text/html': { schema: { type: 'string' } } } },
        404: ref('responses', 'NotFound'),
      },
    },
  ],
};
