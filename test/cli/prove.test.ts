// beats prove and beats verify-receipt as a user runs them, against a listening service.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { startTestService, type TestService } from '../helpers/beats-service.js';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;

/** Runs the CLI without blocking the event loop (the service answers from this process). */
function beats(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

describeEachEngine('beats prove / verify-receipt', (ctx) => {
  let svc: TestService;
  let dir: string;
  beforeAll(async () => {
    svc = await startTestService(ctx.db, { ANCHOR_INTERVAL_MS: '1000' });
    dir = mkdtempSync(join(tmpdir(), 'beats-cli-'));
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prove --json prints a verified v2 receipt; progress goes to stderr as plain lines off a terminal', async () => {
    const r = await beats('prove', '--url', svc.url, '--subject', '0x' + '3c'.repeat(32), '--beats', '300', '--difficulty', '100', '--json', '--threads', '1');
    expect(r.code, r.err).toBe(0);
    const { receipt, beats_per_second } = JSON.parse(r.out);
    expect(receipt).toMatchObject({ version: 2, mode: 'sampled', subject: '3c'.repeat(32), beats_verified: 300, difficulty: 100 });
    expect(beats_per_second).toBeGreaterThan(0);
    expect(r.err).toMatch(/^progress 100% 300\/300 beats/m);
  });

  it('prove --out writes the receipt; verify-receipt checks it by --url and by --key, and a changed one fails with exit 1', async () => {
    const file = join(dir, 'receipt.json');
    const r = await beats('prove', '--url', svc.url, '--subject', '4d'.repeat(32), '--beats', '20', '--difficulty', '100', '--mode', 'full', '--out', file, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/receipt for 20 beats written to/);
    const byUrl = await beats('verify-receipt', file, '--url', svc.url);
    expect([byUrl.code, byUrl.out]).toEqual([0, expect.stringContaining('receipt verifies: 20 beats')]);
    const key = (await (await fetch(`${svc.url}/api/v1/beat/key`)).json()).keys.work_proof.public_key_hex;
    expect((await beats('verify-receipt', file, '--key', key)).code).toBe(0);
    const b64 = join(dir, 'receipt.b64');
    writeFileSync(b64, Buffer.from(readFileSync(file)).toString('base64'));
    expect((await beats('verify-receipt', b64, '--key', key)).code).toBe(0);
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), beats_verified: 2000 }));
    const bad = await beats('verify-receipt', changed, '--url', svc.url);
    expect(bad.code).toBe(1);
    expect(bad.err.split('\n')).toHaveLength(1);
  });

  it.each([
    [['prove', '--subject', 'ab'.repeat(32), '--beats', '5'], /--url is required/],
    [['prove', '--url', 'ftp://x', '--subject', 'ab'.repeat(32), '--beats', '5'], /--url must be an http/],
    [['prove', '--url', 'http://127.0.0.1:1', '--subject', 'xyz', '--beats', '5'], /--subject/],
    [['prove', '--url', 'http://127.0.0.1:1', '--subject', 'ab'.repeat(32), '--beats', '0'], /--beats/],
    [['prove', '--url', 'http://127.0.0.1:1', '--subject', 'ab'.repeat(32), '--beats', '5', '--mode', 'fast'], /--mode/],
    [['verify-receipt'], /give the receipt file/],
    [['verify-receipt', '/nonexistent/receipt.json', '--key', 'ab'.repeat(32)], /cannot read/],
    [['verify-receipt', BIN, '--key', 'ab'.repeat(32)], /neither receipt JSON/],
    [['verify-receipt', BIN, '--key', 'ab'.repeat(32), '--url', 'http://x'], /exactly one of/],
  ])('bad input %j → one line, exit 2', async (args, message) => {
    const r = await beats(...args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('a service that cannot be reached is one line and exit 1', async () => {
    const r = await beats('prove', '--url', 'http://127.0.0.1:1', '--subject', 'ab'.repeat(32), '--beats', '5');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
  });
}, { engines: ['sqlite'] });
