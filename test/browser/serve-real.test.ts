// The dashboard over the 11 real Debian builds of ../shared/data (two streams), in chromium: the series
// page and the diff viewer show the counts of an independent set comparison of the Module.symvers files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { countChanges, loadSymvers, sharedSymversDir } from '../helpers/independent.js';
import { debianSeriesStore, type Served, serve } from '../serve/store.js';

const shared = sharedSymversDir();

describe('kabi serve over the 11 Debian builds (../shared/data)', {
  skip: shared ? false : 'no ../shared/data beside the checkout',
}, () => {
  let s: Served;
  let browser: Browser | undefined;
  before(async () => {
    s = await serve(await debianSeriesStore(shared!));
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  it('series page and diff viewer: the CRC changes of 6.1.0-47 → 6.1.0-50', async (t) => {
    browser = await launchBrowser(t);
    if (!browser) return;
    const want = countChanges(
      loadSymvers(join(shared!, '6.1.0-47.symvers.xz')),
      loadSymvers(join(shared!, '6.1.0-50.symvers.xz')),
    );
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(new URL('#/series?query=stream%3Ddebian-6.1', s.server.url).href);
    const row = page.locator('#steps tbody tr[data-from="6.1.0-47"][data-to="6.1.0-50"]');
    await row.waitFor();
    const num = (s: string | null) => Number((s ?? '').replace(/,/g, ''));
    assert.equal(num(await row.locator('[data-col=crcChanged]').textContent()), want.crcChanged);
    assert.equal(await page.locator('#steps tbody tr').count(), 5);
    await page.screenshot({ path: join(screenshotDir(), 'serve-real-series.png'), fullPage: true });

    await row.getByRole('link', { name: 'changes' }).click();
    const chip = page.locator('button[data-kind=crc-changed] .count');
    await chip.waitFor();
    assert.equal(num(await chip.textContent()), want.crcChanged);
    assert.equal(num(await page.textContent('button[data-kind=removed] .count')), want.removed);
    await page.screenshot({ path: join(screenshotDir(), 'serve-real-diff.png'), fullPage: false });
  });
});
