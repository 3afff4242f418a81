// The browser page (issue 6): `/` and its assets from dist/web (built by scripts/build-web.js), with
// a strict Content-Security-Policy and caching by content version. Mounted at '/' after the API
// routes; anything that is not one of the page's files falls through to the JSON 404.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import helmet from 'helmet';
import { AppError, methodNotAllowed } from '../errors.js';

/**
 * The page's policy: scripts and workers only from this origin (no inline script), WebAssembly
 * compilation allowed ('wasm-unsafe-eval'), fetches only to this origin, no framing, no plugins.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The policy above as helmet's directives (one source of truth for both). */
function cspDirectives(policy: string): Record<string, string[]> {
  return Object.fromEntries(policy.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name, values];
  }));
}

/**
 * helmet's security headers (HSTS, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection: 0, …) with the page's own CSP, frame and
 * referrer policies; SECURITY_HEADERS below are set after it, so nothing of the page's policy weakens.
 */
const pageHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(WEB_CONTENT_SECURITY_POLICY) },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  // HSTS matters only behind TLS (browsers ignore it over plain HTTP); this host only, not its subdomains.
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
});

/** Headers on every response of the page and its assets (a worker takes its CSP from its own response). */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': WEB_CONTENT_SECURITY_POLICY,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** An asset requested with its current content version never changes: cache it for a year. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html and unversioned requests: revalidate every time (ETag / Last-Modified). */
export const REVALIDATE_CACHE = 'no-cache';

/** Options of the web routes. */
export interface WebRoutesOptions {
  /** The built page (default: dist/web, found from this module's location). */
  dir?: string;
}

/** dist/web, from sources (service/routes → ../../dist/web) and from the build (dist/service/routes → ../../web). */
export function defaultWebDir(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return basename(root) === 'dist' ? join(root, 'web') : join(root, 'dist', 'web');
}

/** The page's router: GET `/` → index.html, GET `/<asset>` → the built file; other paths fall through. */
export function webRoutes(options: WebRoutesOptions = {}): Router {
  const dir = options.dir ?? defaultWebDir();
  const versions = new ManifestCache(join(dir, 'manifest.json'));
  const router = Router();

  const setHeaders = (res: Response, path: string) => {
    // helmet only sets headers and calls next, synchronously: applied here, it covers exactly the page's files.
    pageHelmet(res.req as Request, res, () => undefined);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const name = basename(path);
    const requested = (res.req as Request).query.v;
    const current = name === 'index.html' ? undefined : versions.get()[name];
    res.setHeader('Cache-Control', current !== undefined && requested === current ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
  };

  router.get('/', (_req, res, next) => {
    if (!existsSync(join(dir, 'index.html'))) {
      next(new AppError('NOT_FOUND', 'The web page is not built: run npm run build:web'));
      return;
    }
    setHeaders(res, 'index.html');
    res.sendFile('index.html', { root: dir, cacheControl: false }, (error) => {
      if (error) next(error);
    });
  });
  router.all('/', methodNotAllowed(['GET', 'HEAD']));

  router.use(
    express.static(dir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      cacheControl: false,
      etag: true,
      lastModified: true,
      fallthrough: true,
      setHeaders,
    }),
  );
  return router;
}

/** manifest.json (asset → content version), re-read when the build rewrites it. */
class ManifestCache {
  private mtimeMs = -1;
  private versions: Record<string, string> = {};

  constructor(private readonly path: string) {}

  get(): Record<string, string> {
    try {
      const { mtimeMs } = statSync(this.path);
      if (mtimeMs !== this.mtimeMs) {
        this.versions = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
        this.mtimeMs = mtimeMs;
      }
    } catch {
      this.versions = {}; // not built, or being rebuilt: nothing is immutable
      this.mtimeMs = -1;
    }
    return this.versions;
  }
}
