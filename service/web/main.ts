// The page's entry point: the anchor ticker, the prover (WASM in a Web Worker) and the agent
// explorer, all against the service that served the page. Bundled by scripts/build-web.js.
import { mountAnchorTicker } from './anchor-ticker.js';
import { AnchorWatch } from './anchor-watch.js';
import { installConsoleApi } from './console-api.js';
import { mountExplorer } from './explorer.js';
import { DEFAULT_LIMITS_VIEW, fetchProofLimits } from './proof-limits.js';
import { mountProverPanel } from './prover-panel.js';
import { WorkerProver } from './worker-prover.js';

/** The worker script's URL relative to the page, with its content version (set by the build). */
declare const BEATS_WORKER_URL: string;

function start(): void {
  // The API lives next to the page, so a page served under a path prefix talks to that prefix.
  const baseUrl = new URL('.', document.baseURI).href.replace(/\/+$/, '');
  const watch = new AnchorWatch(baseUrl);
  const prover = new WorkerProver(new URL(BEATS_WORKER_URL, document.baseURI));
  let limits = DEFAULT_LIMITS_VIEW;
  void fetchProofLimits(baseUrl).then((fetched) => {
    limits = fetched;
  });

  prover.start();
  mountAnchorTicker(watch);
  mountProverPanel({ watch, prover, limits: () => limits });
  mountExplorer({ baseUrl, watch });
  installConsoleApi({ client: watch.client, engine: prover.engine });
  watch.start();
  document.documentElement.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
