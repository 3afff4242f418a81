// "Is this agent frozen right now?" for the rules outside heartbeats (spawn, sponsorship): a frozen
// chain, or an active one already past the deadline, which is frozen on the spot as the switch would
// (so a sweep that has not run yet never lets an overdue agent through). No chain: not frozen.
import type { BeatChainRepository } from '../store/beat-chain-repository.js';
import type { DeadMansSwitch } from './dead-mans-switch.js';
import type { RegistryAnchors } from './registry-anchors.js';
import { DEADLINE_ANCHORS } from './standing.js';

/** What `frozenNow` reads. */
export interface FreezeCheckDeps {
  chains: BeatChainRepository;
  anchors: RegistryAnchors;
  deadMansSwitch: DeadMansSwitch;
}

/** True when `agentHash`'s chain is frozen, or overdue (then frozen now, its listeners told); false without a chain. */
export async function frozenNow(deps: FreezeCheckDeps, agentHash: string): Promise<boolean> {
  const chain = await deps.chains.get(agentHash);
  if (!chain) return false;
  if (chain.status === 'frozen') return true;
  const current = await deps.anchors.currentIndex();
  if (current - chain.last_global_sync <= DEADLINE_ANCHORS) return false;
  await deps.deadMansSwitch.freezeIfOverdue(agentHash, current);
  return true;
}
