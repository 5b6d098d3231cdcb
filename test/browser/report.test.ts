// The series report in a real browser, opened from file:// as a user would: a kind filter and a column
// sort change the visible rows as the analysis says, a symbol shows its history, and the page asks for
// nothing from the network.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ABIS, fixtureStore } from '../cli/report-helpers.js';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { kabi } from '../helpers/exec.js';
import { countChanges, FIXTURES, loadSymvers } from '../helpers/independent.js';

const LIMIT = 500;

describe('kabi report series in a browser', () => {
  it('filters by kind, sorts by symbol, shows a history, fetches nothing', async (t) => {
    const browser = await launchBrowser(t);
    if (!browser) return;
    try {
      const db = fixtureStore();
      const out = join(mkdtempSync(join(tmpdir(), 'kabi-report-browser-')), 'series.html');
      const r = kabi(['--db', db, 'report', 'series', 'distro=debian', '--limit', String(LIMIT), '-o', out]);
      assert.equal(r.status, 0, r.stderr);

      const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
      const requests: string[] = [];
      context.on('request', (req) => {
        if (!req.url().startsWith('file:')) requests.push(req.url());
      });
      // Anything but the file itself is refused, so an attempt shows up and never leaves the machine.
      await context.route(/^(?!file:)/, (route) => route.abort());
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(pathToFileURL(out).href);

      const rows = ABIS.map((a) => loadSymvers(join(FIXTURES, 'debian', `${a}.symvers.xz`)));
      const removed = ABIS.slice(1).map((_, i) => countChanges(rows[i]!, rows[i + 1]!).removed);
      const table = page.locator('#table-changes');
      const total = await table.locator('tbody tr').count();

      await table.locator('select[data-col="1"]').selectOption('removed');
      const want = removed.reduce((n, c) => n + Math.min(c, LIMIT), 0);
      assert.equal(await table.locator('tbody tr:visible').count(), want);
      assert.equal(await table.locator('.shown').textContent(), String(want));

      await table.locator('th[data-key="symbol"] button').click();
      const shown = await table.locator('tbody tr:visible td:nth-child(4)').allTextContents();
      const collator = new Intl.Collator('en', { numeric: true });
      assert.deepEqual(shown, [...shown].sort(collator.compare));
      // The removed symbols of the first update are all listed (fewer than the limit): compare the sets.
      const first = [...rows[0]!.keys()].filter((s) => !rows[1]!.has(s));
      const firstShown = await table
        .locator('tbody tr:visible')
        .filter({ hasText: `${ABIS[0]} → ${ABIS[1]}` })
        .locator('td:nth-child(4)')
        .allTextContents();
      assert.deepEqual(firstShown.sort(), first.sort());

      await table.locator('select[data-col="1"]').selectOption('');
      assert.equal(await table.locator('tbody tr:visible').count(), total);

      const symbol = first[0]!;
      await table.locator(`a.sym[data-symbol="${symbol}"]`).first().click();
      assert.equal(await page.locator('#history .symbol').textContent(), symbol);
      assert.equal(await page.locator('#history .rows tbody tr').count(), 1);
      assert.match(
        (await page.locator('#history .command').textContent()) ?? '',
        /kabi history \S+ distro=debian/,
      );

      const hover = page.locator('#chart-steps g:has(> rect.bar[data-kind="removed"]) > title').first();
      assert.match((await hover.textContent()) ?? '', /removed/);

      const shot = join(screenshotDir(), 'report-series.png');
      await page.screenshot({ path: shot, fullPage: false });
      t.diagnostic(`screenshot: ${shot}`);
      assert.deepEqual(requests, [], 'no network request');
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
