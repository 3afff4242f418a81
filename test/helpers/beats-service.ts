// A whole Beats service for HTTP tests: openServices on the suite's database (SQLite or
// PostgreSQL), createApp, and a real listening server for the peer's clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import { createApp } from '../../service/app.js';
import { loadConfig, type Config } from '../../service/config.js';
import { createLogger } from '../../service/logger.js';
import { openServices, type OpenServicesOptions, type Services } from '../../service/services.js';
import type { Database } from '../../service/store/database.js';

/** The seed of test services (a fixed value: tests are reproducible). */
export const TEST_SIGNING_SEED = '42'.repeat(32);

/** A running test service. */
export interface TestService {
  app: express.Application;
  services: Services;
  config: Config;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the Beats service on `db` with fast anchors and rate limits off unless `env` says otherwise;
 * `options` may stop the anchor clock from starting and give it (and the registry) a test clock.
 */
export async function startTestService(
  db: Database,
  env: Record<string, string> = {},
  options: Pick<OpenServicesOptions, 'startClock' | 'now'> = {},
): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beats-svc-'));
  const config = loadConfig({
    DATA_DIR: dataDir, ANCHOR_INTERVAL_MS: '300', RATE_LIMITS: 'off', PROVER_THREADS: '2', LOG_LEVEL: 'silent',
    BEATS_SIGNING_SEED: TEST_SIGNING_SEED, ADMIN_TOKEN: 'admin-token-for-tests-0123', ...env,
  });
  const logger = createLogger(config);
  const services = await openServices(config, logger, { db, ...options });
  const app = createApp({ config, logger, services });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app, services, config, url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
