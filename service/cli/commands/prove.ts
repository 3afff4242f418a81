// beats prove --url U --subject S --beats N [--difficulty D] [--mode sampled|full] [--out F] [--json]
// Fetches the anchor, computes the chain in the worker pool, submits the v2 proof, verifies the
// receipt offline and prints it (or writes it to --out).
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { poolEngine } from '../../../prover-wasm/src/engines.js';
import { ProverPool } from '../../../prover-wasm/src/pool.js';
import { BeatsClient } from '../../../shared/sdk/beats-client.js';
import { proveWork } from '../../../shared/sdk/prove-work.js';
import { CliError } from '../cli-error.js';
import { parseFlags, readInteger, requireString } from '../options.js';
import { progressReporter } from '../progress.js';

/** Proves work against a Beats service and prints the verified receipt. */
export async function proveCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, {
    url: { type: 'string' }, subject: { type: 'string' }, beats: { type: 'string' }, difficulty: { type: 'string' },
    mode: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'string' },
  });
  const url = requireString(flags, 'url');
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new CliError(`--url must be an http(s) URL, got "${url.slice(0, 80)}"`);
  const subject = requireString(flags, 'subject');
  if (!/^(0x)?[0-9a-f]{64}$/.test(subject)) throw new CliError('--subject must be 64 lowercase hex characters (an agent hash may keep its 0x)');
  const beats = readInteger(flags, 'beats', 1, 10_000_000);
  const difficulty = flags.difficulty === undefined ? undefined : readInteger(flags, 'difficulty', 1, 100_000);
  const mode = (flags.mode ?? 'sampled') as string;
  if (mode !== 'sampled' && mode !== 'full') throw new CliError(`--mode must be sampled or full, got "${mode}"`);
  const threads = readInteger(flags, 'threads', 1, 256, availableParallelism());

  const pool = new ProverPool({ threads });
  const started = Date.now();
  try {
    const { receipt } = await proveWork({
      client: new BeatsClient({ baseUrl: url }), engine: poolEngine(pool), subject, beats, difficulty, mode,
      onProgress: progressReporter(process.stderr, 'beats'),
    });
    const elapsedMs = Date.now() - started;
    const text = JSON.stringify(receipt, null, 2);
    if (typeof flags.out === 'string') writeFileSync(flags.out, text + '\n');
    if (flags.json) out(JSON.stringify({ receipt, elapsed_ms: elapsedMs, beats_per_second: Math.round((beats * 1000) / Math.max(elapsedMs, 1)) }));
    else out(typeof flags.out === 'string' ? `receipt for ${beats} beats written to ${flags.out} (${elapsedMs} ms)` : text);
  } catch (error) {
    const e = error as Error & { code?: string; reason?: string };
    throw new CliError(e.reason ? `proof refused: ${e.reason}` : `${e.code ? e.code + ': ' : ''}${e.message}`, 1);
  } finally {
    await pool.close();
  }
}
