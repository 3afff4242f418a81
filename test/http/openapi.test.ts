// GET /openapi.json (architecture: HTTP surface): the document names exactly the routes Express has registered
// (every (method, path) pair, both ways), is structurally valid OpenAPI 3.1, derives request bodies from the routes'
// zod schemas, and answers like the other public routes (200 JSON with CORS, 405 with the error shape otherwise).
import { readFileSync } from 'node:fs';
import { METHODS } from 'node:http';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';
import { describeEachEngine } from '../helpers/engines.js';

/** What `router.listRoutes()` (router ≥ 2.3, Express 5's router) answers: routes, and mounted routers with their path. */
interface RouteInfo {
  path: string | RegExp;
  methods: string[] | undefined;
  router: ListableRouter | undefined;
}
interface ListableRouter {
  listRoutes?(): RouteInfo[];
}

/** Every route an app serves, as `METHOD /express/:path`, and the paths that only have an `.all()` (405) handler. */
interface Inventory {
  routes: string[];
  allOnly: string[];
}

/** `prefix` + `path` as Express joins a mount path and a route path (`/` mounts add nothing). */
function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}`;
  return joined === '' ? '/' : joined;
}

/**
 * Walks the app's router and every mounted router through the router's public `listRoutes()`, which reports
 * each `.use(path, router)` with the path it was mounted at, so full paths need no router internals. HEAD
 * (automatic for GET) is not listed; `.all()` entries (the 405 tails of real routes) are returned apart.
 */
function inventoryOf(app: express.Application): Inventory {
  const routes = new Set<string>();
  const all = new Set<string>();
  const walk = (router: ListableRouter, prefix: string): void => {
    if (typeof router.listRoutes !== 'function') throw new Error('router.listRoutes() is missing: the inventory needs router ≥ 2.3');
    for (const entry of router.listRoutes()) {
      if (typeof entry.path !== 'string') throw new Error(`a RegExp path (${String(entry.path)}) has no OpenAPI form`);
      const path = joinPath(prefix, entry.path);
      if (entry.router) {
        walk(entry.router, path);
        continue;
      }
      const methods = entry.methods ?? [];
      // `router.all()` is listed as '*'; Express's `app.all()` registers every method Node knows, one by one.
      if (methods.includes('*') || METHODS.every((m) => methods.includes(m))) {
        all.add(path);
        continue;
      }
      for (const method of methods) if (method !== 'HEAD' || !methods.includes('GET')) routes.add(`${method} ${path}`);
    }
  };
  walk((app as unknown as { router: ListableRouter }).router, '');
  const served = new Set([...routes].map((r) => r.slice(r.indexOf(' ') + 1)));
  return { routes: [...routes].sort(), allOnly: [...all].filter((p) => !served.has(p)).sort() };
}

type Json = Record<string, unknown>;
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Json>>;
  components: Json & { securitySchemes: Record<string, Json> };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every (method, path) pair the document names, as `METHOD /express/:path`. */
function documentedRoutes(doc: Doc): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) out.push(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
  }
  return out.sort();
}

/** The value at a local JSON pointer (`#/components/schemas/Error`), or undefined. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** Every `$ref` value anywhere in `node`, with where it was found. */
function refsIn(node: unknown, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => refsIn(v, `${at}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node as Json).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ at, ref: v }] : refsIn(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

/** `node` with one level of `$ref` followed. */
function deref<T>(doc: Doc, node: T | { $ref: string }): T {
  return (typeof node === 'object' && node !== null && '$ref' in node ? resolvePointer(doc, node.$ref) : node) as T;
}

/** Structural problems of an OpenAPI 3.1 document, as far as this service's document uses the format. */
function structuralProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const tags = new Set(doc.tags.map((t) => t.name));
  const schemes = new Set(Object.keys(doc.components.securitySchemes));
  const operationIds = new Set<string>();
  for (const { at, ref } of refsIn(doc)) {
    if (resolvePointer(doc, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: a path must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!HTTP_METHODS.has(method)) problems.push(`${where}: not an HTTP method`);
      if (typeof op.operationId !== 'string' || operationIds.has(op.operationId)) problems.push(`${where}: operationId missing or repeated`);
      operationIds.add(op.operationId as string);
      if (typeof op.summary !== 'string' || op.summary.length === 0) problems.push(`${where}: no summary`);
      for (const tag of (op.tags as string[] | undefined) ?? []) if (!tags.has(tag)) problems.push(`${where}: tag ${tag} is not declared`);
      for (const requirement of (op.security as Json[] | undefined) ?? []) {
        for (const name of Object.keys(requirement)) if (!schemes.has(name)) problems.push(`${where}: security scheme ${name} is not declared`);
      }
      const params = ((op.parameters as Json[] | undefined) ?? []).map((p) => deref<Json>(doc, p));
      const pathParams = params.filter((p) => p.in === 'path');
      if (JSON.stringify(pathParams.map((p) => p.name).sort()) !== JSON.stringify(templated)) {
        problems.push(`${where}: path parameters ${JSON.stringify(pathParams.map((p) => p.name))} differ from the template ${JSON.stringify(templated)}`);
      }
      for (const p of pathParams) if (p.required !== true || typeof p.schema !== 'object') problems.push(`${where}: path parameter ${String(p.name)} must be required, with a schema`);
      if (op.requestBody !== undefined) {
        const body = deref<Json>(doc, op.requestBody as Json);
        const content = body.content as Record<string, Json> | undefined;
        if (!content || Object.values(content).some((c) => typeof c.schema !== 'object')) problems.push(`${where}: requestBody without content schemas`);
      }
      const responses = op.responses as Record<string, Json> | undefined;
      if (!responses || Object.keys(responses).length === 0) {
        problems.push(`${where}: no responses`);
        continue;
      }
      for (const [status, response] of Object.entries(responses)) {
        if (status !== 'default' && !/^[1-5](?:[0-9]{2}|XX)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof deref<Json>(doc, response)?.description !== 'string') problems.push(`${where} ${status}: a response needs a description`);
      }
    }
  }
  return problems;
}

/** The schema of a response's JSON body, `$ref`s to responses followed. */
function jsonSchemaOfResponse(doc: Doc, response: Json): Json | undefined {
  const content = deref<Json>(doc, response).content as Record<string, { schema: Json }> | undefined;
  return content?.['application/json']?.schema;
}

const ERROR_REF = '#/components/schemas/Error';
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describeEachEngine('GET /openapi.json', (ctx) => {
  let svc: TestService;
  let doc: Doc;
  beforeAll(async () => {
    svc = await startTestService(ctx.db);
    doc = (await request(svc.app).get('/openapi.json').expect(200)).body as Doc;
  });
  afterAll(() => svc?.close());

  it('names exactly the (method, path) pairs Express has registered', () => {
    const { routes, allOnly } = inventoryOf(svc.app);
    // The walk reached every mounted router, nested ones too (the registry's admin routes inside the admin router).
    expect(routes).toEqual(expect.arrayContaining([
      'GET /', 'GET /api/health', 'GET /metrics', 'GET /openapi.json', 'GET /api/v1/beat/anchor/:index',
      'POST /api/v1/admin/rotate-key', 'POST /api/v1/admin/sigil', 'POST /api/v1/agent/spawn', 'DELETE /api/v1/agent/sponsor',
      'POST /api/v1/agent/key/rotate', 'GET /api/v1/agent/beat-status/:hash',
    ]));
    expect(routes).toHaveLength(27);
    // A missing route fails here with its name, and so does a documented route that does not exist.
    expect(documentedRoutes(doc)).toEqual(routes);
    // Every `.all()` handler is the 405 tail of a served path: nothing answers every method undocumented.
    expect(allOnly).toEqual([]);
  });

  it('is structurally valid OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Beats');
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('reports the version /api/health reports, from package.json', async () => {
    const health = await request(svc.app).get('/api/health').expect(200);
    expect(doc.info.version).toBe(PACKAGE_VERSION);
    expect(doc.info.version).toBe(health.body.version);
  });

  it('shares one error shape: every 4xx/5xx answer and every default is components/schemas/Error', () => {
    const error = resolvePointer(doc, ERROR_REF) as Json;
    expect(error.required).toEqual(['error', 'code']);
    expect((error.properties as Record<string, Json>).error.type).toBe('string');
    expect((error.properties as Record<string, Json>).code).toMatchObject({ type: 'string' });
    expect((error.properties as Record<string, { enum: string[] }>).code.enum).toEqual(expect.arrayContaining(['VALIDATION', 'METHOD_NOT_ALLOWED', 'RATE_LIMITED']));
    const off: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          if (status !== 'default' && Number(status) < 400) continue;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          // Seed 001's beat-status 404 is its own body, not an error: the one documented exception.
          if (where === 'GET /api/v1/agent/beat-status/{hash} 404') continue;
          if (jsonSchemaOfResponse(doc, response)?.$ref !== ERROR_REF) off.push(where);
        }
        if ((op.responses as Json).default === undefined) off.push(`${method.toUpperCase()} ${path} has no default`);
      }
    }
    expect(off).toEqual([]);
  });

  it('takes bodies and params from the routes\' zod schemas (input side, strict objects, optional bodies)', () => {
    const body = (method: string, path: string) => doc.paths[path][method].requestBody as { required: boolean; content: Record<string, { schema: Json }> };
    const sponsor = body('post', '/api/v1/agent/sponsor');
    expect(sponsor.required).toBe(true);
    expect(sponsor.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['child_hash'],
      additionalProperties: false,
      properties: {
        child_hash: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' },
        max_heartbeats_epoch: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    });
    expect(body('post', '/api/v1/admin/rotate-key').content['application/json'].schema).toMatchObject({
      properties: { use: { enum: ['anchor', 'work_proof'] } }, required: ['use'],
    });
    // The routes accept no body at all here: the schema is `.optional()`.
    expect(body('post', '/api/v1/agent/heartbeat').required).toBe(false);
    expect(body('post', '/api/v1/agent/key/rotate').required).toBe(false);
    expect(body('post', '/api/v1/agent/beats/submit').required).toBe(true);
    expect(body('post', '/api/v1/beat/timestamp').content['application/json'].schema).toMatchObject({
      required: ['hash'], properties: { hash: { pattern: '^[0-9a-f]{64}$' } },
    });
    expect(doc.paths['/api/v1/beat/anchor/{index}'].get.parameters).toEqual([
      { name: 'index', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{1,16}$' } },
    ]);
    expect(doc.paths['/api/v1/status/{hash}'].get.parameters).toEqual([
      { name: 'hash', in: 'path', required: true, schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } },
    ]);
    // Routes behind keys say so.
    expect(doc.paths['/api/v1/agent/spawn'].post.security).toEqual([{ agentKey: [] }]);
    expect(doc.paths['/api/v1/admin/sigil'].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/api/v1/agent/beat-status/{hash}'].get.security).toBeUndefined();
  });

  it('answers 200 application/json with CORS, 204 to a preflight, and 405 with the error shape to other methods', async () => {
    const res = await request(svc.app).get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8$/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    await request(svc.app).options('/openapi.json').expect(204);
    for (const method of ['post', 'put', 'delete'] as const) {
      const refused = await request(svc.app)[method]('/openapi.json').expect(405);
      expect(refused.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect(refused.body).toEqual({ error: expect.any(String), code: 'METHOD_NOT_ALLOWED' });
    }
  });

  it('every documented path answers an undocumented method with 405 and an Allow naming its methods, and OPTIONS with 204', async () => {
    const doc = (await request(svc.app).get('/openapi.json').expect(200)).body as Doc;
    const sample: Record<string, string> = { hash: '0x' + 'ab'.repeat(32), index: '0' };
    for (const [path, item] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? 'x');
      const methods = Object.keys(item).map((m) => m.toUpperCase());
      const refused = await request(svc.app).patch(url).set('authorization', 'Bearer admin-token-for-tests-0123').send({});
      expect([refused.status, refused.body.code], `PATCH ${url}`).toEqual([405, 'METHOD_NOT_ALLOWED']);
      const allowed = String(refused.headers.allow).split(', ');
      expect(allowed, `Allow of ${url}`).toEqual(expect.arrayContaining(methods));
      if (allowed.includes('OPTIONS')) await request(svc.app).options(url).set('authorization', 'Bearer admin-token-for-tests-0123').expect(204);
    }
  });
}, { engines: ['sqlite'] });

describe('GET /openapi.json without services', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });

  it('names only health, metrics and itself, as the bare app serves them', async () => {
    const app = createApp({ config, logger: createLogger(config), version: '9.9.9' });
    const doc = (await request(app).get('/openapi.json').expect(200)).body as Doc;
    expect(documentedRoutes(doc)).toEqual(['GET /api/health', 'GET /metrics', 'GET /openapi.json']);
    expect(inventoryOf(app).routes).toEqual(documentedRoutes(doc));
    expect(doc.info.version).toBe('9.9.9');
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('the inventory sees a router the document does not name (the comparison fails on a missing route)', async () => {
    const extra = express.Router();
    const nested = express.Router();
    nested.post('/deep/:id', (_req, res) => void res.json({}));
    extra.get('/thing', (_req, res) => void res.json({}));
    extra.use('/inner', nested);
    const app = createApp({ config, logger: createLogger(config), routers: [{ path: '/extra', router: extra }] });
    const doc = (await request(app).get('/openapi.json').expect(200)).body as Doc;
    const { routes } = inventoryOf(app);
    expect(routes.filter((r) => !documentedRoutes(doc).includes(r))).toEqual(['GET /extra/thing', 'POST /extra/inner/deep/:id']);
  });
});
