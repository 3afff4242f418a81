// The page in Chromium: it loads under its CSP without console errors, the anchor ticker advances
// and verifies each anchor in the page, it fits a 375 px phone, text contrast is at least 4.5:1 and
// keyboard focus is visible. Every test saves a screenshot under test/artifacts/.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithChromium, findLowContrast, openReadyPage, saveScreenshot, useChromiumPages } from '../helpers/browser.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startWebTestService, type WebTestService } from '../helpers/web-service.js';

/** Waits until the page's script ran, the WASM worker is ready and an anchor is verified. */
describeWithChromium('browser page', () => {
  describeEachEngine('page', (ctx) => {
    let web: WebTestService;
    const chrome = useChromiumPages();

    beforeAll(async () => {
      // Anchors every second: the ticker moves quickly, and a proof's anchor stays in the grace window (5 s).
      web = await startWebTestService(ctx.db, { ANCHOR_INTERVAL_MS: '1000' });
    });
    afterAll(async () => {
      await web?.close();
    });

    it('loads without console errors, under a strict CSP, with no inline script', async () => {
      const response = await chrome.page.goto(web.url);
      const csp = response!.headers()['content-security-policy'];
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      await openReadyPage(chrome.page, web.url);
      expect(await chrome.page.locator('script:not([src])').count()).toBe(0);
      expect(await chrome.page.evaluate(() => typeof window.beats.proveWork === 'function' && typeof window.beats.buildProof === 'function')).toBe(true);
      expect(chrome.page.workers().length).toBe(1);
      await saveScreenshot(chrome.page, 'page-desktop');
    });

    it('the ticker advances and shows each anchor verified in the page', async () => {
      await openReadyPage(chrome.page, web.url);
      const readIndex = async () => Number((await chrome.page.locator('#anchor-index').textContent())!.replace(/,/g, ''));
      const first = await readIndex();
      await chrome.page.waitForFunction((start) => Number(document.getElementById('anchor-index')!.textContent!.replace(/,/g, '')) >= start + 2, first, { timeout: 15_000 });
      const index = await readIndex();
      expect(index).toBeGreaterThanOrEqual(first + 2);
      expect(await chrome.page.locator('#anchor-badge').textContent()).toBe('✓ Verified');
      expect(await chrome.page.locator('#anchor-live').textContent()).toMatch(/^Anchor [\d,]+: signature and hash verified\.$/);
      expect(await chrome.page.locator('#anchor-problem').isHidden()).toBe(true);
      expect(await chrome.page.locator('#anchor-recent li').count()).toBeGreaterThanOrEqual(2);
      expect(await chrome.page.locator('#anchor-next').textContent()).toMatch(/^(in [\d.]+ s|due now)$/);

      // The page shows the service's anchor: the full hash is on the shortened one.
      const shown = (await chrome.page.locator('#anchor-hash').getAttribute('title'))!;
      const shownIndex = await readIndex();
      const stored = await (await fetch(`${web.url}/api/v1/beat/anchor/${shownIndex}`)).json();
      expect(stored.anchor.hash).toBe(shown);
      expect(await chrome.page.locator('#anchor-kid').textContent()).toContain(stored.receipt.kid);
      await saveScreenshot(chrome.page, 'ticker');
    });

    it('shows a visible error when an anchor does not verify', async () => {
      // The service's answer is altered on its way to the page: one field changed, signature kept.
      await chrome.page.route('**/api/v1/beat/anchor', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        if (body.anchor) body.anchor.utc += 1;
        await route.fulfill({ response, json: body });
      });
      await chrome.page.goto(web.url);
      await chrome.page.waitForSelector('#ticker[data-state="unverified"]');
      expect(await chrome.page.locator('#anchor-badge').textContent()).toBe('✗ Not verified');
      expect(await chrome.page.locator('#anchor-problem').textContent()).toContain('ANCHOR_SIGNATURE');
      expect(await chrome.page.locator('#anchor-index').textContent()).toBe('—');
      await saveScreenshot(chrome.page, 'ticker-unverified');
    });

    it('fits a 375 px wide screen without horizontal scrolling', async () => {
      await chrome.page.setViewportSize({ width: 375, height: 812 });
      await openReadyPage(chrome.page, web.url);
      // Fill the page with its widest content: a receipt and an agent.
      await chrome.page.fill('#prove-beats', '20');
      await chrome.page.click('#prove-start');
      await chrome.page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });
      await chrome.page.fill('#explorer-hash', `0x${'ef'.repeat(32)}`);
      await chrome.page.click('#explorer-go');
      await chrome.page.waitForSelector('#explorer[data-state="not-found"]');
      chrome.log.allow((p) => /Failed to load resource.*404/.test(p.text) && /\/api\/v1\/(status|agent\/beat-status)\//.test(p.url ?? ''));
      const widths = await chrome.page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(375);
      await saveScreenshot(chrome.page, 'page-375');
    });

    it('has text contrast of at least 4.5:1, in normal and error states', async () => {
      await openReadyPage(chrome.page, web.url);
      expect(await findLowContrast(chrome.page)).toEqual([]);
      // Error states: invalid fields, a refused lookup.
      await chrome.page.fill('#prove-beats', '0');
      await chrome.page.fill('#prove-subject', 'not hex');
      await chrome.page.click('#prove-start');
      await chrome.page.fill('#explorer-hash', 'nope');
      await chrome.page.click('#explorer-go');
      expect(await chrome.page.locator('#prove-beats-error').isVisible()).toBe(true);
      expect(await chrome.page.locator('#explorer-error').isVisible()).toBe(true);
      expect(await findLowContrast(chrome.page)).toEqual([]);
      await saveScreenshot(chrome.page, 'form-errors');
    });

    it('can be used with the keyboard, with a visible focus ring on every control', async () => {
      await openReadyPage(chrome.page, web.url);
      const seen: string[] = [];
      // Tab through the page once: the skip link first, every control, then out of the document.
      for (let i = 0; i < 10; i++) {
        await chrome.page.keyboard.press('Tab');
        const focus = await chrome.page.evaluate(() => {
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
      await chrome.page.focus('#prove-beats');
      await chrome.page.fill('#prove-beats', '20');
      await chrome.page.keyboard.press('Enter');
      await chrome.page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });
      await saveScreenshot(chrome.page, 'keyboard');
    });
  }, { engines: ['sqlite'] });
});
