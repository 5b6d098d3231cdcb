// The dashboard's Rate page in chromium, over real Debian 6.1 Module.symvers dated by their uploads: its
// comm counts per update equal set arithmetic on the files read by test/helpers/independent.ts,
// and its charts are drawn in the page.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ingestArtifact } from '../../src/index.js';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';
import { openTestStore, testDb } from '../helpers/test-store.js';
import { type Served, serve } from '../serve/store.js';

const BUILDS: [abi: string, version: string, date: string][] = [
  ['6.1.0-47', '6.1.170-3', '2026-05-08'],
  ['6.1.0-50', '6.1.176-1', '2026-07-02'],
  ['6.1.0-54', '6.1.190-1', '2026-10-16'],
];
const file = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);

/** `comm` of two builds' `symbol crc` lines, by sets. */
function comm(a: string, b: string) {
  const x = loadSymvers(file(a));
  const y = loadSymvers(file(b));
  let common = 0;
  for (const [s, r] of x) if (y.get(s)?.crc === r.crc) common++;
  return [common, x.size - common, y.size - common];
}

describe('dashboard Rate page', () => {
  let s: Served;
  let browser: Browser | undefined;
  before(async () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-rate-')));
    const store = await openTestStore(db);
    for (const [abi, version, date] of BUILDS)
      await ingestArtifact(store, file(abi), { labels: { stream: 'debian-6.1', version, date } });
    await store.close();
    s = await serve(db);
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  it('comm per update and drift by date equal the files; both charts drawn', async (t) => {
    browser = await launchBrowser(t);
    if (!browser) return;
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(new URL('#/rate?query=stream%3Ddebian-6.1', s.server.url).href);
    await page.locator('#rate-steps tbody tr').first().waitFor();
    const cells = async (sel: string) =>
      (await page.locator(sel).allTextContents()).map((c) => Number(c.replace(/,/g, '')));
    const rows = await page.locator('#rate-steps tbody tr').count();
    assert.equal(rows, 2);
    for (let i = 0; i < rows; i++) {
      const got = await cells(`#rate-steps tbody tr:nth-child(${i + 1}) td.num`);
      assert.deepEqual(got, comm(BUILDS[i]![0], BUILDS[i + 1]![0]));
    }
    // 6.1.0-54 against 6.1.0-47: 161 days; δ per day is only-new over them.
    const last = await cells('#rate-drift tbody tr:nth-child(3) td.num');
    const [common, onlyOld, onlyNew] = comm('6.1.0-47', '6.1.0-54');
    assert.deepEqual(last, [161, common, onlyOld, onlyNew, Number((onlyNew! / 161).toFixed(2))]);
    assert.equal(await page.locator('#chart-rate-steps svg rect[data-kind="only-new"]').count(), 2);
    assert.equal(await page.locator('#chart-rate-drift svg circle[data-kind="common"]').count(), 3);
    await page.screenshot({ path: join(screenshotDir(), 'rate.png'), fullPage: true });
  });
});
