// A store of hostile artifacts: symbol names, module paths, namespaces, labels, a kmod's licence,
// vermagic, description and imported symbols all carry markup that runs script if it ever becomes HTML.
// Every page is opened twice: as served (the Content-Security-Policy in force, the console must stay
// clean: a blocked inline handler would be reported there) and with the CSP bypassed, so that escaping
// alone must keep the payloads inert. No script may run, no dialog open, no request leave for `x`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { HOSTILE, hostileStore, type Served, serve } from '../serve/store.js';

const PAGES = [
  '#/builds',
  '#/series',
  '#/diff?old=1&new=2',
  '#/diff?old=1&new=2&kind=added',
  `#/symbol?name=${encodeURIComponent(HOSTILE.script)}`,
  `#/symbol?name=${encodeURIComponent(HOSTILE.js)}`,
  '#/kmods',
  '#/kmod?ref=3',
  '#/compat',
];

describe('kabi serve renders hostile artifacts inert', () => {
  let s: Served;
  let browser: Browser | undefined;
  const shots = screenshotDir();
  before(async () => {
    s = await serve(await hostileStore());
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  it('the charts the pages show carry the payloads only as escaped text', async () => {
    const charts = [
      ...['steps', 'drift', 'epochs'].map((c) => `/api/series/charts/${c}.svg`),
      '/api/diff/chart.svg?old=1&new=2',
    ];
    for (const chart of charts) {
      const r = await fetch(new URL(chart, s.server.url));
      assert.equal(r.status, 200, chart);
      assert.equal(r.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
      const svg = await r.text();
      assert.doesNotMatch(
        svg,
        /<(script|img|iframe|b|a|foreignObject)\b|<svg\/|\son\w+=|javascript:/i,
        chart,
      );
    }
    const steps = await (await fetch(new URL('/api/series/charts/steps.svg', s.server.url))).text();
    assert.ok(
      steps.includes('&quot;&gt;&lt;svg/onload=window.__kabiPwned=4&gt;'),
      'the hostile build name, escaped',
    );
  });

  for (const bypassCSP of [false, true]) {
    it(`no payload runs${bypassCSP ? ' even with the CSP bypassed' : ', and the console stays clean'}`, async (t) => {
      browser ??= await launchBrowser(t);
      if (!browser) return;
      const context: BrowserContext = await browser.newContext({
        bypassCSP,
        viewport: { width: 1400, height: 900 },
      });
      const page = await context.newPage();
      const problems: string[] = [];
      const origin = new URL(s.server.url).origin;
      const served = await (await fetch(s.server.url)).text();
      const boot = /<script>([\s\S]*?)<\/script>/.exec(served)?.[1];
      assert.ok(boot, 'index.html inlines boot.ts');
      // Strings, not functions: these run in the page, and this checkout type-checks without the DOM lib.
      await page.addInitScript('window.__kabiPwned = 0');
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.origin !== origin || !/^\/(api\/|assets\/|favicon\.svg$|$)/.test(u.pathname))
          problems.push(`request: ${r.url()}`);
      });
      const seen = new Set<string>();
      for (const hash of PAGES) {
        await page.goto(new URL(hash, s.server.url).href);
        await page.waitForSelector('main table, main .empty, main .error');
        await page.waitForLoadState('networkidle');
        // Hover the cells (titles, onmouseover payloads); follow nothing.
        // A live page may re-render a table meanwhile: a cell gone is passed over, not waited for.
        for (const cell of (await page.locator('main td').all()).slice(0, 80)) {
          const box = await cell.boundingBox({ timeout: 1000 }).catch(() => null);
          if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        }
        const text = (await page.textContent('main')) ?? '';
        for (const [name, payload] of Object.entries(HOSTILE)) if (text.includes(payload)) seen.add(name);
        const pwned = await page.evaluate<number>('window.__kabiPwned');
        assert.equal(pwned, 0, `${hash}: a payload ran`);
        const injected = await page.evaluate<{
          scripts: string[];
          inline: string[];
          elements: number;
          links: string[];
        }>(`({
          scripts: [...document.querySelectorAll('script[src]')].map((s) => s.getAttribute('src')),
          inline: [...document.querySelectorAll('script:not([src])')].map((s) => s.textContent),
          elements: document.querySelectorAll('main img:not([src^="/api/"]), main iframe, main svg, main b, main script').length,
          links: [...document.querySelectorAll('main a')].map((a) => a.getAttribute('href') ?? ''),
        })`);
        // index.html's two: boot.ts (the first requests, inline, as served) and the dashboard.
        assert.deepEqual(injected.inline, [boot], `${hash}: no inline script but boot.ts`);
        assert.equal(injected.scripts.length, 1, `${hash}: only the dashboard's own scripts`);
        assert.match(
          injected.scripts[0]!,
          /^\/assets\/index-[\w-]+\.js$/,
          `${hash}: only the dashboard's own script`,
        );
        assert.equal(injected.elements, 0, `${hash}: no element made from artifact text`);
        for (const href of injected.links) assert.match(href, /^#\//, `${hash}: link ${href}`);
        await page.screenshot({
          path: join(
            shots,
            `serve-hostile-${bypassCSP ? 'nocsp-' : ''}${hash.replace(/\W+/g, '-').slice(0, 40)}.png`,
          ),
          fullPage: true,
        });
      }
      // The payloads are shown, as text, where their pages show them.
      for (const name of ['script', 'img', 'js', 'svg', 'module', 'namespace', 'label', 'license', 'import'])
        assert.ok(seen.has(name), `${name} shown literally somewhere`);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
