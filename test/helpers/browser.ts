// Chromium for the browser suites: Debian's /usr/bin/chromium driven by playwright-core (never a
// downloaded browser). Without it the suites are skipped locally and fail in CI (CI=true).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';

/** The browser binary: CHROMIUM_PATH, else Debian's package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const available = existsSync(CHROMIUM_PATH);

/** Where screenshots go (git-ignored). */
export const ARTIFACTS_DIR = join(process.cwd(), 'test', 'artifacts');

/** `describe`, skipped when Chromium is missing, except in CI where the suite fails instead. */
export function describeWithChromium(name: string, body: () => void): void {
  describe.skipIf(!available && !IN_CI)(name, () => {
    beforeAll(() => {
      if (!available) throw new Error(`Chromium is required in CI but missing at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
    });
    body();
  });
}

/** Launches headless Chromium with no network side channels. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** One problem a page reported: a console error (page or worker), an uncaught exception, a failed request. */
export interface PageProblem {
  kind: 'console' | 'worker-console' | 'pageerror' | 'requestfailed';
  text: string;
  url?: string;
}

/** Records every problem `page` reports; `allow` exempts expected ones (e.g. a 404 the test asked for). */
export class ProblemLog {
  readonly problems: PageProblem[] = [];
  private allowed: ((p: PageProblem) => boolean)[] = [];

  constructor(page: Page) {
    const onConsole = (kind: PageProblem['kind']) => (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        this.problems.push({ kind, text: `${message.type()}: ${message.text()}`, url: message.location().url });
      }
    };
    page.on('console', onConsole('console'));
    page.on('worker', (worker) => worker.on('console', onConsole('worker-console')));
    page.on('pageerror', (error) => this.problems.push({ kind: 'pageerror', text: `${error.name}: ${error.message}` }));
    page.on('requestfailed', (request) => {
      // A fetch the page aborted itself (a superseded lookup, a cancelled proof) is not a failure.
      if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
      this.problems.push({ kind: 'requestfailed', text: request.failure()?.errorText ?? 'failed', url: request.url() });
    });
  }

  /** Exempts problems matching `predicate` from now on. */
  allow(predicate: (p: PageProblem) => boolean): void {
    this.allowed.push(predicate);
  }

  /** The problems not exempted. */
  unexpected(): PageProblem[] {
    return this.problems.filter((p) => !this.allowed.some((allow) => allow(p)));
  }

  /** Forgets what was recorded (between tests on one page). */
  clear(): void {
    this.problems.length = 0;
    this.allowed = [];
  }
}

/** Saves a full-page screenshot as test/artifacts/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A text element whose contrast with its background is below `minimum` (WCAG 2.2 SC 1.4.3). */
export interface ContrastFailure {
  element: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
}

/**
 * Measures the contrast of every visible element that holds text directly (and of text inputs),
 * against the first opaque background among its ancestors; returns those below `minimum`.
 */
export function findLowContrast(page: Page, minimum = 4.5): Promise<ContrastFailure[]> {
  return page.evaluate((min) => {
    const parse = (value: string): number[] => (value.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const backgroundOf = (element: Element | null): number[] => {
      for (let e = element; e; e = e.parentElement) {
        const rgba = parse(getComputedStyle(e).backgroundColor);
        if (rgba.length === 3 || (rgba.length === 4 && rgba[3] >= 0.99)) return rgba.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const describe = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`;
    const failures: { element: string; text: string; color: string; background: string; ratio: number }[] = [];
    const candidates = [...document.querySelectorAll('body *')].filter((e) => {
      if (e instanceof SVGElement || !e.getClientRects().length) return false;
      const style = getComputedStyle(e);
      if (style.visibility === 'hidden' || style.display === 'none') return false;
      const ownText = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      return ownText || (e instanceof HTMLInputElement && (e.type === 'text' || e.type === 'number') && e.value !== '');
    });
    for (const e of candidates) {
      const style = getComputedStyle(e);
      const color = parse(style.color);
      const background = backgroundOf(e);
      const [l1, l2] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < min) failures.push({ element: describe(e), text: (e.textContent ?? '').trim().slice(0, 40), color: style.color, background: `rgb(${background.join(', ')})`, ratio: Math.round(ratio * 100) / 100 });
    }
    return failures;
  }, minimum);
}

/** The suite's browser and the current test's page with its problem log, as useChromiumPages keeps them. */
export interface ChromiumPages {
  readonly browser: Browser;
  readonly page: Page;
  readonly log: ProblemLog;
}

/**
 * Registers the hooks every browser suite needs — Chromium launched once, a fresh 1280×900 page with its ProblemLog
 * per test, and each test ending with no unexpected problem — and returns their current values.
 */
export function useChromiumPages(): ChromiumPages {
  let browser: Browser | undefined;
  let page: Page | undefined;
  let log: ProblemLog | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    log = new ProblemLog(page);
  });
  afterEach(async () => {
    expect(log!.unexpected()).toEqual([]);
    await page!.close();
  });
  return {
    get browser() {
      return browser!;
    },
    get page() {
      return page!;
    },
    get log() {
      return log!;
    },
  };
}

/** Opens the page at `url` and waits until it is ready: scripts loaded, the anchor verified, the WASM worker up. */
export async function openReadyPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#ticker[data-state="verified"]');
  await page.waitForFunction(() => document.getElementById('worker-badge')?.textContent?.startsWith('WASM ready'));
}
