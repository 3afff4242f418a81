// beats serve: the same as `npm start` — the Beats service on PORT (configuration from the environment).
import { ConfigError } from '../../config.js';
import { main } from '../../main.js';
import { CliError } from '../cli-error.js';
import { parseFlags } from '../options.js';

/** Starts the service; resolves once it listens (the process then lives until SIGTERM). */
export async function serveCommand(argv: string[]): Promise<void> {
  parseFlags(argv, {});
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 1);
    throw error;
  }
}
