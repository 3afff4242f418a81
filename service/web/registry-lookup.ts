// Looks an agent up in the registry: GET /api/v1/status/:hash (seed 002) and
// GET /api/v1/agent/beat-status/:hash (seed 001), classified as found, not found, or unavailable
// (no registry on this server, rate limited, down). Payloads are read defensively: they come from
// the network, and the page must not break on a field it did not expect.
import { BeatsApiError, requestJson } from '../../shared/sdk/index.js';

/** Seed 002's status payload (the fields the page shows). */
export interface AgentStatusPayload {
  exists?: boolean;
  status?: string;
  hash?: string;
  type?: string;
  depth?: number;
  name?: string | null;
  registered?: string | null;
  liveness_score?: number | null;
  liveness_algorithm?: string | null;
  heartbeat_refused?: boolean;
  beat_state?: {
    beat_count?: number;
    lifetime_beats?: number;
    available_beats?: number;
    last_checkin_beat?: number;
    last_global_sync?: number;
    total_heartbeats?: number;
    difficulty?: number;
    status?: string;
  } | null;
  /** Not in seed 002; shown if a registry ever lists them. */
  children?: unknown;
  [field: string]: unknown;
}

/** Seed 001's beat-status payload (the sections the page shows). */
export interface BeatStatusPayload {
  beat_initialized?: boolean;
  beat_stale?: boolean;
  beat_age_seconds?: number;
  heartbeat?: { status?: string; total_beats?: number; available_beats?: number; difficulty?: number; frozen_since?: string | null } | null;
  whitelist?: {
    standing?: string;
    last_checkin_beat?: number;
    last_global_sync?: number;
    current_global_beat?: number;
    beats_behind?: number;
    beats_until_freeze?: number;
    deadline_anchors?: number;
  } | null;
  gestation?: {
    depth?: number;
    children_spawned?: number;
    next_child_cost?: number;
    beats_accumulated?: number;
    progress_pct?: number;
    can_spawn?: boolean;
    deficit?: number;
  } | null;
  recent_checkins?: unknown[];
  lineage?: { type?: string; parent?: string | null; depth?: number; name?: string | null; registered_at?: string; children?: unknown } | null;
  [field: string]: unknown;
}

/** The outcome of a lookup. */
export type AgentLookup =
  | { kind: 'found'; hash: string; status: AgentStatusPayload; beatStatus: BeatStatusPayload | null; beatStatusNote?: string }
  | { kind: 'not-found'; hash: string }
  | { kind: 'unavailable'; hash: string; code: string; message: string };

/** Agent hashes as the registry writes them: 0x and 64 lowercase hex. */
export const AGENT_HASH = /^0x[0-9a-f]{64}$/;

/** `0x…` or bare 64 hex, any case → `0x` + lowercase; undefined when it is not an agent hash. */
export function normalizeAgentHash(input: string): string | undefined {
  const body = input.trim().replace(/^0x/i, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(body) ? `0x${body}` : undefined;
}

/** Looks `hash` up (both routes in parallel). */
export async function lookupAgent(baseUrl: string, hash: string, signal?: AbortSignal): Promise<AgentLookup> {
  const options = { baseUrl, timeoutMs: 15_000, retries503: 1 };
  const [status, beatStatus] = await Promise.allSettled([
    requestJson<AgentStatusPayload>(options, 'GET', `/api/v1/status/${hash}`, { signal }),
    requestJson<BeatStatusPayload>(options, 'GET', `/api/v1/agent/beat-status/${hash}`, { signal }),
  ]);
  if (status.status === 'rejected') {
    const error = status.reason;
    // Seed 002: an unknown agent is 404 AGENT_NOT_FOUND with exists:false. A bare 404 NOT_FOUND
    // means the route itself is missing: this server runs no registry.
    if (error instanceof BeatsApiError && error.status === 404 && (error.code === 'AGENT_NOT_FOUND' || error.body.exists === false)) {
      return { kind: 'not-found', hash };
    }
    if (error instanceof BeatsApiError && error.status === 404) {
      return { kind: 'unavailable', hash, code: error.code, message: 'This server does not run the agent registry' };
    }
    if (error instanceof BeatsApiError) return { kind: 'unavailable', hash, code: error.code, message: error.message };
    throw error;
  }
  if (status.value.exists === false) return { kind: 'not-found', hash };
  if (beatStatus.status === 'fulfilled') return { kind: 'found', hash, status: status.value, beatStatus: beatStatus.value };
  const error = beatStatus.reason;
  // Seed 001: 404 with beat_initialized:false is an agent that has not initialised its beat chain.
  const note = error instanceof BeatsApiError && error.status === 404 && error.body.beat_initialized === false
    ? 'This agent has no beat chain yet.'
    : `Beat status unavailable${error instanceof BeatsApiError ? ` (${error.code})` : ''}.`;
  return { kind: 'found', hash, status: status.value, beatStatus: null, beatStatusNote: note };
}
