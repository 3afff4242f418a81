// A Beats test service with the browser page mounted: startTestService for the services (anchor
// clock, keys, prover pool), and a second listening app built by createApp with webRoutes() —
// the way the lead mounts it — plus any extra routers a test needs.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type MountedRouter } from '../../service/app.js';
import { createLogger } from '../../service/logger.js';
import { webRoutes } from '../../service/routes/web-routes.js';
import type { Database } from '../../service/store/database.js';
import { startTestService, type TestService } from './beats-service.js';

/** A running service with the page at `url`. */
export interface WebTestService {
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  service: TestService;
  /** Where the page was built for this suite. */
  webDir: string;
  close(): Promise<void>;
}

/** Builds the page from the current sources into a private directory (node scripts/build-web.js DIR). */
export function buildWebInto(dir: string): void {
  execFileSync(process.execPath, ['scripts/build-web.js', dir], { stdio: 'pipe' });
}

/** Starts the service on `db` (fast anchors unless `env` says otherwise) with the page and `routers` mounted. */
export async function startWebTestService(db: Database, env: Record<string, string> = {}, routers: MountedRouter[] = []): Promise<WebTestService> {
  const webDir = mkdtempSync(join(tmpdir(), 'beats-web-'));
  buildWebInto(webDir);
  const service = await startTestService(db, { ANCHOR_INTERVAL_MS: '500', ...env });
  const app = createApp({
    config: service.config,
    logger: createLogger(service.config),
    services: service.services,
    routers: [...routers, { path: '/', router: webRoutes({ dir: webDir }) }],
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    service,
    webDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      rmSync(webDir, { recursive: true, force: true });
    },
  };
}
