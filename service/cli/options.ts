// Argument parsing for the CLI: node:util parseArgs in strict mode, plus typed readers that turn
// a bad value into one CliError line naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags of one command. */
export type Flags = Record<string, string | boolean | undefined>;

/** Parses `argv` against `options`; unknown flags and stray arguments are CliErrors. */
export function parseFlags(argv: string[], options: OptionSpecs, positionals = 0): { flags: Flags; args: string[] } {
  try {
    const { values, positionals: args } = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
    if (args.length > positionals) throw new CliError(`unexpected argument "${args[positionals]}"`);
    return { flags: values as Flags, args };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message.split('\n')[0]);
  }
}

/** A required string flag. */
export function requireString(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new CliError(`--${name} is required`);
  return value;
}

/** A 64-char lowercase hex flag (required unless `optional`). */
export function readHash(flags: Flags, name: string, optional = false): string | undefined {
  const value = flags[name];
  if (value === undefined && optional) return undefined;
  const text = requireString(flags, name);
  if (!/^[0-9a-f]{64}$/.test(text)) throw new CliError(`--${name} must be 64 lowercase hex characters, got "${text.slice(0, 80)}"`);
  return text;
}

/** A decimal integer flag within [min, max]; `fallback` when absent (required when no fallback). */
export function readInteger(flags: Flags, name: string, min: number, max: number, fallback?: number): number {
  const value = flags[name];
  if (value === undefined && fallback !== undefined) return fallback;
  const text = requireString(flags, name);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, got "${text.slice(0, 40)}"`);
  return n;
}
