// Prometheus metrics of one app: a registry of its own (never prom-client's global one, so apps built
// side by side in tests count apart), the HTTP, verification and registry metrics, and the collectors
// that read the services at scrape time. Names follow Prometheus conventions (`_total`, `_seconds`).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { WorkProofService } from '../work-proof/work-proof-service.js';

/** Latency buckets (seconds) of HTTP requests and verifications: 1 ms to 30 s (the request timeout). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Chain statuses always reported, 0 when none (`registered` = an agent without a beat chain). */
const KNOWN_AGENT_STATUSES = ['registered', 'active', 'frozen'];

/** Options of createAppMetrics. */
export interface AppMetricsOptions {
  /** The services read at scrape time and listened to (anchors, freezes); absent in bare apps. */
  services?: Services;
  logger: Logger;
  /** Also Node's process metrics (memory, CPU, event-loop lag, GC): the process's one app only. */
  processMetrics?: boolean;
}

/** The metrics of one app and its registry. */
export interface AppMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  verification: Histogram<'operation' | 'outcome'>;
  anchorsMade: Counter;
  freezes: Counter;
  receiptsConsumed: Counter<'purpose'>;
  receiptsRefused: Counter<'reason'>;
  /** `service` with its submit/check timed into `verification`. */
  timeWorkProof(service: WorkProofService): WorkProofService;
  /** Unhooks the listeners put on the services. */
  close(): void;
}

/** Builds the registry and its metrics; hooks the anchor clock and the dead man's switch of `services`. */
export function createAppMetrics(options: AppMetricsOptions): AppMetrics {
  const { services, logger } = options;
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'beats_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, registers,
  });
  const httpDuration = new Histogram({
    name: 'beats_http_request_duration_seconds', help: 'HTTP request latency, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, buckets: LATENCY_BUCKETS, registers,
  });
  const verification = new Histogram({
    name: 'beats_work_proof_verification_seconds',
    help: 'Work-proof verification latency (POST /work-proof: submit, POST /verify: check), by outcome (valid, invalid, or the error code in lower case, e.g. validation, overloaded)',
    labelNames: ['operation', 'outcome'] as const, buckets: LATENCY_BUCKETS, registers,
  });
  const anchorsMade = new Counter({ name: 'beats_anchors_made_total', help: 'Anchors this instance appended (it led the anchor clock)', registers });
  const freezes = new Counter({ name: 'beats_agents_frozen_total', help: "Agents frozen by the dead man's switch in this instance", registers });
  const receiptsConsumed = new Counter({
    name: 'beats_receipts_consumed_total', help: 'Beats receipts spent by this instance (counted when the spending transaction commits), by purpose',
    labelNames: ['purpose'] as const, registers,
  });
  const receiptsRefused = new Counter({
    name: 'beats_receipts_refused_total', help: 'Beats receipts refused (402 INVALID_RECEIPT), by reason',
    labelNames: ['reason'] as const, registers,
  });

  const unhook: Array<() => void> = [];
  if (services) {
    const { pool, clock, reader, db, registry: agents } = services;
    new Gauge({
      name: 'beats_prover_queue_depth', help: 'Tasks waiting in the prover pool queue', registers,
      collect() {
        this.set(pool.queueSize);
      },
    });
    new Gauge({
      name: 'beats_anchor_leader', help: '1 while this instance leads the anchor clock, else 0', registers,
      collect() {
        this.set(clock.isLeader ? 1 : 0);
      },
    });
    new Gauge({
      name: 'beats_anchor_head_index', help: 'Index of the newest anchor this instance reads', registers,
      async collect() {
        try {
          const head = await reader.head();
          if (head) this.set(head.anchor.beat_index);
        } catch (err) {
          logger.warn({ err }, 'metrics: reading the anchor head failed');
        }
      },
    });
    new Gauge({
      name: 'beats_agents', help: 'Agents by the stored status of their beat chain (registered: no chain yet)',
      labelNames: ['status'] as const, registers,
      async collect() {
        try {
          const rows = await db.query<{ status: string; agents: number }>(
            `SELECT COALESCE(c.status, 'registered') AS status, COUNT(*) AS agents
             FROM agents a LEFT JOIN beat_chains c ON c.agent_hash = a.hash
             GROUP BY COALESCE(c.status, 'registered')`,
          );
          this.reset();
          for (const status of KNOWN_AGENT_STATUSES) this.set({ status }, 0);
          for (const row of rows) this.set({ status: row.status }, Number(row.agents));
        } catch (err) {
          logger.warn({ err }, 'metrics: counting agents by status failed');
        }
      },
    });
    unhook.push(clock.onAnchor(() => anchorsMade.inc()));
    unhook.push(agents.deadMansSwitch.onFrozen((hashes) => freezes.inc(hashes.length)));
    unhook.push(agents.receipts.onSpent((purpose) => receiptsConsumed.inc({ purpose })));
  }

  return {
    registry, httpRequests, httpDuration, verification, anchorsMade, freezes, receiptsConsumed, receiptsRefused,
    timeWorkProof: (service) => timedWorkProof(service, verification),
    close() {
      for (const off of unhook.splice(0)) off();
    },
  };
}

/** A view of `service` whose submit and check observe their latency (the rest is the service's own). */
function timedWorkProof(service: WorkProofService, histogram: AppMetrics['verification']): WorkProofService {
  const timed = Object.create(service) as WorkProofService;
  const time = async <T extends { valid: boolean }>(operation: string, run: () => Promise<T>): Promise<T> => {
    const stop = histogram.startTimer({ operation });
    try {
      const outcome = await run();
      stop({ outcome: outcome.valid ? 'valid' : 'invalid' });
      return outcome;
    } catch (error) {
      // A refusal before any verification (validation, overloaded, shutting down) by its code.
      stop({ outcome: isAppError(error) ? error.code.toLowerCase() : 'error' });
      throw error;
    }
  };
  timed.submit = (body) => time('submit', () => service.submit(body));
  timed.check = (body) => time('check', () => service.check(body));
  return timed;
}
