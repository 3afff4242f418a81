// An agent's credentials for the CLI: a key file (JSON {hash, api_key}, written 0600 by `beats agent
// register`) or the environment (BEATS_AGENT_HASH, BEATS_API_KEY). The key is never printed unasked.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AgentCredentials } from '../../shared/sdk/agent-client.js';
import { CliError } from './cli-error.js';

/** The credentials from --key-file, else from the environment. */
export function readCredentials(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): AgentCredentials {
  if (keyFile) {
    let parsed: { hash?: unknown; api_key?: unknown };
    try {
      if ((statSync(keyFile).mode & 0o077) !== 0) throw new CliError(`${keyFile} is readable by others: chmod 600 it first`, 1);
      parsed = JSON.parse(readFileSync(keyFile, 'utf8'));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot read the key file ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}`);
    }
    if (typeof parsed.hash !== 'string' || typeof parsed.api_key !== 'string') throw new CliError(`${keyFile} holds no {hash, api_key}`);
    return { hash: parsed.hash, apiKey: parsed.api_key };
  }
  const hash = env.BEATS_AGENT_HASH;
  const apiKey = env.BEATS_API_KEY;
  if (!hash || !apiKey) throw new CliError('give --key-file F, or set BEATS_AGENT_HASH and BEATS_API_KEY');
  return { hash, apiKey };
}

/** Writes credentials to `file` with mode 0600, refusing to overwrite. */
export function writeCredentials(file: string, credentials: AgentCredentials): void {
  try {
    writeFileSync(file, JSON.stringify({ hash: credentials.hash, api_key: credentials.apiKey }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 1);
  }
}
