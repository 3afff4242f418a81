// Builds the browser page into dist/web/: esbuild bundles service/web/main.ts (an ES module) and
// service/web/prover-worker.ts (a classic worker) for ES2022, minified with source maps; index.html,
// styles.css, the icon and the two WASM builds are copied. Every asset is referenced with
// `?v=<content hash>` and listed in manifest.json, so the server can cache them for a year and
// index.html (always revalidated) picks up new versions. `node scripts/build-web.js [outDir]`.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'service', 'web');
const WASM = join(ROOT, 'prover-wasm', 'build');

/** Files copied as they are: [source, name in the output]. */
const COPIED = [
  [join(WEB, 'styles.css'), 'styles.css'],
  [join(WEB, 'favicon.svg'), 'favicon.svg'],
  [join(WASM, 'beats-simd.wasm'), 'beats-simd.wasm'],
  [join(WASM, 'beats-scalar.wasm'), 'beats-scalar.wasm'],
];

/** First 16 hex of SHA-256: the version an asset is requested with. */
function versionOf(bytes) {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Bundles one entry point in memory; returns its JS (with the source-map comment) and map. */
async function bundle(entry, format, define, outDir) {
  const result = await build({
    entryPoints: [join(WEB, entry)],
    bundle: true,
    format,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    absWorkingDir: ROOT,
    outdir: outDir, // source-map paths are relative to where the bundle lands
    write: false,
    define,
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  return { js: js.contents, map: map.contents };
}

/** Replaces `needle` in `html` exactly once, or fails the build (index.html and this script disagree). */
function replaceOnce(html, needle, replacement) {
  const count = html.split(needle).length - 1;
  if (count !== 1) throw new Error(`index.html should contain ${needle} once, found ${count}`);
  return html.replace(needle, replacement);
}

/** Builds the page into `outDir` (default dist/web); returns the manifest of asset versions. */
export async function buildWeb(outDir = join(ROOT, 'dist', 'web')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const manifest = {};
  const write = (name, bytes) => {
    writeFileSync(join(outDir, name), bytes);
    manifest[name] = versionOf(bytes);
    return `${name}?v=${manifest[name]}`;
  };

  for (const [source, name] of COPIED) {
    copyFileSync(source, join(outDir, name));
    manifest[name] = versionOf(readFileSync(source));
  }
  const url = (name) => `${name}?v=${manifest[name]}`;

  const worker = await bundle('prover-worker.ts', 'iife', {
    BEATS_WASM_URLS: JSON.stringify({ simd: url('beats-simd.wasm'), scalar: url('beats-scalar.wasm') }),
  }, outDir);
  writeFileSync(join(outDir, 'prover-worker.js.map'), worker.map);
  const workerUrl = write('prover-worker.js', worker.js);

  const main = await bundle('main.ts', 'esm', { BEATS_WORKER_URL: JSON.stringify(workerUrl) }, outDir);
  writeFileSync(join(outDir, 'main.js.map'), main.map);
  const mainUrl = write('main.js', main.js);

  let html = readFileSync(join(WEB, 'index.html'), 'utf8');
  html = replaceOnce(html, 'src="main.js"', `src="${mainUrl}"`);
  html = replaceOnce(html, 'href="styles.css"', `href="${url('styles.css')}"`);
  html = replaceOnce(html, 'href="favicon.svg"', `href="${url('favicon.svg')}"`);
  writeFileSync(join(outDir, 'index.html'), html);
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  await buildWeb(outDir);
}
