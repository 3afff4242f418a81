#!/usr/bin/env node
// Entry point of `npx beats`: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/service/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('beats error: not built yet; run `npm install` (or `npm run build`) in the package first');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
