// The process: configuration checked at boot, services opened, the app listening; SIGTERM and
// SIGINT close the server (in-flight requests finish), then the clock, the pool and the database.
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openServices, type Services } from './services.js';

/** A running service. */
export interface RunningService {
  server: Server;
  services: Services;
  url: string;
  close(): Promise<void>;
}

/** Opens the services and listens on config.host:config.port (port 0 picks a free one). */
export async function startService(config: Config, logger: Logger = createLogger(config)): Promise<RunningService> {
  const services = await openServices(config, logger);
  const app = createApp({ config, logger, services });
  const server = app.listen(config.port, config.host);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error) => {
    await services.close();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, engine: services.db.engine, proverThreads: services.pool.threads }, 'beats service listening');
  let closing: Promise<void> | undefined;
  return {
    server, services, url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await services.close();
      })();
      return closing;
    },
  };
}

/** `npm start` / `beats serve`: runs until SIGTERM or SIGINT. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config: Config = loadConfig(env);
  const logger = createLogger(config);
  const running = await startService(config, logger);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.server.closeIdleConnections?.();
    await running.close();
    logger.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
