// The root signing seed (protocol A3): BEATS_SIGNING_SEED when set, else 32 CSPRNG bytes stored once
// in `${DATA_DIR}/signing-seed` (mode 0600) and reused on every restart. The seed never reaches a log
// or an error message: messages name the file, its mode or its length, never its content.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '../../shared/hex.js';

/** File name of the generated seed inside the data directory. */
export const SIGNING_SEED_FILE = 'signing-seed';

/** Why a seed was refused. */
export type RootSeedErrorCode = 'SEED_INVALID' | 'SEED_FILE_MODE' | 'SEED_FILE_CORRUPT' | 'SEED_FILE_UNREADABLE';

/** A seed the service refuses to start with; the message is one line and never holds the seed. */
export class RootSeedError extends Error {
  override readonly name = 'RootSeedError';
  readonly code: RootSeedErrorCode;

  constructor(code: RootSeedErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Options of `loadRootSeed`. */
export interface LoadRootSeedOptions {
  /** BEATS_SIGNING_SEED: 64 hex characters; when set, no file is read or written. */
  signingSeedHex?: string;
  /** Directory holding `signing-seed` (created with mode 0700 when missing). */
  dataDir: string;
}

/** The root seed and where it came from: the environment, an existing file, or a file made just now. */
export interface LoadedRootSeed {
  seed: Uint8Array;
  source: 'env' | 'file' | 'created';
  /** The seed file, unless the seed came from the environment. */
  path: string | undefined;
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** A seed file is 64 hex characters and maybe a newline; anything much longer is not one. */
const MAX_SEED_FILE_BYTES = 256;

/** The 32-byte root seed: BEATS_SIGNING_SEED, else `${dataDir}/signing-seed`, created once. Throws RootSeedError. */
export function loadRootSeed(options: LoadRootSeedOptions): LoadedRootSeed {
  if (options.signingSeedHex !== undefined) {
    if (!HEX_64.test(options.signingSeedHex)) {
      throw new RootSeedError('SEED_INVALID', 'BEATS_SIGNING_SEED: expected 64 hex characters (not shown)');
    }
    return { seed: hexToBytes(options.signingSeedHex), source: 'env', path: undefined };
  }
  const path = join(options.dataDir, SIGNING_SEED_FILE);
  const existing = readSeedFile(path);
  if (existing) return { seed: existing, source: 'file', path };
  const created = createSeedFile(options.dataDir, path);
  return { seed: readSeedFile(path) ?? unreadable(path), source: created ? 'created' : 'file', path };
}

/** The seed stored at `path`, undefined when there is no file; refuses a file others may read or a malformed one. */
function readSeedFile(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new RootSeedError('SEED_FILE_UNREADABLE', `signing seed file ${path} cannot be read (${errorCode(error) ?? 'error'})`);
  }
  try {
    // fstat of the opened descriptor: the mode checked is the mode of the bytes read.
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new RootSeedError('SEED_FILE_CORRUPT', `signing seed file ${path} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new RootSeedError(
        'SEED_FILE_MODE',
        `signing seed file ${path} has mode ${mode}: group and others must have no access (chmod 600 ${path})`,
      );
    }
    const buffer = Buffer.alloc(MAX_SEED_FILE_BYTES + 1);
    const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, length).toString('latin1').trim();
    buffer.fill(0);
    if (length > MAX_SEED_FILE_BYTES || !HEX_64.test(text)) {
      throw new RootSeedError('SEED_FILE_CORRUPT', `signing seed file ${path} does not hold 64 hex characters (${length} bytes)`);
    }
    return hexToBytes(text);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes `path` hold a new seed; false when another process made it first. The seed is written to a
 * private temporary file (flag 'wx', mode 0600), flushed, then hard-linked into place: the link fails
 * if the file exists, so a seed file is never overwritten, never seen half-written, and two processes
 * starting at once agree on one seed.
 */
function createSeedFile(dataDir: string, path: string): boolean {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temp = join(dataDir, `.${SIGNING_SEED_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const seed = randomBytes(32);
  const text = Buffer.from(seed.toString('hex') + '\n', 'latin1');
  seed.fill(0);
  try {
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
      text.fill(0);
    }
    try {
      fs.linkSync(temp, path);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    syncDirectory(dataDir);
    return true;
  } catch (error) {
    if (error instanceof RootSeedError) throw error;
    throw new RootSeedError('SEED_FILE_UNREADABLE', `signing seed file ${path} cannot be created (${errorCode(error) ?? 'error'})`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Flushes a directory entry (the new link) to disk; best effort, some platforms cannot open directories. */
function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // The file itself is flushed; only the directory entry's durability is lost.
  }
}

function unreadable(path: string): never {
  throw new RootSeedError('SEED_FILE_UNREADABLE', `signing seed file ${path} vanished after it was created`);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
