// The Prove panel: a form (beats, mode, subject, difficulty), a run in the Web Worker with a
// progress bar (iterations/s, ETA) and a Cancel button, then the receipt, verified in the page.
import { ProverCancelledError } from '../../prover-wasm/src/errors.js';
import type { ProofMode } from '../../shared/proof-v2/index.js';
import { AnchorVerificationError, BeatsApiError, ProofRejectedError, ReceiptVerificationError } from '../../shared/sdk/index.js';
import type { AnchorWatch } from './anchor-watch.js';
import { byId } from './dom.js';
import { formatDuration, formatInt, formatRate } from './format.js';
import { PAGE_MAX_BEATS, type ProofLimitsView } from './proof-limits.js';
import { normalizeSubject, provePageWork, randomSubject, type ProveParams, type ProvePhase } from './prove.js';
import { WorkerProverError, type WorkerProver } from './worker-prover.js';

/** What the panel needs. */
export interface ProverPanelDeps {
  watch: AnchorWatch;
  prover: WorkerProver;
  /** The service's proof limits (the defaults until they arrive). */
  limits: () => ProofLimitsView;
}

const PHASE_LABELS: Record<ProvePhase, string> = {
  anchor: 'Fetching and verifying the anchor',
  chain: 'Computing beats in the Web Worker',
  commit: 'Building the Merkle commitment',
  challenges: 'Deriving the challenges (SHA-256^W)',
  submit: 'Submitting the proof and verifying the receipt',
};

/** How often the live status line may change during a chain (screen readers read every change). */
const ANNOUNCE_EVERY_MS = 3000;

/** Binds the Prove section of the page. */
export function mountProverPanel(deps: ProverPanelDeps): void {
  const { watch, prover } = deps;
  const section = byId('prover');
  const form = byId<HTMLFormElement>('prove-form');
  const beatsInput = byId<HTMLInputElement>('prove-beats');
  const subjectInput = byId<HTMLInputElement>('prove-subject');
  const difficultyInput = byId<HTMLInputElement>('prove-difficulty');
  const randomButton = byId<HTMLButtonElement>('prove-random');
  const startButton = byId<HTMLButtonElement>('prove-start');
  const cancelButton = byId<HTMLButtonElement>('prove-cancel');
  const workerBadge = byId('worker-badge');
  const phaseLabel = byId('prove-phase');
  const bar = byId<HTMLProgressElement>('prove-bar');
  const stats = byId('prove-stats');
  const status = byId('prove-status');
  const errorBox = byId('prove-error');
  const result = byId('prove-result');
  const resultSummary = byId('prove-result-summary');
  const receiptBox = byId('prove-receipt');
  let controller: AbortController | undefined;
  let difficultyTouched = false;

  subjectInput.value = `0x${randomSubject()}`;
  randomButton.addEventListener('click', () => {
    subjectInput.value = `0x${randomSubject()}`;
    clearFieldError(subjectInput);
  });
  difficultyInput.addEventListener('input', () => {
    difficultyTouched = true;
  });
  watch.subscribe(({ anchor }) => {
    if (!anchor) return;
    difficultyInput.placeholder = `${anchor.difficulty} (the anchor's)`;
    if (!difficultyTouched && !controller) difficultyInput.value = String(anchor.difficulty);
  });
  prover.onStatus((s) => {
    workerBadge.className = `badge ${s.state === 'ready' ? 'badge-ok' : s.state === 'failed' ? 'badge-error' : 'badge-pending'}`;
    workerBadge.textContent = s.state === 'ready' ? `WASM ready${s.simd ? ' (SIMD)' : ''}` : s.state === 'failed' ? 'WASM failed' : 'WASM loading…';
    workerBadge.title = s.state === 'failed' ? s.message : '';
  });
  for (const input of [beatsInput, subjectInput, difficultyInput]) input.addEventListener('input', () => clearFieldError(input));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (controller) return;
    const params = readForm();
    if (params) void run(params);
  });
  cancelButton.addEventListener('click', () => {
    if (!controller) return;
    controller.abort();
    setStatus('Cancelling…');
  });
  // Escape cancels a running proof from anywhere in the panel.
  section.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && controller) cancelButton.click();
  });

  /** The form's values, checked against the service's limits; undefined (errors shown) when invalid. */
  function readForm(): Omit<ProveParams, 'onProgress' | 'onPhase' | 'signal'> | undefined {
    const limits = deps.limits();
    const mode = (new FormData(form).get('mode') as ProofMode | null) ?? 'sampled';
    let firstInvalid: HTMLInputElement | undefined;
    const fail = (input: HTMLInputElement, message: string) => {
      showFieldError(input, message);
      firstInvalid ??= input;
    };
    const beats = Number(beatsInput.value);
    const maxBeats = mode === 'full' ? Math.min(limits.maxBeatsFull, PAGE_MAX_BEATS) : PAGE_MAX_BEATS;
    if (!Number.isSafeInteger(beats) || beats < 1 || beats > maxBeats || beatsInput.value.trim() === '') {
      fail(beatsInput, `Enter a whole number from 1 to ${formatInt(maxBeats)}${mode === 'full' ? ' (full mode)' : ''}.`);
    }
    let subject: string | undefined;
    try {
      subject = normalizeSubject(subjectInput.value);
    } catch {
      fail(subjectInput, 'Enter 64 hex characters (0–9, a–f), with or without 0x.');
    }
    let difficulty: number | undefined;
    if (difficultyInput.value.trim() !== '') {
      difficulty = Number(difficultyInput.value);
      if (!Number.isSafeInteger(difficulty) || difficulty < limits.minDifficulty || difficulty > limits.maxDifficulty) {
        fail(difficultyInput, `Enter a whole number from ${formatInt(limits.minDifficulty)} to ${formatInt(limits.maxDifficulty)}.`);
      }
    }
    // The service caps the beat work it re-does per request; refuse here what it would refuse there.
    const d = difficulty ?? watch.current.anchor?.difficulty;
    if (!firstInvalid && d !== undefined) {
      const checked = mode === 'full' ? beats : Math.min(beats, limits.k + 2);
      if (checked * (d + 1) > limits.maxVerifyIterations) {
        const input = mode === 'full' ? beatsInput : difficultyInput;
        fail(input, `The service re-does at most ${formatInt(limits.maxVerifyIterations)} SHA-256 calls per proof: ${formatInt(checked)} beats × ${formatInt(d + 1)} is more. Lower the ${mode === 'full' ? 'beats or the difficulty' : 'difficulty'}.`);
      }
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return undefined;
    }
    return { beats, mode, subject, difficulty };
  }

  async function run(params: Omit<ProveParams, 'onProgress' | 'onPhase' | 'signal'>): Promise<void> {
    controller = new AbortController();
    setRunning(true);
    errorBox.hidden = true;
    result.hidden = true;
    bar.max = params.beats;
    bar.value = 0;
    stats.textContent = '';
    stats.hidden = false;
    let chainStart = 0;
    let lastAnnounce = 0;
    try {
      const { receipt, proof } = await provePageWork(
        { client: watch.client, engine: prover.engine },
        {
          ...params,
          signal: controller.signal,
          onPhase(phase) {
            section.dataset.phase = phase;
            phaseLabel.textContent = PHASE_LABELS[phase];
            setStatus(`${PHASE_LABELS[phase]}…`);
            if (phase === 'chain') chainStart = performance.now();
            if (phase === 'commit' || phase === 'submit') bar.value = bar.max;
          },
          onProgress(done, total, difficulty) {
            bar.max = total;
            bar.value = done;
            const elapsed = (performance.now() - chainStart) / 1000;
            const rate = elapsed > 0 ? (done * (difficulty + 1)) / elapsed : 0;
            const eta = rate > 0 ? ((total - done) * (difficulty + 1)) / rate : Number.NaN;
            stats.textContent = `${formatInt(done)} / ${formatInt(total)} beats · ${formatRate(rate)} · ETA ${formatDuration(eta * 1000)}${graceWarning(elapsed + eta)}`;
            const now = performance.now();
            if (now - lastAnnounce >= ANNOUNCE_EVERY_MS) {
              lastAnnounce = now;
              setStatus(`Computing beats: ${Math.floor((done / total) * 100)} %, about ${formatDuration(eta * 1000)} left.`);
            }
          },
        },
      );
      section.dataset.state = 'done';
      phaseLabel.textContent = 'Done';
      receiptBox.textContent = JSON.stringify(receipt, null, 2);
      resultSummary.textContent = `${formatInt(receipt.beats_verified)} beats at difficulty ${formatInt(receipt.difficulty)} after anchor #${formatInt(receipt.anchor_index)}, assurance ${receipt.assurance}, signed by key ${receipt.kid}.`;
      result.hidden = false;
      setStatus(`Done: the receipt for ${formatInt(proof.beats_computed)} beats is verified.`);
    } catch (error) {
      if (isCancel(error)) {
        section.dataset.state = 'cancelled';
        phaseLabel.textContent = 'Cancelled';
        setStatus('Cancelled. The worker stopped.');
      } else {
        section.dataset.state = 'error';
        phaseLabel.textContent = 'Failed';
        errorBox.textContent = describeFailure(error);
        errorBox.hidden = false;
        setStatus('The proof failed; see the message below.');
      }
    } finally {
      controller = undefined;
      setRunning(false);
    }
  }

  /** A warning when, at this rate, the proof lands after its anchor leaves the service's grace window. */
  function graceWarning(totalSeconds: number): string {
    const { intervalMs } = watch.current;
    if (!intervalMs || !Number.isFinite(totalSeconds)) return '';
    const windowMs = deps.limits().graceWindow * intervalMs;
    return totalSeconds * 1000 > windowMs ? ` · warning: slower than the anchor grace window (${formatDuration(windowMs)}); the service will refuse it as stale_anchor` : '';
  }

  function setRunning(running: boolean): void {
    if (running) section.dataset.state = 'running';
    else if (section.dataset.state === 'running') section.dataset.state = 'idle';
    // Keyboard users keep their place: focus follows from Start to Cancel and back.
    const focusOnCancel = document.activeElement === cancelButton;
    const focusOnStart = document.activeElement === startButton;
    cancelButton.disabled = !running;
    startButton.disabled = running;
    for (const input of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, #prove-random')) input.disabled = running;
    if (running && focusOnStart) cancelButton.focus();
    if (!running && focusOnCancel) startButton.focus();
  }

  function setStatus(text: string): void {
    status.textContent = text;
  }
}

function isCancel(error: unknown): boolean {
  return error instanceof ProverCancelledError || (error instanceof DOMException && error.name === 'AbortError');
}

/** A message for each kind of failure, naming the code the service or the SDK gave. */
function describeFailure(error: unknown): string {
  if (error instanceof ProofRejectedError) return `The service refused the proof: ${error.reason}.`;
  if (error instanceof ReceiptVerificationError) return `The receipt did NOT verify in the browser: ${error.message}.`;
  if (error instanceof AnchorVerificationError) return `The anchor did not verify (${error.code}): ${error.message}.`;
  if (error instanceof BeatsApiError) return `The service answered HTTP ${error.status} ${error.code}: ${error.message}${error.retryAfterMs ? ` (retry in ${formatDuration(error.retryAfterMs)})` : ''}.`;
  if (error instanceof WorkerProverError) return `The prover worker failed (${error.code}): ${error.message}.`;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}.`;
}

function showFieldError(input: HTMLInputElement, message: string): void {
  const box = document.getElementById(`${input.id}-error`);
  input.setAttribute('aria-invalid', 'true');
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

function clearFieldError(input: HTMLInputElement): void {
  const box = document.getElementById(`${input.id}-error`);
  input.removeAttribute('aria-invalid');
  if (box) box.hidden = true;
}
