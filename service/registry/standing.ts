// The status and standing of an agent (seed 002 "Status values", seed 001 "Standing values"),
// computed from stored facts and the current anchor at request time, never cached.
import type { ChainStatus } from '../store/beat-chain-repository.js';

/** The dead man's switch threshold: frozen once `current − last_global_sync > 60` (peer-protocol §6). */
export const DEADLINE_ANCHORS = 60;
/** From this many anchors behind an agent is in `warning` (peer-protocol §6: "warning at 45 or more"). */
export const WARNING_ANCHORS = 45;

/** Seed 002's six status values. */
export type AgentStatus = 'registered' | 'active' | 'warning' | 'stale' | 'frozen' | 'refused';
/** Seed 001's six standing values. */
export type Standing = 'GOOD' | 'WARNING' | 'STALE' | 'OVERDUE' | 'FROZEN' | 'REFUSED';

/** What the rules read. */
export interface StandingInput {
  /** The complaint flag. */
  refused: boolean;
  /** True when the agent holds a SIGIL. */
  hasSigil: boolean;
  /** The beat chain, or undefined before init. */
  chain: { status: ChainStatus; last_global_sync: number; total_heartbeats: number } | undefined;
  /** Index of the newest anchor. */
  currentAnchor: number;
}

/** Status, standing and deadline arithmetic of one agent. */
export interface StandingResult {
  status: AgentStatus;
  standing: Standing;
  /** `current − last_global_sync` (never negative); null before init. */
  behind: number | null;
  /** `max(0, 60 − behind)`; 0 when frozen; null before init. */
  untilFreeze: number | null;
}

/**
 * The rules, first match wins:
 * 1. complaint flag → `refused` / REFUSED;
 * 2. no beat chain → `registered` / GOOD;
 * 3. chain frozen → `frozen` / FROZEN;
 * 4. behind ≥ 60 (freeze imminent: the switch freezes at > 60) → `stale` / STALE for a SIGIL holder, OVERDUE otherwise;
 * 5. 45 ≤ behind < 60 → `warning` / WARNING;
 * 6. never heartbeated → `registered` / GOOD;
 * 7. otherwise → `active` / GOOD.
 */
export function standingOf(input: StandingInput): StandingResult {
  const { chain } = input;
  const behind = chain ? Math.max(0, input.currentAnchor - chain.last_global_sync) : null;
  const frozen = chain?.status === 'frozen';
  const untilFreeze = behind === null ? null : frozen ? 0 : Math.max(0, DEADLINE_ANCHORS - behind);
  const result = (status: AgentStatus, standing: Standing): StandingResult => ({ status, standing, behind, untilFreeze });
  if (input.refused) return result('refused', 'REFUSED');
  if (!chain || behind === null) return result('registered', 'GOOD');
  if (frozen) return result('frozen', 'FROZEN');
  if (behind >= DEADLINE_ANCHORS) return result('stale', input.hasSigil ? 'STALE' : 'OVERDUE');
  if (behind >= WARNING_ANCHORS) return result('warning', 'WARNING');
  if (chain.total_heartbeats === 0) return result('registered', 'GOOD');
  return result('active', 'GOOD');
}
