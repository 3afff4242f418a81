// loadRootSeed (protocol A3): BEATS_SIGNING_SEED, else a 0600 file made once in the data directory.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/hex.js';
import { loadRootSeed, RootSeedError, SIGNING_SEED_FILE, type RootSeedErrorCode } from '../../service/keys/root-seed.js';

const SEED_HEX = '0f'.repeat(32);

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'beats-seed-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function codeOf(fn: () => unknown): RootSeedErrorCode {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RootSeedError);
    expect((error as Error).message).not.toContain('\n');
    return (error as RootSeedError).code;
  }
  throw new Error('expected a RootSeedError');
}

describe('loadRootSeed', () => {
  it('uses BEATS_SIGNING_SEED when given and writes no file', () => {
    const dataDir = join(root, 'data');
    const loaded = loadRootSeed({ signingSeedHex: SEED_HEX, dataDir });
    expect(loaded).toEqual({ seed: new Uint8Array(32).fill(0x0f), source: 'env', path: undefined });
    expect(() => statSync(dataDir)).toThrow();
  });

  it('refuses a malformed BEATS_SIGNING_SEED without echoing it', () => {
    const bad = 'zz'.repeat(32);
    expect(codeOf(() => loadRootSeed({ signingSeedHex: bad, dataDir: root }))).toBe('SEED_INVALID');
    try {
      loadRootSeed({ signingSeedHex: bad, dataDir: root });
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('creates the seed file once, mode 0600 in a 0700 directory, and reuses it on restart', () => {
    const dataDir = join(root, 'nested', 'data');
    const first = loadRootSeed({ dataDir });
    const path = join(dataDir, SIGNING_SEED_FILE);
    expect(first.source).toBe('created');
    expect(first.path).toBe(path);
    expect(first.seed).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8')).toBe(bytesToHex(first.seed) + '\n');
    // No temporary file is left behind.
    expect(readdirSync(dataDir)).toEqual([SIGNING_SEED_FILE]);

    const again = loadRootSeed({ dataDir });
    expect(again.source).toBe('file');
    expect(again.seed).toEqual(first.seed);
  });

  it('makes a different seed in another data directory', () => {
    const a = loadRootSeed({ dataDir: join(root, 'a') });
    const b = loadRootSeed({ dataDir: join(root, 'b') });
    expect(a.seed).not.toEqual(b.seed);
  });

  it('reads a hand-written seed file (either case, trailing newline)', () => {
    writeFileSync(join(root, SIGNING_SEED_FILE), 'AB'.repeat(32) + '\n', { mode: 0o600 });
    expect(loadRootSeed({ dataDir: root })).toEqual({ seed: new Uint8Array(32).fill(0xab), source: 'file', path: join(root, SIGNING_SEED_FILE) });
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o601])('refuses a seed file with mode %o', (mode) => {
    const { path } = loadRootSeed({ dataDir: root });
    chmodSync(path!, mode);
    expect(codeOf(() => loadRootSeed({ dataDir: root }))).toBe('SEED_FILE_MODE');
  });

  it.each([
    ['empty', ''],
    ['short', 'ab'.repeat(31)],
    ['not hex', 'zz'.repeat(32)],
    ['two seeds', 'ab'.repeat(64)],
    ['huge', 'a'.repeat(10_000)],
  ])('refuses a corrupt seed file (%s) without echoing it', (_name, content) => {
    const path = join(root, SIGNING_SEED_FILE);
    writeFileSync(path, content, { mode: 0o600 });
    expect(codeOf(() => loadRootSeed({ dataDir: root }))).toBe('SEED_FILE_CORRUPT');
    try {
      loadRootSeed({ dataDir: root });
    } catch (error) {
      if (content.length > 0) expect((error as Error).message).not.toContain(content.slice(0, 16));
    }
  });
});
