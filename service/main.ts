// The process: configuration checked at boot, services opened, the app listening; SIGTERM and
// SIGINT drain the server (in-flight requests finish, new ones get 503 SHUTTING_DOWN, no new
// connections), then close the clock, the pool and the database.
import { createServer, type Server } from 'node:http';
import { createApp, DRAINING } from './app.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openServices, type OpenServicesOptions, type Services } from './services.js';

/** A running service. */
export interface RunningService {
  server: Server;
  services: Services;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the services and listens on config.host:config.port (port 0 picks a free one); `options` go to
 * openServices (a store opened by the caller, which `close()` then leaves open: benchmarks, tests).
 */
export async function startService(
  config: Config,
  logger: Logger = createLogger(config),
  options: OpenServicesOptions = {},
): Promise<RunningService> {
  const services = await openServices(config, logger, options);
  const app = createApp({ config, logger, services, processMetrics: true });
  const server = createServer({
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // How often Node looks for connections past those timeouts (its default, 30 s, would let a slow client linger).
    connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
  }, app);
  server.keepAliveTimeout = 5_000;
  server.listen(config.port, config.host);
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
        // Drain: refuse new requests on open connections, accept no new connection, close each
        // connection once its request is answered, and cut the rest after the request timeout.
        app.locals[DRAINING] = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        const deadline = setTimeout(() => server.closeAllConnections(), config.requestTimeoutMs);
        try {
          await closed;
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
        }
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
