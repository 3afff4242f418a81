// The `beats` command line: dispatches to one command per file; every failure is one line.
import { CliError } from './cli-error.js';
import { agentCommand } from './commands/agent.js';
import { beatCommand } from './commands/beat.js';
import { benchCommand } from './commands/bench.js';
import { chainCommand } from './commands/chain.js';
import { genesisCommand } from './commands/genesis.js';
import { keygenCommand } from './commands/keygen.js';
import { proveCommand } from './commands/prove.js';
import { verifyReceiptCommand } from './commands/verify-receipt.js';
import { serveCommand } from './commands/serve.js';

type Command = (argv: string[], out: (line: string) => void) => Promise<void>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  serve: { run: serveCommand, usage: 'serve   (the service; configuration from the environment, see README)' },
  genesis: { run: genesisCommand, usage: 'genesis --seed S' },
  beat: { run: beatCommand, usage: 'beat --prev H --index I --difficulty D [--anchor-hash A] [--nonce N]' },
  chain: { run: chainCommand, usage: 'chain --from H [--start-index I] --beats N --difficulty D [--anchor-hash A] [--nonce N] [--json]' },
  prove: { run: proveCommand, usage: 'prove --url U --subject S --beats N [--difficulty D] [--mode sampled|full] [--out F] [--json]' },
  'verify-receipt': { run: verifyReceiptCommand, usage: 'verify-receipt FILE (--key HEX | --url U)' },
  agent: { run: agentCommand, usage: 'agent register|status|heartbeat|resync|spawn --url U [--key-file F] … (key also from BEATS_AGENT_HASH + BEATS_API_KEY)' },
  keygen: { run: keygenCommand, usage: 'keygen   (prints a new BEATS_SIGNING_SEED)' },
  bench: { run: benchCommand, usage: 'bench [--service] [--registry] [--all] [--json] [--quick] [--repeats N] [--target-ms M] [--native PATH-TO-sha_chain]' },
};

/** Usage text listing every command. */
export function usage(): string {
  return ['usage: beats <command> [options]', ...Object.values(COMMANDS).map((c) => `  beats ${c.usage}`)].join('\n');
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], out = (line: string) => console.log(line), err = (line: string) => console.error(line)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new CliError(`unknown command "${name}" (try: beats help)`);
    await command.run(rest, out);
    return 0;
  } catch (error) {
    const cliError = error instanceof CliError;
    err(`beats ${command ? name + ': ' : ''}error: ${firstLine(error)}`);
    return cliError ? (error as CliError).exitCode : 1;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
