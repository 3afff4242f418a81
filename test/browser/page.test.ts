// The page in Chromium: it loads under its CSP without console errors, the anchor ticker advances
// and verifies each anchor in the page, it fits a 375 px phone, text contrast is at least 4.5:1 and
// keyboard focus is visible. Every test saves a screenshot under test/artifacts/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithChromium, findLowContrast, launchChromium, ProblemLog, saveScreenshot } from '../helpers/browser.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startWebTestService, type WebTestService } from '../helpers/web-service.js';

/** Waits until the page's script ran, the WASM worker is ready and an anchor is verified. */
async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#ticker[data-state="verified"]');
  await page.waitForFunction(() => document.getElementById('worker-badge')?.textContent?.startsWith('WASM ready'));
}

describeWithChromium('browser page', () => {
  describeEachEngine('page', (ctx) => {
    let web: WebTestService;
    let browser: Browser;
    let page: Page;
    let log: ProblemLog;

    beforeAll(async () => {
      // Anchors every second: the ticker moves quickly, and a proof's anchor stays in the grace window (5 s).
      web = await startWebTestService(ctx.db, { ANCHOR_INTERVAL_MS: '1000' });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await web?.close();
    });
    beforeEach(async () => {
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      log = new ProblemLog(page);
    });
    afterEach(async () => {
      expect(log.unexpected()).toEqual([]);
      await page.close();
    });

    it('loads without console errors, under a strict CSP, with no inline script', async () => {
      const response = await page.goto(web.url);
      const csp = response!.headers()['content-security-policy'];
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      await openPage(page, web.url);
      expect(await page.locator('script:not([src])').count()).toBe(0);
      expect(await page.evaluate(() => typeof window.beats.proveWork === 'function' && typeof window.beats.buildProof === 'function')).toBe(true);
      expect(page.workers().length).toBe(1);
      await saveScreenshot(page, 'page-desktop');
    });

    it('the ticker advances and shows each anchor verified in the page', async () => {
      await openPage(page, web.url);
      const readIndex = async () => Number((await page.locator('#anchor-index').textContent())!.replace(/,/g, ''));
      const first = await readIndex();
      await page.waitForFunction((start) => Number(document.getElementById('anchor-index')!.textContent!.replace(/,/g, '')) >= start + 2, first, { timeout: 15_000 });
      const index = await readIndex();
      expect(index).toBeGreaterThanOrEqual(first + 2);
      expect(await page.locator('#anchor-badge').textContent()).toBe('✓ Verified');
      expect(await page.locator('#anchor-live').textContent()).toMatch(/^Anchor [\d,]+: signature and hash verified\.$/);
      expect(await page.locator('#anchor-problem').isHidden()).toBe(true);
      expect(await page.locator('#anchor-recent li').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#anchor-next').textContent()).toMatch(/^(in [\d.]+ s|due now)$/);

      // The page shows the service's anchor: the full hash is on the shortened one.
      const shown = (await page.locator('#anchor-hash').getAttribute('title'))!;
      const shownIndex = await readIndex();
      const stored = await (await fetch(`${web.url}/api/v1/beat/anchor/${shownIndex}`)).json();
      expect(stored.anchor.hash).toBe(shown);
      expect(await page.locator('#anchor-kid').textContent()).toContain(stored.receipt.kid);
      await saveScreenshot(page, 'ticker');
    });

    it('shows a visible error when an anchor does not verify', async () => {
      // The service's answer is altered on its way to the page: one field changed, signature kept.
      await page.route('**/api/v1/beat/anchor', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        if (body.anchor) body.anchor.utc += 1;
        await route.fulfill({ response, json: body });
      });
      await page.goto(web.url);
      await page.waitForSelector('#ticker[data-state="unverified"]');
      expect(await page.locator('#anchor-badge').textContent()).toBe('✗ Not verified');
      expect(await page.locator('#anchor-problem').textContent()).toContain('ANCHOR_SIGNATURE');
      expect(await page.locator('#anchor-index').textContent()).toBe('—');
      await saveScreenshot(page, 'ticker-unverified');
    });

    it('fits a 375 px wide screen without horizontal scrolling', async () => {
      await page.setViewportSize({ width: 375, height: 812 });
      await openPage(page, web.url);
      // Fill the page with its widest content: a receipt and an agent.
      await page.fill('#prove-beats', '20');
      await page.click('#prove-start');
      await page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });
      await page.fill('#explorer-hash', `0x${'ef'.repeat(32)}`);
      await page.click('#explorer-go');
      await page.waitForSelector('#explorer[data-state="not-found"]');
      log.allow((p) => /Failed to load resource.*404/.test(p.text) && /\/api\/v1\/(status|agent\/beat-status)\//.test(p.url ?? ''));
      const widths = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(375);
      await saveScreenshot(page, 'page-375');
    });

    it('has text contrast of at least 4.5:1, in normal and error states', async () => {
      await openPage(page, web.url);
      expect(await findLowContrast(page)).toEqual([]);
      // Error states: invalid fields, a refused lookup.
      await page.fill('#prove-beats', '0');
      await page.fill('#prove-subject', 'not hex');
      await page.click('#prove-start');
      await page.fill('#explorer-hash', 'nope');
      await page.click('#explorer-go');
      expect(await page.locator('#prove-beats-error').isVisible()).toBe(true);
      expect(await page.locator('#explorer-error').isVisible()).toBe(true);
      expect(await findLowContrast(page)).toEqual([]);
      await saveScreenshot(page, 'form-errors');
    });

    it('can be used with the keyboard, with a visible focus ring on every control', async () => {
      await openPage(page, web.url);
      const seen: string[] = [];
      // Tab through the page once: the skip link first, every control, then out of the document.
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press('Tab');
        const focus = await page.evaluate(() => {
          const e = document.activeElement as HTMLElement;
          const style = getComputedStyle(e);
          return { id: e.id || e.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
        });
        seen.push(focus.id);
        expect(focus.outline, `focus ring on ${focus.id}`).not.toBe('none');
        expect(focus.width, `focus ring on ${focus.id}`).toBeGreaterThanOrEqual(2);
      }
      // The skip link, the copy button, the form fields and buttons are all reachable.
      expect(seen).toEqual(['A', 'anchor-copy', 'prove-beats', 'prove-mode-sampled', 'prove-subject', 'prove-random', 'prove-difficulty', 'prove-start', 'explorer-hash', 'explorer-go']);
      // A proof starts from the keyboard: Enter in a field submits the form.
      await page.focus('#prove-beats');
      await page.fill('#prove-beats', '20');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });
      await saveScreenshot(page, 'keyboard');
    });
  }, { engines: ['sqlite'] });
});
