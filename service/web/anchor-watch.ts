// Follows the service's anchor chain: fetches the newest anchor through BeatsClient (which checks
// its signature with the published anchor key, its hash, and its link to the last anchor seen),
// refreshes itself just after `next_anchor_at`, and tells subscribers what it saw.
import type { Anchor } from '../../shared/anchor.js';
import { AnchorVerificationError, BeatsApiError, BeatsClient, type AnchorResponse } from '../../shared/sdk/index.js';

/** How many recent anchors the watch remembers (newest first). */
const RECENT = 6;
/** Refresh this long after `next_anchor_at`, so the new anchor is there. */
const AFTER_NEXT_MS = 120;
/** Bounds of the refresh delay. */
const MIN_DELAY_MS = 200;
const MAX_DELAY_MS = 30_000;
/** A server clock further than this from the browser's is corrected for (the Date header has 1 s resolution). */
const SKEW_THRESHOLD_MS = 2_000;

/** Why the last refresh failed: the chain did not verify, the service did not answer, or it has no anchor yet. */
export interface AnchorProblem {
  kind: 'unverified' | 'unavailable' | 'none-yet';
  code: string;
  message: string;
}

/** What the watch knows. `anchor` is always the last *verified* anchor. */
export interface AnchorState {
  anchor?: Anchor;
  /** Key id of the anchor key that signed `anchor`. */
  kid?: string;
  /** The anchor period the service publishes. */
  intervalMs?: number;
  /** When the service says the next anchor is due, in the browser's clock. */
  nextAt?: number;
  /** Server clock minus browser clock, when it is off by more than SKEW_THRESHOLD_MS; else 0. */
  skewMs: number;
  recent: Anchor[];
  /** Set when the last refresh failed; cleared by the next success. */
  problem?: AnchorProblem;
}

/** A self-refreshing, verified view of the anchor chain. */
export class AnchorWatch {
  /** The client every part of the page shares, so anchor continuity is checked across all of them. */
  readonly client: BeatsClient;
  private state: AnchorState = { recent: [], skewMs: 0 };
  private readonly listeners = new Set<(state: AnchorState) => void>();
  private lastAnswer: { body: AnchorResponse; serverDate: number | undefined; receivedAt: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private running = false;

  constructor(baseUrl: string) {
    this.client = new BeatsClient({ baseUrl, timeoutMs: 15_000, fetch: (input, init) => this.observedFetch(input, init) });
  }

  /** The current state. */
  get current(): AnchorState {
    return this.state;
  }

  /** Calls `listener` on every change, and now. */
  subscribe(listener: (state: AnchorState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Starts refreshing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
  }

  /** Stops refreshing. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Fetches and verifies the newest anchor now. */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    let delay: number;
    try {
      const anchor = await this.client.getAnchor();
      this.failures = 0;
      delay = this.accept(anchor);
    } catch (error) {
      this.failures++;
      this.update({ ...this.state, problem: this.problemOf(error) });
      delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(this.failures - 1, 5));
    }
    if (this.running) this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Records a verified anchor; returns the delay until the next refresh. */
  private accept(anchor: Anchor): number {
    const answer = this.lastAnswer?.body.anchor?.beat_index === anchor.beat_index ? this.lastAnswer : undefined;
    const skewMs = answer?.serverDate !== undefined && Math.abs(answer.serverDate - answer.receivedAt) > SKEW_THRESHOLD_MS ? answer.serverDate - answer.receivedAt : 0;
    const intervalMs = answer ? answer.body.anchor_interval_sec * 1000 : this.state.intervalMs;
    const nextAt = answer?.body.next_anchor_at ? Date.parse(answer.body.next_anchor_at) - skewMs : undefined;
    const recent = this.state.recent[0]?.beat_index === anchor.beat_index ? this.state.recent : [anchor, ...this.state.recent].slice(0, RECENT);
    this.update({ anchor, kid: answer?.body.receipt?.kid ?? this.state.kid, intervalMs, nextAt, skewMs, recent });
    const untilNext = nextAt !== undefined ? nextAt - Date.now() + AFTER_NEXT_MS : (intervalMs ?? 10_000);
    // The anchor is late (the clock missed a beat): look again soon rather than in a full period.
    const delay = untilNext > 0 ? untilNext : Math.min(1000, (intervalMs ?? 4000) / 4);
    return Math.max(MIN_DELAY_MS, Math.min(MAX_DELAY_MS, delay));
  }

  private problemOf(error: unknown): AnchorProblem {
    if (error instanceof AnchorVerificationError && error.code === 'ANCHOR_KEY_UNKNOWN' && this.lastAnswer?.body.anchor === null) {
      return { kind: 'none-yet', code: 'NO_ANCHOR', message: 'The service has not published an anchor yet' };
    }
    if (error instanceof AnchorVerificationError) return { kind: 'unverified', code: error.code, message: error.message };
    if (error instanceof BeatsApiError) return { kind: 'unavailable', code: error.code, message: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'unavailable', code: 'NETWORK', message: `The service did not answer (${message})` };
  }

  /** fetch, remembering the unsigned parts of the anchor answer (interval, next_anchor_at) and the server's clock. */
  private async observedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const response = await fetch(input, init);
    if (response.ok && new URL(String(input), location.href).pathname.endsWith('/api/v1/beat/anchor')) {
      try {
        const body = (await response.clone().json()) as AnchorResponse;
        const date = Date.parse(response.headers.get('date') ?? '');
        this.lastAnswer = { body, serverDate: Number.isNaN(date) ? undefined : date, receivedAt: Date.now() };
      } catch {
        this.lastAnswer = undefined; // the client reports the unreadable answer itself
      }
    }
    return response;
  }

  private update(state: AnchorState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
