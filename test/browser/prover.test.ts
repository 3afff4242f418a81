// The prover in Chromium: a proof computed in the Web Worker with the WASM core, submitted, its
// receipt verified in the page; Cancel stopping a long chain at a segment boundary; and the page
// building, from the same inputs, byte for byte the proof Node builds.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { hexToBytes } from '../../shared/hex.js';
import { buildProofV2, type ProofMode } from '../../shared/proof-v2/index.js';
import { verifyReceipt } from '../../shared/receipts.js';
import { describeWithChromium, openReadyPage, saveScreenshot, useChromiumPages } from '../helpers/browser.js';
import { describeEachEngine } from '../helpers/engines.js';
import { startWebTestService, type WebTestService } from '../helpers/web-service.js';

describeWithChromium('browser prover', () => {
  describeEachEngine('prover', (ctx) => {
    let web: WebTestService;
    const chrome = useChromiumPages();

    beforeAll(async () => {
      // Anchors every 2 s: the proofs' anchor stays inside the grace window however the machine is loaded.
      web = await startWebTestService(ctx.db, { ANCHOR_INTERVAL_MS: '2000' });
    });
    afterAll(async () => {
      await web?.close();
    });
    beforeEach(async () => {
      await openReadyPage(chrome.page, web.url);
    });

    it('a 20-beat proof completes in the Web Worker and its receipt verifies in the page', async () => {
      const subject = 'c0ffee'.padEnd(64, '0');
      await chrome.page.fill('#prove-beats', '20');
      await chrome.page.fill('#prove-subject', `0x${subject}`);
      await chrome.page.click('#prove-start');
      await chrome.page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });

      expect(await chrome.page.locator('#prove-result .badge').textContent()).toBe('✓ Receipt verified');
      expect(await chrome.page.locator('#prove-error').isHidden()).toBe(true);
      expect(await chrome.page.locator('#prove-status').textContent()).toBe('Done: the receipt for 20 beats is verified.');
      expect(await chrome.page.locator('#prove-stats').textContent()).toMatch(/^20 \/ 20 beats · [\d.]+ (M |k )?it\/s · ETA /);
      const receipt = JSON.parse((await chrome.page.locator('#prove-receipt').textContent())!);
      expect(receipt).toMatchObject({ type: 'work_proof', version: 2, mode: 'sampled', assurance: 'fs-64', subject, beats_verified: 20, difficulty: 1000 });

      // The receipt verifies outside the page too, with the service's work-proof key.
      const keys = await (await fetch(`${web.url}/api/v1/beat/key`)).json();
      const key = keys.keyset.find((k: { kid: string; use: string }) => k.kid === receipt.kid && k.use === 'work_proof');
      expect(verifyReceipt(receipt, hexToBytes(key.public_key_hex))).toBe(true);
      // The chain ran in the page's one worker, not on the main thread.
      expect(chrome.page.workers()).toHaveLength(1);
      // Back to idle: the form can start another proof.
      expect(await chrome.page.locator('#prove-start').isEnabled()).toBe(true);
      expect(await chrome.page.locator('#prove-cancel').isDisabled()).toBe(true);
      await saveScreenshot(chrome.page, 'prover-receipt');
    });

    it('Cancel stops a long proof within a segment and the UI returns to idle', async () => {
      await chrome.page.fill('#prove-beats', '100000');
      await chrome.page.click('#prove-start');
      await chrome.page.waitForSelector('#prover[data-state="running"]');
      await chrome.page.waitForFunction(() => (document.getElementById('prove-bar') as HTMLProgressElement).value > 0, undefined, { timeout: 20_000 });
      expect(await chrome.page.locator('#prove-cancel').isEnabled()).toBe(true);
      await saveScreenshot(chrome.page, 'prover-running');
      const worker = chrome.page.workers()[0];
      let workerClosed = false;
      worker.on('close', () => {
        workerClosed = true;
      });

      const started = Date.now();
      await chrome.page.click('#prove-cancel');
      await chrome.page.waitForSelector('#prover[data-state="cancelled"]', { timeout: 5_000 });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(1_500);
      const done = await chrome.page.evaluate(() => (document.getElementById('prove-bar') as HTMLProgressElement).value);
      expect(done).toBeLessThan(100_000);
      expect(await chrome.page.locator('#prove-status').textContent()).toBe('Cancelled. The worker stopped.');
      expect(await chrome.page.locator('#prove-start').isEnabled()).toBe(true);
      expect(await chrome.page.locator('#prove-cancel').isDisabled()).toBe(true);
      expect(await chrome.page.locator('#prove-beats').isEnabled()).toBe(true);
      expect(await chrome.page.locator('#prove-error').isHidden()).toBe(true);
      // The worker stopped at a segment boundary on the cancel message: it was not terminated.
      expect(workerClosed).toBe(false);
      expect(chrome.page.workers()).toEqual([worker]);
      await saveScreenshot(chrome.page, 'prover-cancelled');

      // And it is free: a short proof runs at once.
      await chrome.page.fill('#prove-beats', '20');
      await chrome.page.click('#prove-start');
      await chrome.page.waitForSelector('#prover[data-state="done"]', { timeout: 30_000 });
    });

    it('builds the same proof as Node from the same anchor, subject, N, d and mode', async () => {
      const prover = proverEngine(await loadProver());
      const anchor = { index: 4242, hash: '5a'.repeat(32) };
      const subject = '3c'.repeat(32);
      const cases: { beats: number; difficulty: number; mode: ProofMode }[] = [
        { beats: 300, difficulty: 150, mode: 'sampled' },
        { beats: 1, difficulty: 100, mode: 'sampled' },
        { beats: 64, difficulty: 120, mode: 'full' },
      ];
      for (const c of cases) {
        const inNode = await buildProofV2({ anchor, subject, ...c, engine: prover });
        const inBrowser = await chrome.page.evaluate((params) => window.beats.buildProof(params), { anchor, subject, ...c });
        expect(inBrowser, `${c.mode} N=${c.beats} d=${c.difficulty}`).toEqual(inNode);
      }
      await saveScreenshot(chrome.page, 'prover-node-equivalence');
    });

    it('window.beats.proveWork runs the button\'s path; verifyReceipt refuses an altered receipt', async () => {
      const result = await chrome.page.evaluate(() => window.beats.proveWork({ beats: 20, mode: 'full' }));
      expect(result.receipt).toMatchObject({ version: 2, mode: 'full', assurance: 'full', beats_verified: 20, subject: result.subject });
      expect(result.proof.beats).toHaveLength(20);
      expect(await chrome.page.evaluate((receipt) => window.beats.verifyReceipt(receipt), result.receipt)).toBe(true);
      const refused = await chrome.page.evaluate(
        (receipt) => window.beats.verifyReceipt({ ...receipt, beats_verified: receipt.beats_verified + 1 }).then(() => 'verified', (e: Error & { code?: string }) => e.code),
        result.receipt,
      );
      expect(refused).toBe('RECEIPT_INVALID');
      await saveScreenshot(chrome.page, 'prover-console-api');
    });

    it('refuses, before any hashing, a full proof the service would refuse', async () => {
      await chrome.page.check('#prove-mode-full');
      await chrome.page.fill('#prove-beats', '5000');
      await chrome.page.click('#prove-start');
      expect(await chrome.page.locator('#prove-beats-error').textContent()).toContain('2,048');
      expect(await chrome.page.locator('#prove-beats').getAttribute('aria-invalid')).toBe('true');
      expect(await chrome.page.evaluate(() => document.activeElement?.id)).toBe('prove-beats');
      expect(await chrome.page.getAttribute('#prover', 'data-state')).toBe('idle');
      await saveScreenshot(chrome.page, 'prover-invalid');
    });
  }, { engines: ['sqlite'] });
});
