// beats agent … as a user runs it against a listening registry (test clock, anchors made on demand).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry } from '../registry/harness.js';

const BIN = new URL('../../bin/beats.js', import.meta.url).pathname;

function beats(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

describeEachEngine('beats agent', (ctx) => {
  let reg: TestRegistry;
  let dir: string;
  let url: string;
  beforeAll(async () => {
    reg = await TestRegistry.start(ctx.db);
    url = reg.svc.url;
    dir = mkdtempSync(join(tmpdir(), 'beats-agent-cli-'));
  });
  afterAll(async () => {
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('register keeps the key in a 0600 file and prints only the hash; heartbeat, status and resync use it', async () => {
    const keyFile = join(dir, 'agent.json');
    const registered = await beats(['agent', 'register', '--url', url, '--name', 'cli-agent', '--key-file', keyFile, '--json']);
    expect(registered.code, registered.err).toBe(0);
    const { hash } = JSON.parse(registered.out);
    const saved = JSON.parse(readFileSync(keyFile, 'utf8'));
    expect(saved.hash).toBe(hash);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(registered.out).not.toContain(saved.api_key);
    await reg.sigil({ hash, apiKey: saved.api_key });

    const beat = await beats(['agent', 'heartbeat', '--url', url, '--key-file', keyFile]);
    expect([beat.code, beat.out]).toEqual([0, expect.stringMatching(/^heartbeat at anchor \d+: 1 in all, status active$/)]);
    const viaEnv = await beats(['agent', 'status', '--url', url, '--json'], { BEATS_AGENT_HASH: hash, BEATS_API_KEY: saved.api_key });
    expect(JSON.parse(viaEnv.out).status).toMatchObject({ hash, status: 'active' });
    for (const r of [beat, viaEnv]) expect(r.out + r.err).not.toContain(saved.api_key);

    await reg.nextAnchor(62);
    const status = await beats(['agent', 'status', '--url', url, '--hash', hash]);
    expect(status.out).toMatch(/: frozen \(FROZEN\)/);
    const resync = await beats(['agent', 'resync', '--url', url, '--key-file', keyFile]);
    expect(resync.code, resync.err).toBe(0);
    expect(resync.out).toMatch(/^resynced: active, \d+ beats proven for a gap of \d+ anchors$/);
  });

  it('spawn proves the price, registers the child and keeps its key in a 0600 file', async () => {
    const parentFile = join(dir, 'parent.json');
    const childFile = join(dir, 'child.json');
    expect((await beats(['agent', 'register', '--url', url, '--name', 'cli-parent', '--key-file', parentFile])).code).toBe(0);
    const r = await beats(['agent', 'spawn', '--url', url, '--key-file', parentFile, '--name', 'cli-child', '--child-key-file', childFile, '--json']);
    expect(r.code, r.err).toBe(0);
    const child = JSON.parse(r.out);
    expect(child).toMatchObject({ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), key_file: childFile, receipt_based: true });
    expect(statSync(childFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(childFile, 'utf8')).hash).toBe(child.hash);
    expect(r.out).not.toContain(JSON.parse(readFileSync(childFile, 'utf8')).api_key);
    const status = await beats(['agent', 'status', '--url', url, '--key-file', childFile, '--json']);
    expect(JSON.parse(status.out).status).toMatchObject({ hash: child.hash, type: 'agent', depth: 1 });
  });

  it('--show-key prints the key once when asked; without a key file or --show-key, register refuses', async () => {
    const shown = await beats(['agent', 'register', '--url', url, '--name', 'shown', '--show-key', '--json']);
    expect(JSON.parse(shown.out).api_key).toMatch(/^pvn_/);
    const refused = await beats(['agent', 'register', '--url', url, '--name', 'nokey']);
    expect([refused.code, refused.err.split('\n').length]).toEqual([2, 1]);
  });

  it.each([
    [['agent'], /needs one of/],
    [['agent', 'fly'], /needs one of/],
    [['agent', 'heartbeat', '--url', 'http://127.0.0.1:1'], /--key-file F, or set BEATS_AGENT_HASH/],
    [['agent', 'status', '--url', 'http://127.0.0.1:1', '--hash', 'abc'], /--hash must be 0x/],
    [['agent', 'heartbeat', '--url', 'http://127.0.0.1:1', '--key-file', '/nonexistent.json'], /cannot read the key file/],
    [['agent', 'spawn', '--url', 'http://127.0.0.1:1', '--name', 'c'], /--child-key-file is required/],
  ])('bad input %j → one line, exit 2', async (args, message) => {
    const r = await beats(args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('a refusal from the registry is one line with its code and exit 1', async () => {
    const r = await beats(['agent', 'heartbeat', '--url', url], { BEATS_AGENT_HASH: '0x' + '00'.repeat(32), BEATS_API_KEY: 'pvn_wrong' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/AUTH_MISSING/);
    expect(r.err.split('\n')).toHaveLength(1);
  });
}, { engines: ['sqlite'] });
