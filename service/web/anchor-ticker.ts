// The anchor ticker: the newest verified anchor (index, hash, age, countdown to the next one, key),
// a visible error when the chain does not verify, and the last few anchors seen.
import type { AnchorState, AnchorWatch } from './anchor-watch.js';
import { copyText } from './clipboard.js';
import { byId, h, replaceChildren } from './dom.js';
import { formatDuration, formatInt, shortHash } from './format.js';

/** How often the ages and the countdown are redrawn. */
const TICK_MS = 250;

/** Binds the ticker section of the page to `watch`. */
export function mountAnchorTicker(watch: AnchorWatch): void {
  const section = byId('ticker');
  const badge = byId('anchor-badge');
  const live = byId('anchor-live');
  const index = byId('anchor-index');
  const hash = byId('anchor-hash');
  const copy = byId<HTMLButtonElement>('anchor-copy');
  const age = byId('anchor-age');
  const next = byId('anchor-next');
  const difficulty = byId('anchor-difficulty');
  const kid = byId('anchor-kid');
  const countdown = byId<HTMLProgressElement>('anchor-countdown');
  const problem = byId('anchor-problem');
  const recent = byId('anchor-recent');
  let state: AnchorState = watch.current;
  let announced = '';
  let recentAges: { utc: number; element: HTMLElement }[] = [];

  copy.addEventListener('click', () => {
    if (state.anchor) void copyText(state.anchor.hash, copy, hash);
  });

  watch.subscribe((next) => {
    state = next;
    render();
  });
  setInterval(tick, TICK_MS);

  function render(): void {
    const { anchor, problem: trouble } = state;
    section.dataset.state = trouble ? (trouble.kind === 'unverified' ? 'unverified' : 'unavailable') : anchor ? 'verified' : 'loading';
    if (trouble?.kind === 'unverified') setBadge('badge-error', '✗ Not verified');
    else if (trouble) setBadge('badge-warn', trouble.kind === 'none-yet' ? 'No anchor yet' : 'Unavailable');
    else if (anchor) setBadge('badge-ok', '✓ Verified');
    else setBadge('badge-pending', 'Checking…');

    problem.hidden = !trouble;
    problem.textContent = trouble
      ? trouble.kind === 'unverified'
        ? `The anchor chain does not verify (${trouble.code}): ${trouble.message}.${anchor ? ` Showing the last verified anchor, #${formatInt(anchor.beat_index)}.` : ''} Nothing unverified is shown; checking again shortly.`
        : `${trouble.message} (${trouble.code}). Retrying…`
      : '';

    if (anchor) {
      index.textContent = formatInt(anchor.beat_index);
      hash.textContent = shortHash(anchor.hash);
      hash.title = anchor.hash;
      hash.setAttribute('aria-label', `Anchor hash ${anchor.hash}`);
      copy.disabled = false;
      difficulty.textContent = formatInt(anchor.difficulty);
      kid.textContent = state.kid ? `anchor key ${state.kid}` : '—';
    }
    const summary = anchor && !trouble
      ? `Anchor ${formatInt(anchor.beat_index)}: signature and hash verified.`
      : trouble?.kind === 'unverified'
        ? `Anchor not verified: ${trouble.code}.`
        : trouble
          ? 'The anchor service is unavailable.'
          : 'Fetching the newest anchor…';
    recentAges = state.recent.map((a) => ({ utc: a.utc, element: h('span', { class: 'age' }) }));
    replaceChildren(
      recent,
      ...state.recent.map((a, i) =>
        h('li', {}, h('span', { class: 'index' }, `#${formatInt(a.beat_index)}`), h('code', { title: a.hash }, shortHash(a.hash)), recentAges[i].element),
      ),
    );
    // Re-announce only when the text changes, so the live region is not chatty.
    if (summary !== announced) {
      live.textContent = summary;
      announced = summary;
    }
    tick();
  }

  function tick(): void {
    const { anchor, nextAt, intervalMs, skewMs } = state;
    if (!anchor) return;
    const now = Date.now() + skewMs;
    age.textContent = `${formatDuration(now - anchor.utc)} ago`;
    if (nextAt !== undefined && intervalMs) {
      const remaining = nextAt - Date.now();
      next.textContent = remaining > 0 ? `in ${formatDuration(remaining)}` : 'due now';
      countdown.max = intervalMs;
      countdown.value = Math.max(0, Math.min(intervalMs, intervalMs - remaining));
    } else {
      next.textContent = '—';
    }
    for (const { utc, element } of recentAges) element.textContent = `${formatDuration(now - utc)} ago`;
  }

  function setBadge(tone: string, text: string): void {
    badge.className = `badge ${tone}`;
    badge.textContent = text;
  }
}
