// The agent explorer in Chromium: an unknown hash is "agent not found" (seed 002's 404), a server
// without registry is "unavailable", and an agent's status, standing, freeze deadline, gestation,
// lineage and check-ins are shown, with the parent one click (or one #/agent/… link) away.
// Every agent shown comes from the real registry; the states that take many anchors are reached on the
// registry test harness's hand-driven clock.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithChromium, findLowContrast, ProblemLog, saveScreenshot, useChromiumPages } from '../helpers/browser.js';
import { describeEachEngine } from '../helpers/engines.js';
import { TestRegistry, type TestAgent } from '../registry/harness.js';
import { startWebTestService, type WebTestService } from '../helpers/web-service.js';
import { proverEngine } from '../../prover-wasm/src/engines.js';
import { loadProver } from '../../prover-wasm/src/load-node.js';
import { AgentClient, registerAgent } from '../../shared/sdk/agent-client.js';
import { BeatsClient } from '../../shared/sdk/beats-client.js';

const UNKNOWN = `0x${'0d'.repeat(32)}`;

/** The browser logs each 404 answer as a console error; the tests below ask for them. */
function allowRegistry404s(log: ProblemLog): void {
  log.allow((p) => /Failed to load resource.*404/.test(p.text) && /\/api\/v1\/(status|agent\/beat-status)\//.test(p.url ?? ''));
}

describeWithChromium('browser explorer', () => {
  describeEachEngine('explorer', (ctx) => {
    let web: WebTestService;
    const chrome = useChromiumPages();

    beforeAll(async () => {
      web = await startWebTestService(ctx.db, { ANCHOR_INTERVAL_MS: '500' });
    });
    afterAll(async () => {
      await web?.close();
    });

    it('an unknown hash is "agent not found", from the form and in the URL', async () => {
      allowRegistry404s(chrome.log);
      await chrome.page.goto(web.url);
      await chrome.page.waitForSelector('html[data-ready="true"]');
      await chrome.page.fill('#explorer-hash', UNKNOWN.toUpperCase().replace('0X', '0x'));
      await chrome.page.press('#explorer-hash', 'Enter');
      await chrome.page.waitForSelector('#explorer[data-state="not-found"]');
      expect(new URL(chrome.page.url()).hash).toBe(`#/agent/${UNKNOWN}`);
      expect(await chrome.page.locator('#explorer-not-found h3').textContent()).toBe('Agent not found');
      expect(await chrome.page.locator('#explorer-not-found').textContent()).toContain(UNKNOWN);
      await saveScreenshot(chrome.page, 'explorer-not-found');

      // Opening the link directly shows the same.
      const direct = await chrome.browser.newPage();
      const directLog = new ProblemLog(direct);
      allowRegistry404s(directLog);
      await direct.goto(`${web.url}/#/agent/${UNKNOWN}`);
      await direct.waitForSelector('#explorer[data-state="not-found"]');
      expect(directLog.unexpected()).toEqual([]);
      await direct.close();
    });

    it('a server without registry is "registry unavailable", not "not found"', async () => {
      allowRegistry404s(chrome.log);
      await chrome.page.route(/\/api\/v1\/(status|agent\/beat-status)\//, (route) => route.fulfill({ status: 404, json: { error: 'Not found', code: 'NOT_FOUND' } }));
      await chrome.page.goto(`${web.url}/#/agent/${UNKNOWN}`);
      await chrome.page.waitForSelector('#explorer[data-state="unavailable"]');
      expect(await chrome.page.locator('#explorer-unavailable h3').textContent()).toBe('Registry unavailable');
      expect(await chrome.page.locator('#explorer-unavailable').textContent()).toContain('NOT_FOUND');
      await saveScreenshot(chrome.page, 'explorer-unavailable');
    });

    it('rejects a malformed hash without asking the server', async () => {
      const requests: string[] = [];
      chrome.page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await chrome.page.goto(web.url);
      await chrome.page.waitForSelector('html[data-ready="true"]');
      await chrome.page.fill('#explorer-hash', '0x1234');
      await chrome.page.click('#explorer-go');
      expect(await chrome.page.locator('#explorer-error').textContent()).toBe('Enter 0x followed by 64 hex characters.');
      expect(await chrome.page.locator('#explorer-hash').getAttribute('aria-invalid')).toBe('true');
      expect(requests.filter((p) => p.startsWith('/api/v1/status'))).toEqual([]);
      await saveScreenshot(chrome.page, 'explorer-invalid');
    });

    it('shows agents of the real registry: one with a beat chain, one without', async () => {
      const register = async (name: string) => {
        const res = await fetch(`${web.url}/api/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
        expect(res.status).toBe(201);
        return (await res.json()) as { hash: string; api_key: string };
      };
      const live = await register('browser-root');
      const init = await fetch(`${web.url}/api/v1/agent/init`, { method: 'POST', headers: { authorization: `Bearer ${live.api_key}` } });
      expect(init.status).toBeLessThan(300);
      const fresh = await register('browser-uninitialised');

      await chrome.page.goto(`${web.url}/#/agent/${live.hash}`);
      await chrome.page.waitForSelector('#explorer[data-state="found"]');
      expect(await chrome.page.locator('#agent-title').textContent()).toBe('browser-root');
      expect(await chrome.page.locator('#agent-status').textContent()).toMatch(/^Status: (registered|active|warning|stale|frozen|refused)$/);
      expect(await chrome.page.locator('#agent-standing').textContent()).toMatch(/^Standing: (GOOD|WARNING|STALE|OVERDUE|FROZEN|REFUSED)$/);
      const facts = await chrome.page.locator('#explorer .agent-grid').textContent();
      expect(facts).toContain('none (a root agent)');
      expect(facts).toMatch(/Time to freeze(\d+ anchors? ≈ |Overdue|Frozen)/);
      expect(facts).toContain('toward the next child');
      await saveScreenshot(chrome.page, 'explorer-registry-agent');

      // Seed 001's 404 for an agent without beat chain: the status is shown, with a note.
      allowRegistry404s(chrome.log);
      await chrome.page.fill('#explorer-hash', fresh.hash);
      await chrome.page.click('#explorer-go');
      await chrome.page.waitForFunction(() => document.getElementById('agent-title')?.textContent === 'browser-uninitialised');
      expect(await chrome.page.locator('#explorer').getAttribute('data-state')).toBe('found');
      expect(await chrome.page.locator('#explorer-result').textContent()).toContain('This agent has no beat chain yet.');
      expect(await chrome.page.locator('#agent-status').textContent()).toBe('Status: registered');
    });

    it('renders a family spawned through the real registry: parent link, children, and a click down to the grandchild', async () => {
      const http = { baseUrl: web.url };
      const proving = { beats: new BeatsClient(http), engine: proverEngine(await loadProver()) };
      const root = new AgentClient(http, await registerAgent(http, { name: 'family-root' }));
      await root.init();
      const child = new AgentClient(http, await root.spawnChild('family-child', proving));
      await child.init();
      const grandchild = new AgentClient(http, await child.spawnChild('family-grandchild', proving));
      await grandchild.init();

      await chrome.page.goto(`${web.url}/#/agent/${child.hash}`);
      await chrome.page.waitForSelector('#explorer[data-state="found"]');
      expect(await chrome.page.locator('#agent-title').textContent()).toBe('family-child');
      expect(await chrome.page.locator('#agent-parent').getAttribute('title')).toBe(root.hash);
      const kids = chrome.page.locator('#explorer ul.children a');
      expect(await kids.count()).toBe(1);
      expect(await kids.first().textContent()).toBe('family-grandchild');
      await saveScreenshot(chrome.page, 'explorer-family');
      await kids.first().click();
      await chrome.page.waitForFunction(() => document.getElementById('agent-title')?.textContent === 'family-grandchild');
      expect(await chrome.page.locator('#agent-parent').getAttribute('title')).toBe(child.hash);
      await chrome.page.click('#agent-parent');
      await chrome.page.click('#agent-parent');
      await chrome.page.waitForFunction(() => document.getElementById('agent-title')?.textContent === 'family-root');
      expect(await chrome.page.locator('#explorer ul.children a').first().textContent()).toBe('family-child');
    });
  }, { engines: ['sqlite'] });
  // States the registry reaches only after many anchors, on its hand-driven clock (test/registry/harness.ts): a root and
  // the child it spawned with a real receipt, three check-ins of the child, then 47 anchors without one.
  describeEachEngine('explorer on a registry after many anchors', (ctx) => {
    let reg: TestRegistry;
    const chrome = useChromiumPages();
    let root: TestAgent;
    let child: TestAgent;

    beforeAll(async () => {
      reg = await TestRegistry.start(await ctx.openFresh());
      root = await reg.ready('genesis-root');
      child = await reg.spawnChild(root, 'worker-child-1');
      await reg.init(child);
      for (let i = 0; i < 3; i++) {
        await reg.nextAnchor();
        await reg.heartbeat(child).expect(200);
      }
      await reg.nextAnchor(47);
      await reg.heartbeat(root).expect(200);
    });
    afterAll(async () => {
      await reg?.close();
    });

    it('shows an agent: status and standing, time to freeze, gestation, liveness, lineage and check-ins', async () => {
      const status = (await reg.status(child.hash).expect(200)).body;
      const beat = (await reg.beatStatus(child.hash).expect(200)).body;
      expect(beat.whitelist).toMatchObject({ standing: 'WARNING', beats_behind: 47, beats_until_freeze: 13 });
      expect(beat.recent_checkins).toHaveLength(3);

      await chrome.page.goto(`${reg.svc.url}/#/agent/${child.hash}`);
      await chrome.page.waitForSelector('#ticker[data-state="verified"]');
      await chrome.page.waitForSelector('#explorer[data-state="found"]');
      const text = (selector: string) => chrome.page.locator(selector).textContent();
      expect(await text('#agent-title')).toBe('worker-child-1');
      expect(await text('#agent-status')).toBe(`Status: ${status.status}`);
      expect(await text('#agent-standing')).toBe('Standing: WARNING');
      expect(await chrome.page.locator('#agent-standing').getAttribute('class')).toContain('tone-warn');
      const facts = await chrome.page.locator('#explorer .agent-grid').textContent();
      expect(facts).toContain('47 anchors (freeze after 60)');
      // beats_until_freeze (13) × the anchor interval (60 s).
      expect(facts).toContain('13 anchors ≈ 13 min 00 s');
      // The registry's liveness score, as the API gave it (none yet for an agent in its grace period).
      expect(facts).toContain(status.liveness_score === null ? '— (no score yet' : `${(status.liveness_score * 100).toFixed(1)} % (${status.liveness_algorithm})`);
      expect(await chrome.page.locator('#explorer progress').getAttribute('value')).toBe(String(beat.gestation.progress_pct));
      expect(await text('#gestation-text')).toContain(`% toward the next child`);
      expect(await chrome.page.locator('#explorer svg.chart circle').count()).toBe(3);
      expect(await chrome.page.locator('#explorer svg.chart').getAttribute('aria-label')).toMatch(/^3 check-ins from /);
      expect(await findLowContrast(chrome.page)).toEqual([]);
      await saveScreenshot(chrome.page, 'explorer-agent');

      // The parent link opens the parent, moves focus to it, and the back button returns.
      await chrome.page.click('#agent-parent');
      await chrome.page.waitForFunction((hash) => location.hash === `#/agent/${hash}` && document.getElementById('agent-title')?.textContent === 'genesis-root', root.hash);
      expect(await chrome.page.evaluate(() => document.activeElement?.id)).toBe('agent-title');
      expect(await text('#agent-standing')).toBe('Standing: GOOD');
      expect(await chrome.page.locator('#explorer .agent-grid').textContent()).toContain('none (a root agent)');
      expect(await chrome.page.locator('#explorer ul.children a').first().textContent()).toBe('worker-child-1');
      expect(await chrome.page.locator('#explorer svg.chart circle').count()).toBe(1);
      await saveScreenshot(chrome.page, 'explorer-parent');
      await chrome.page.goBack();
      await chrome.page.waitForFunction(() => document.getElementById('agent-title')?.textContent === 'worker-child-1');
    });

    it('an agent at 375 px fits without horizontal scrolling', async () => {
      await chrome.page.setViewportSize({ width: 375, height: 812 });
      await chrome.page.goto(`${reg.svc.url}/#/agent/${child.hash}`);
      await chrome.page.waitForSelector('#explorer[data-state="found"]');
      await chrome.page.locator('#explorer').scrollIntoViewIfNeeded();
      expect(await chrome.page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
      await saveScreenshot(chrome.page, 'explorer-375');
    });
  }, { engines: ['sqlite'] });
});
