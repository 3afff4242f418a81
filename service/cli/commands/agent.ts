// beats agent register|status|heartbeat|resync|spawn: the registry from the command line, over the SDK.
import { availableParallelism } from 'node:os';
import { poolEngine } from '../../../prover-wasm/src/engines.js';
import { ProverPool } from '../../../prover-wasm/src/pool.js';
import { AgentClient, registerAgent } from '../../../shared/sdk/agent-client.js';
import { BeatsClient } from '../../../shared/sdk/beats-client.js';
import { CliError } from '../cli-error.js';
import { readCredentials, writeCredentials } from '../credentials.js';
import { parseFlags, requireString, type Flags } from '../options.js';
import { progressReporter } from '../progress.js';

const COMMON = { url: { type: 'string' }, 'key-file': { type: 'string' }, json: { type: 'boolean' } } as const;

/** Runs one `beats agent` subcommand. */
export async function agentCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const [sub, ...rest] = argv;
  const run = SUBCOMMANDS[sub ?? ''];
  if (!run) throw new CliError(`beats agent needs one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
  try {
    await run(rest, out);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as Error & { code?: string; reason?: string; body?: Record<string, unknown> };
    const detail = e.body?.reason ?? e.reason;
    throw new CliError(`${e.code ? e.code + ': ' : ''}${e.message}${detail ? ` (${String(detail)})` : ''}`, 1);
  }
}

const SUBCOMMANDS: Record<string, (argv: string[], out: (line: string) => void) => Promise<void>> = {
  async register(argv, out) {
    const { flags } = parseFlags(argv, { ...COMMON, name: { type: 'string' }, metadata: { type: 'string' }, 'show-key': { type: 'boolean' } });
    const keyFile = flags['key-file'] as string | undefined;
    if (!keyFile && !flags['show-key']) throw new CliError('give --key-file F to keep the API key (written 0600), or --show-key to print it once');
    let metadata: Record<string, unknown> | undefined;
    if (typeof flags.metadata === 'string') {
      try {
        metadata = JSON.parse(flags.metadata);
      } catch {
        throw new CliError('--metadata must be a JSON object');
      }
    }
    const creds = await registerAgent(http(flags), { name: requireString(flags, 'name'), metadata, registrationSecret: process.env.REGISTRATION_SECRET });
    if (keyFile) writeCredentials(keyFile, creds);
    await new AgentClient(http(flags), creds).init(); // the beat chain starts with the agent
    const shown = { hash: creds.hash, ...(flags['show-key'] ? { api_key: creds.apiKey } : {}), ...(keyFile ? { key_file: keyFile } : {}) };
    out(flags.json ? JSON.stringify(shown) : Object.entries(shown).map(([k, v]) => `${k}: ${v}`).join('\n'));
  },
  async status(argv, out) {
    const { flags } = parseFlags(argv, { ...COMMON, hash: { type: 'string' } });
    const hash = (flags.hash as string | undefined) ?? readCredentials(flags['key-file'] as string | undefined).hash;
    if (!/^0x[0-9a-f]{64}$/.test(hash)) throw new CliError('--hash must be 0x and 64 lowercase hex characters');
    const client = new AgentClient(http(flags), { hash, apiKey: '' });
    const [status, beat] = await Promise.all([client.status(hash), client.beatStatus(hash).catch(() => undefined)]);
    if (flags.json) return out(JSON.stringify({ status, beat_status: beat ?? null }));
    const w = (beat?.whitelist ?? {}) as Record<string, unknown>;
    out(`${hash} ${status.name ?? ''}: ${status.status}${w.standing ? ` (${w.standing})` : ''}, ${w.beats_behind ?? '?'} anchors behind, ${w.beats_until_freeze ?? '?'} until freeze, liveness ${status.liveness_score ?? 'n/a'}`);
  },
  async heartbeat(argv, out) {
    const { flags } = parseFlags(argv, { ...COMMON });
    const answer = await agent(flags).heartbeat();
    out(flags.json ? JSON.stringify(answer) : `heartbeat at anchor ${answer.anchor_index}: ${answer.total_heartbeats} in all, status ${answer.status}`);
  },
  async resync(argv, out) {
    const { flags } = parseFlags(argv, { ...COMMON });
    const answer = await withProver(flags, (proving) => agent(flags).resync(proving));
    out(flags.json ? JSON.stringify(answer) : `resynced: ${answer.status}, ${answer.beats_proven ?? 0} beats proven for a gap of ${answer.gap_anchors} anchors`);
  },
  async spawn(argv, out) {
    const { flags } = parseFlags(argv, { ...COMMON, name: { type: 'string' }, 'child-key-file': { type: 'string' } });
    const childFile = requireString(flags, 'child-key-file');
    const child = await withProver(flags, (proving) => agent(flags).spawnChild(requireString(flags, 'name'), proving));
    writeCredentials(childFile, child);
    out(flags.json ? JSON.stringify({ hash: child.hash, key_file: childFile, receipt_based: child.receiptBased }) : `child ${child.hash} (key in ${childFile})`);
  },
};

function http(flags: Flags) {
  const url = requireString(flags, 'url');
  if (!/^https?:\/\/\S+$/.test(url)) throw new CliError(`--url must be an http(s) URL, got "${url.slice(0, 80)}"`);
  return { baseUrl: url };
}

function agent(flags: Flags): AgentClient {
  return new AgentClient(http(flags), readCredentials(flags['key-file'] as string | undefined));
}

async function withProver<T>(flags: Flags, fn: (proving: { beats: BeatsClient; engine: ReturnType<typeof poolEngine>; onProgress: (d: number, t: number) => void }) => Promise<T>): Promise<T> {
  const pool = new ProverPool({ threads: availableParallelism() });
  try {
    return await fn({ beats: new BeatsClient(http(flags)), engine: poolEngine(pool), onProgress: progressReporter(process.stderr, 'beats') });
  } finally {
    await pool.close();
  }
}
