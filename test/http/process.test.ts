// The service as an operator runs it: `beats serve` in its own process, configuration from the
// environment, a clean stop on SIGTERM, and a one-line refusal of a bad setting.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'beats-process-'));
/** What the first run served: its head anchor and its work-proof key. */
let firstRun: { head: { beat_index: number; hash: string }; workProofKey: string } | undefined;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `beats serve` and resolves with its URL once it logs that it listens. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        const entry = JSON.parse(line);
        if (entry.msg === 'beats service listening') resolve(entry.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${lines.join('\n')}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, listening, exited };
}

describe('beats serve', () => {
  it('serves on the configured port with SQLite in DATA_DIR, keeps the seed 0600, and stops cleanly on SIGTERM', async () => {
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const proc = serve({ PORT: port, DATA_DIR: dataDir, ANCHOR_INTERVAL_MS: '500', LOG_LEVEL: 'info' });
    const url = await proc.listening;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect((await (await fetch(`${url}/api/health`)).json()).ok).toBe(true);
    const anchor = await (await fetch(`${url}/api/v1/beat/anchor`)).json();
    expect(anchor.anchor.beat_index).toBeGreaterThanOrEqual(0);
    expect(statSync(join(dataDir, 'signing-seed')).mode & 0o777).toBe(0o600);
    const key = await (await fetch(`${url}/api/v1/beat/key`)).json();
    firstRun = { head: (await (await fetch(`${url}/api/v1/beat/anchor`)).json()).anchor, workProofKey: key.keys.work_proof.public_key_hex };
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const messages = proc.lines.map((l) => JSON.parse(l).msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    expect(proc.lines.join('\n')).not.toMatch(/[0-9a-f]{64}.*seed|seed.*[0-9a-f]{64}/i);
  });

  it('restarted on the same DATA_DIR, it reuses the seed and continues the anchor chain without a gap or fork', async () => {
    expect(firstRun).toBeDefined();
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const proc = serve({ PORT: port, DATA_DIR: dataDir, ANCHOR_INTERVAL_MS: '500' });
    const url = await proc.listening;
    const get = async (path: string) => (await fetch(`${url}${path}`)).json();
    let head = (await get('/api/v1/beat/anchor')).anchor;
    for (let i = 0; i < 100 && head.beat_index <= firstRun!.head.beat_index; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      head = (await get('/api/v1/beat/anchor')).anchor;
    }
    expect(head.beat_index).toBeGreaterThan(firstRun!.head.beat_index);
    expect((await get(`/api/v1/beat/anchor/${firstRun!.head.beat_index}`)).anchor.hash).toBe(firstRun!.head.hash);
    expect((await get(`/api/v1/beat/anchor/${firstRun!.head.beat_index + 1}`)).anchor.prev_hash).toBe(firstRun!.head.hash);
    expect((await get('/api/v1/beat/key')).keys.work_proof.public_key_hex).toBe(firstRun!.workProofKey);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it.each([
    ['ANCHOR_INTERVAL_MS', 'soon'],
    ['BEATS_SIGNING_SEED', 'not-hex'],
    ['RATE_LIMITS', 'maybe'],
    ['PORT', '70000'],
  ])('a bad %s stops it with one line naming the variable and a non-zero exit', (name, value) => {
    const r = spawnSync(process.execPath, [BIN, 'serve'], { env: { ...process.env, DATA_DIR: dataDir, [name]: value }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(name);
    if (name === 'BEATS_SIGNING_SEED') expect(r.stderr).not.toContain(value);
  });
});
