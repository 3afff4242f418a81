// Seed-shaped answers of the registry's two read routes (seed 002 GET /api/v1/status/:hash, seed 001 GET
// /api/v1/agent/beat-status/:hash) for fixed agents, for the explorer's browser tests that need states the
// real registry only reaches after many anchors (47 behind, eight check-ins). Those tests serve them by
// intercepting the two routes in the browser; the others use the real registry.

/** The root agent of the fixture family. */
export const STUB_ROOT = `0x${'a1'.repeat(32)}`;
/** Its child, at depth 1. */
export const STUB_CHILD = `0x${'b2'.repeat(32)}`;

interface StubAgent {
  status: Record<string, unknown>;
  beatStatus: Record<string, unknown>;
}

function agent(hash: string, fields: { name: string; type: 'root' | 'agent'; parent: string | null; depth: number; status: string; standing: string; behind: number; checkins: number }): StubAgent {
  const current = 10_423;
  const lastSync = current - fields.behind;
  const recent = Array.from({ length: fields.checkins }, (_, i) => ({
    global_anchor: lastSync - (fields.checkins - 1 - i) * 40,
    at: new Date(Date.UTC(2026, 1, 12, 12, 0, 0) + i * 40 * 60_000).toISOString(),
    beats: 100 + ((i * 37) % 90),
  }));
  return {
    status: {
      exists: true, status: fields.status, hash, type: fields.type, depth: fields.depth, name: fields.name, metadata: null,
      wallet: null, wallet_model: 'operator', wallet_chain: null, identity_class: null, sigil: null, sigil_issued_at: null, tier: null,
      principal: null, registered: '2026-02-12T10:00:00.000Z', registered_by: null, tx_signature: null, heartbeat_refused: false,
      heartbeat_refused_reason: null,
      beat_state: { beat_count: 2200, lifetime_beats: 2200, available_beats: 640, latest_beat: 2200, last_checkin_beat: lastSync, last_global_sync: lastSync, total_heartbeats: 142, difficulty: 1000, status: 'active' },
      liveness_score: 0.95, liveness_algorithm: 'v1',
    },
    beatStatus: {
      agent_hash: hash, beat_initialized: true, beat_stale: false, beat_age_seconds: 42, sigil: null,
      heartbeat: { status: 'active', genesis_hash: `0x${'cd'.repeat(32)}`, latest_beat: 2200, latest_hash: `0x${'9f'.repeat(32)}`, total_beats: 2200, lifetime_beats: 2200, available_beats: 640, difficulty: 1000, frozen_since: null, refused: false, refused_reason: null },
      whitelist: { standing: fields.standing, last_checkin_beat: lastSync, last_global_sync: lastSync, current_global_beat: current, beats_behind: fields.behind, beats_until_freeze: Math.max(0, 60 - fields.behind), deadline_anchors: 60 },
      gestation: { depth: fields.depth, children_spawned: fields.type === 'root' ? 1 : 0, next_child_cost: 1440, beats_accumulated: 640, progress_pct: 44, can_spawn: false, deficit: 800 },
      proof_of_existence: { total_beats: 2200, available_beats: 640, total_hash_operations: 2_200_000, estimated_cpu_time_ms: 1100 },
      recent_checkins: recent,
      lineage: { type: fields.type, parent: fields.parent, depth: fields.depth, name: fields.name, registered_at: '2026-02-12T10:00:00.000Z' },
    },
  };
}

/** The fixture agents by hash. */
export const STUB_AGENTS: Record<string, StubAgent> = {
  [STUB_ROOT]: agent(STUB_ROOT, { name: 'genesis-root', type: 'root', parent: null, depth: 0, status: 'active', standing: 'GOOD', behind: 12, checkins: 8 }),
  [STUB_CHILD]: agent(STUB_CHILD, { name: 'worker-child-1', type: 'agent', parent: STUB_ROOT, depth: 1, status: 'warning', standing: 'WARNING', behind: 47, checkins: 3 }),
};
