// The agent explorer: look an agent up by hash (the form, or `#/agent/0x…` in the URL) and show
// its status and standing, freeze deadline, gestation, liveness, lineage and recent check-ins.
import type { AnchorWatch } from './anchor-watch.js';
import { checkinChart, normalizeCheckins } from './checkin-chart.js';
import { byId, h, replaceChildren, type Child } from './dom.js';
import { formatDuration, formatInt, formatPercent, formatUtc, plural, shortHash } from './format.js';
import { lookupAgent, normalizeAgentHash, type AgentLookup, type AgentStatusPayload, type BeatStatusPayload } from './registry-lookup.js';

/** The dead man's switch threshold when the registry does not state it (peer-protocol §6: 60 anchors). */
const DEFAULT_DEADLINE_ANCHORS = 60;

/** Seed 002 status values and seed 001 standings → a colour tone (always shown with the word itself). */
const TONES: Record<string, string> = {
  active: 'tone-good', GOOD: 'tone-good',
  registered: 'tone-neutral',
  warning: 'tone-warn', WARNING: 'tone-warn',
  stale: 'tone-stale', STALE: 'tone-stale',
  OVERDUE: 'tone-bad',
  frozen: 'tone-cold', FROZEN: 'tone-cold',
  refused: 'tone-refused', REFUSED: 'tone-refused',
};

/** The URL fragment that opens an agent. */
export function agentLink(hash: string): string {
  return `#/agent/${hash}`;
}

/** Binds the explorer section; opens the agent named in the URL fragment, now and on every change. */
export function mountExplorer(deps: { baseUrl: string; watch: AnchorWatch }): void {
  const section = byId('explorer');
  const form = byId<HTMLFormElement>('explorer-form');
  const input = byId<HTMLInputElement>('explorer-hash');
  const fieldError = byId('explorer-error');
  const output = byId('explorer-result');
  // A short live summary: the result itself is too long to be read out on every lookup.
  const announce = byId('explorer-status');
  let inFlight: AbortController | undefined;
  let shown: { outcome: AgentLookup; intervalMs: number | undefined } | undefined;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const hash = normalizeAgentHash(input.value);
    if (!hash) {
      input.setAttribute('aria-invalid', 'true');
      fieldError.textContent = 'Enter 0x followed by 64 hex characters.';
      fieldError.hidden = false;
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    fieldError.hidden = true;
    // The fragment drives the lookup, so the result can be bookmarked and shared.
    if (location.hash === agentLink(hash)) void show(hash, false);
    else location.hash = agentLink(hash);
  });
  addEventListener('hashchange', () => fromFragment(true));
  // The time to freeze needs the anchor interval: draw the agent again once it is known (or changes).
  deps.watch.subscribe(({ intervalMs }) => {
    if (shown?.outcome.kind === 'found' && shown.intervalMs !== intervalMs) present(shown.outcome, false);
  });
  fromFragment(false);

  function fromFragment(moveFocus: boolean): void {
    const match = /^#\/agent\/(.*)$/.exec(location.hash);
    if (!match) return;
    let raw = match[1];
    try {
      raw = decodeURIComponent(raw);
    } catch {
      // A malformed %-escape: judged as typed.
    }
    const hash = normalizeAgentHash(raw);
    if (!hash) {
      section.dataset.state = 'invalid';
      replaceChildren(output, h('p', { class: 'problem' }, `“${match[1].slice(0, 80)}” is not an agent hash (0x and 64 hex characters).`));
      return;
    }
    input.value = hash;
    void show(hash, moveFocus);
  }

  async function show(hash: string, moveFocus: boolean): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    section.dataset.state = 'loading';
    shown = undefined;
    replaceChildren(output, h('p', { class: 'notice' }, `Looking up ${shortHash(hash)}…`));
    announce.textContent = 'Looking up the agent…';
    let outcome: AgentLookup;
    try {
      outcome = await lookupAgent(deps.baseUrl, hash, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      outcome = { kind: 'unavailable', hash, code: 'NETWORK', message: `The registry did not answer (${error instanceof Error ? error.message : String(error)})` };
    }
    if (controller.signal.aborted) return;
    inFlight = undefined;
    present(outcome, moveFocus);
  }

  function present(outcome: AgentLookup, moveFocus: boolean): void {
    shown = { outcome, intervalMs: deps.watch.current.intervalMs };
    section.dataset.state = outcome.kind;
    const view = render(outcome);
    replaceChildren(output, view);
    announce.textContent = summaryOf(outcome);
    if (moveFocus) view.querySelector<HTMLElement>('[tabindex="-1"]')?.focus();
  }

  function render(outcome: AgentLookup): HTMLElement {
    if (outcome.kind === 'not-found') {
      return h('div', { class: 'problem', id: 'explorer-not-found' },
        h('h3', { tabindex: -1 }, 'Agent not found'),
        h('p', {}, 'No agent with hash ', h('code', {}, outcome.hash), ' is registered here.'),
      );
    }
    if (outcome.kind === 'unavailable') {
      return h('div', { class: 'notice tone-warn', id: 'explorer-unavailable' },
        h('h3', { tabindex: -1 }, 'Registry unavailable'),
        h('p', {}, `${outcome.message} (${outcome.code}). Anchors and proofs still work.`),
      );
    }
    return renderAgent(outcome.hash, outcome.status, outcome.beatStatus, outcome.beatStatusNote);
  }

  function renderAgent(hash: string, status: AgentStatusPayload, beat: BeatStatusPayload | null, note: string | undefined): HTMLElement {
    const name = str(status.name) ?? str(beat?.lineage?.name);
    const statusValue = str(status.status) ?? 'unknown';
    const standing = str(beat?.whitelist?.standing);
    const intervalMs = deps.watch.current.intervalMs;
    const currentAnchor = deps.watch.current.anchor?.beat_index;

    // Seed 001 states beats behind and until freeze; without it they follow from seed 002's last_global_sync.
    const lastSync = num(beat?.whitelist?.last_global_sync) ?? num(status.beat_state?.last_global_sync);
    const deadline = num(beat?.whitelist?.deadline_anchors) ?? DEFAULT_DEADLINE_ANCHORS;
    const behind = num(beat?.whitelist?.beats_behind) ?? (lastSync !== undefined && currentAnchor !== undefined ? Math.max(0, currentAnchor - lastSync) : undefined);
    const untilFreeze = num(beat?.whitelist?.beats_until_freeze) ?? (behind !== undefined ? Math.max(0, deadline - behind) : undefined);
    const frozen = statusValue === 'frozen' || standing === 'FROZEN';

    const facts: [string, Child][] = [
      ['Hash', h('code', { title: hash }, shortHash(hash, 10, 8))],
      ['Type', str(status.type) ?? str(beat?.lineage?.type) ?? '—'],
      ['Registered', str(status.registered) ? formatUtc(str(status.registered)!) : '—'],
      ['Beats behind', behind !== undefined ? `${plural(behind, 'anchor')} (freeze after ${formatInt(deadline)})` : '—'],
      ['Time to freeze', frozen ? 'Frozen: the agent must resync' : untilFreeze === undefined ? '—' : untilFreeze === 0 ? 'Overdue: freeze imminent' : `${plural(untilFreeze, 'anchor')}${intervalMs ? ` ≈ ${formatDuration(untilFreeze * intervalMs)}` : ''}`],
      ['Liveness score', livenessText(status)],
      ['Total beats', formatOptional(num(status.beat_state?.lifetime_beats) ?? num(beat?.heartbeat?.total_beats))],
      ['Available beats', formatOptional(num(status.beat_state?.available_beats) ?? num(beat?.heartbeat?.available_beats))],
      ['Heartbeats', formatOptional(num(status.beat_state?.total_heartbeats))],
    ];

    return h('article', { class: 'agent', 'aria-labelledby': 'agent-title' },
      h('div', { class: 'agent-head' },
        h('h3', { id: 'agent-title', tabindex: -1 }, name ?? 'Unnamed agent'),
        h('span', { class: `badge ${TONES[statusValue] ?? 'tone-neutral'}`, id: 'agent-status' }, `Status: ${statusValue}`),
        standing ? h('span', { class: `badge ${TONES[standing] ?? 'tone-neutral'}`, id: 'agent-standing' }, `Standing: ${standing}`) : null,
      ),
      note ? h('p', { class: 'notice' }, note) : null,
      h('div', { class: 'agent-grid' },
        h('div', {}, h('dl', { class: 'facts' }, ...facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))))),
        h('div', {}, renderGestation(beat), renderLineage(status, beat)),
      ),
      h('h4', {}, 'Recent check-ins'),
      checkinChart(normalizeCheckins(beat?.recent_checkins)),
    );
  }
}

/** One sentence for the live region. */
function summaryOf(outcome: AgentLookup): string {
  if (outcome.kind === 'not-found') return 'Agent not found.';
  if (outcome.kind === 'unavailable') return `Registry unavailable (${outcome.code}).`;
  const standing = str(outcome.beatStatus?.whitelist?.standing);
  return `Agent ${str(outcome.status.name) ?? 'unnamed'}: status ${str(outcome.status.status) ?? 'unknown'}${standing ? `, standing ${standing}` : ''}.`;
}

function renderGestation(beat: BeatStatusPayload | null): HTMLElement {
  const g = beat?.gestation;
  if (!g) return h('div', {}, h('h4', {}, 'Gestation'), h('p', { class: 'hint' }, 'No gestation data.'));
  const pct = Math.max(0, Math.min(100, num(g.progress_pct) ?? 0));
  const cost = num(g.next_child_cost);
  const have = num(g.beats_accumulated);
  return h('div', {},
    h('h4', { id: 'gestation-title' }, 'Gestation'),
    h('progress', { max: 100, value: pct, 'aria-labelledby': 'gestation-title', 'aria-describedby': 'gestation-text' }),
    h('p', { id: 'gestation-text' },
      `${formatPercent(pct / 100, 0)} toward the next child`,
      cost !== undefined ? ` (${have !== undefined ? `${formatInt(have)} of ` : ''}${formatInt(cost)} beats)` : '',
      '. ',
      g.can_spawn === true ? h('strong', {}, 'Can spawn now.') : `Cannot spawn yet${num(g.deficit) ? `: ${formatInt(num(g.deficit)!)} beats short` : ''}.`,
    ),
    h('p', { class: 'hint' }, `Children spawned: ${formatOptional(num(g.children_spawned))}`),
  );
}

function renderLineage(status: AgentStatusPayload, beat: BeatStatusPayload | null): HTMLElement {
  const lineage = beat?.lineage;
  const parent = normalizeParent(lineage?.parent ?? (status as { parent?: unknown }).parent);
  const children = childHashes(lineage?.children ?? status.children);
  return h('div', {},
    h('h4', {}, 'Lineage'),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Type'), h('dd', {}, str(lineage?.type) ?? str(status.type) ?? '—')),
      h('div', {}, h('dt', {}, 'Parent'), h('dd', {}, parent ? h('a', { href: agentLink(parent), id: 'agent-parent', title: parent }, shortHash(parent, 10, 8)) : 'none (a root agent)')),
      h('div', {}, h('dt', {}, 'Depth'), h('dd', {}, formatOptional(num(lineage?.depth) ?? num(status.depth)))),
      h('div', {}, h('dt', {}, 'Name'), h('dd', {}, str(lineage?.name) ?? str(status.name) ?? '—')),
    ),
    children.length > 0
      ? h('div', {}, h('p', { class: 'hint' }, `Children (${children.length})`), h('ul', { class: 'children' }, ...children.map((c) => h('li', {}, h('a', { href: agentLink(c.hash), title: c.hash }, c.name ?? shortHash(c.hash, 10, 8))))))
      : null,
  );
}

function livenessText(status: AgentStatusPayload): string {
  const score = num(status.liveness_score);
  if (score === undefined) return '— (no score yet: grace period or sandbox)';
  return `${formatPercent(score)}${str(status.liveness_algorithm) ? ` (${status.liveness_algorithm})` : ''}`;
}

/** Children as a registry may list them: hashes, or objects with a hash and a name. */
function childHashes(raw: unknown): { hash: string; name?: string }[] {
  if (!Array.isArray(raw)) return [];
  const out: { hash: string; name?: string }[] = [];
  for (const entry of raw) {
    const hash = normalizeParent(typeof entry === 'string' ? entry : (entry as { hash?: unknown } | null)?.hash);
    if (hash) out.push({ hash, name: str((entry as { name?: unknown } | null)?.name) });
  }
  return out;
}

function normalizeParent(value: unknown): string | undefined {
  return typeof value === 'string' ? normalizeAgentHash(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function formatOptional(value: number | undefined): string {
  return value === undefined ? '—' : formatInt(value);
}
