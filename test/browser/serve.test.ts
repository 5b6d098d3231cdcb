// The dashboard in Debian's chromium over a store of the committed fixtures: every page opens, filters
// and links work, and the figures on screen are those of an independent computation over the same files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ingestArtifact } from '../../src/index.js';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { countChanges, loadSymvers } from '../helpers/independent.js';
import { openTestStore } from '../helpers/test-store.js';
import { fixtureStore, KMODS, type Served, serve, symversPath } from '../serve/store.js';

const num = (s: string | null) => Number((s ?? '').replace(/[,\s]/g, ''));
const a = loadSymvers(symversPath('6.1.0-54'));
const b = loadSymvers(symversPath('6.1.0-55'));
const want = countChanges(a, b);

describe('kabi serve dashboard in chromium (committed fixtures)', () => {
  let s: Served;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  const shots = screenshotDir();

  let db: string;
  before(async () => {
    db = await fixtureStore();
    s = await serve(db, { recheckMs: 200 });
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  const open = async (t: Parameters<typeof launchBrowser>[0], hash: string) => {
    if (!browser) {
      browser = await launchBrowser(t);
      if (!browser) return false;
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    }
    await page.goto(new URL(hash, s.server.url).href);
    return true;
  };
  const shot = (name: string) => page.screenshot({ path: join(shots, `serve-${name}.png`), fullPage: true });

  it('builds page: every stored entry, and two picked kernels open their diff', async (t) => {
    if (!(await open(t, '#/builds'))) return;
    await page.waitForSelector('#builds tbody tr');
    assert.equal(await page.locator('#builds tbody tr').count(), 3 + KMODS.length);
    await shot('builds');
    await page.getByLabel('pick 6.1.0-54').check();
    await page.getByLabel('pick 6.1.0-55').check();
    await page.click('#compare');
    await page.waitForSelector('#diff-head');
    assert.match(page.url(), /#\/diff\?old=1&new=2$/);
  });

  it('series page: the step counts equal a set comparison of the two Module.symvers', async (t) => {
    if (!(await open(t, '#/series?query=stream%3Ddebian-6.1'))) return;
    const row = page.locator('#steps tbody tr[data-from="6.1.0-54"][data-to="6.1.0-55"]');
    await row.waitFor();
    assert.equal(num(await row.locator('[data-col=crcChanged]').textContent()), want.crcChanged);
    assert.equal(num(await row.locator('[data-col=removed]').textContent()), want.removed);
    assert.equal(num(await row.locator('[data-col=added]').textContent()), want.added);
    const charts = await page.evaluate<number[]>(
      `Promise.all([...document.querySelectorAll('.charts img')].map((i) => i.decode().then(() => i.naturalWidth)))`,
    );
    assert.equal(charts.length, 3, 'steps, drift and epochs charts');
    for (const w of charts) assert.ok(w > 0, 'chart drawn');
    await shot('series');
    await page.getByRole('link', { name: 'debian-6.12' }).click();
    await page.locator('#steps tbody tr').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('#drift tbody tr').count(), 1);
  });

  it('series page: the figures are shown without waiting for the list of streams', async (t) => {
    if (!(await open(t, '#/builds'))) return;
    // The page's timers stand still (its first render gives up waiting after 1 s), and /api/builds (the
    // chips' list) is held until the figures are on screen: they must not have waited for it.
    const p = await browser!.newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      // pauseAt only moves forward: a margin, so that a slow machine's time between the two calls (past
      // 1 ms, seen in CI) is not "the past". The blank page has no timers for the jump to fire.
      const now = Date.now();
      await p.clock.install({ time: now });
      await p.clock.pauseAt(now + 60_000);
      await p.route(/\/api\/builds\?/, async (route) => {
        await held;
        await route.continue();
      });
      await p.goto(new URL('#/series?query=stream%3Ddebian-6.1', s.server.url).href);
      const row = p.locator('#steps tbody tr[data-from="6.1.0-54"][data-to="6.1.0-55"]');
      await row.waitFor();
      assert.equal(num(await row.locator('[data-col=crcChanged]').textContent()), want.crcChanged);
      assert.equal(await p.locator('nav.chips[aria-label=streams]').count(), 0, 'no chips before their list');
      // Then the list, and time again (the chips take it in an effect, which runs after a frame).
      release();
      await p.clock.resume();
      await p.getByRole('link', { name: 'debian-6.12' }).waitFor();
    } finally {
      release();
      await p.close();
    }
  });

  it('series page over two streams: one section per stream, said so, no mixed timeline', async (t) => {
    if (!(await open(t, '#/series'))) return;
    await page.waitForSelector('#grouped');
    assert.match((await page.locator('#grouped').textContent()) ?? '', /2 streams, one series each/);
    const streams = await page
      .locator('section.stream')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-stream')));
    assert.deepEqual(streams, ['debian-6.1', 'debian-6.12']);
    const step = page.locator('#s0-steps tbody tr[data-from="6.1.0-54"][data-to="6.1.0-55"]');
    await step.waitFor();
    assert.equal(await page.locator('#s0-steps tbody tr').count(), 1);
    assert.equal(await page.locator('#s1-steps tbody tr').count(), 0);
    const charts = await page.evaluate<number[]>(
      `Promise.all([...document.querySelectorAll('.charts img')].map((i) => i.decode().then(() => i.naturalWidth)))`,
    );
    assert.equal(charts.length, 6, 'steps, drift and epochs charts for each stream');
    for (const w of charts) assert.ok(w > 0, 'chart drawn');
    await shot('series-streams');
  });

  it('diff viewer: kind chips, search, paging, and a symbol link to its history', async (t) => {
    if (!(await open(t, '#/series?query=stream%3Ddebian-6.1'))) return;
    await page.getByRole('link', { name: 'changes' }).first().click();
    await page.waitForSelector('#changes tbody tr');
    const chip = page.locator('button[data-kind=crc-changed]');
    // The pager's total once it reads n (as shown: with thousands separators).
    const total = (n: number) =>
      page.locator('.pager .total', { hasText: new RegExp(`^${n.toLocaleString('en-US')}$`) }).first();
    assert.equal(num(await chip.locator('.count').textContent()), want.crcChanged);
    assert.equal(
      num(await page.locator('.pager .total').first().textContent()),
      want.crcChanged + want.added + want.removed + want.moved,
    );

    await chip.click();
    await total(want.crcChanged).waitFor();
    assert.deepEqual(
      [...new Set(await page.locator('#changes tbody td:first-child').allTextContents())],
      ['crc-changed'],
    );
    await page.getByRole('button', { name: 'next →' }).first().click();
    await page
      .locator('.pager .range', { hasText: /^101–200 of/ })
      .first()
      .waitFor();

    await page.fill('input[name=q]', 'kmalloc');
    const kmalloc = [...a].filter(
      ([sym, x]) => b.has(sym) && b.get(sym)!.crc !== x.crc && sym.includes('kmalloc'),
    );
    await total(kmalloc.length).waitFor();
    assert.equal(await page.locator('#changes tbody tr').count(), kmalloc.length);
    await shot('diff');

    await page.locator('#changes a.symbol', { hasText: /^kmalloc_trace$/ }).click();
    await page.waitForSelector('#history tbody tr');
    assert.equal(await page.textContent('#symbol-name'), 'kmalloc_trace');
    assert.deepEqual(await page.locator('#history td.crc').allTextContents(), [
      a.get('kmalloc_trace')!.crc,
      b.get('kmalloc_trace')!.crc,
    ]);
    await shot('symbol');
  });

  it('kmod page and compat heatmap: verdicts, reasons, the broken-symbol counts of the API', async (t) => {
    if (!(await open(t, '#/kmods'))) return;
    await page.getByRole('link', { name: 'acpi_call' }).click();
    await page.waitForSelector('#verdicts tbody tr');
    const api = (await (await fetch(new URL('/api/kmod?ref=4', s.server.url))).json()) as {
      series: { modules: { loads: boolean[] }[] };
      why: unknown[];
    };
    const shown = await page
      .locator('#verdicts tbody tr td.loads, #verdicts tbody tr td.fails')
      .allTextContents();
    assert.deepEqual(
      shown,
      api.series.modules[0]!.loads.map((l) => (l ? 'loads' : 'fails')),
    );
    assert.equal(await page.locator('#why .why').count(), api.why.length);
    assert.match((await page.textContent('#why')) ?? '', /disagrees about version of symbol module_layout/);
    await shot('kmod');

    await page.getByRole('link', { name: 'Compat' }).click();
    await page.waitForSelector('#heatmap tbody tr');
    const heat = (await (await fetch(new URL('/api/compat', s.server.url))).json()) as {
      rows: { cells: { broken: number; reasons: string[] }[] }[];
    };
    const cells = page.locator('#heatmap td.cell');
    assert.equal(await cells.count(), heat.rows.length * 3);
    const first = heat.rows[0]!.cells[0]!;
    assert.equal(await cells.first().getAttribute('data-broken'), String(first.broken));
    assert.equal((await cells.first().getAttribute('title'))?.split('\n')[0], first.reasons[0]);
    await shot('compat');
  });

  it('series page is live: a build ingested meanwhile appears without a reload', async (t) => {
    if (!(await open(t, '#/series?query=stream%3Ddebian-6.1'))) return;
    await page.locator('#steps tbody tr').first().waitFor();
    assert.equal(await page.locator('#steps tbody tr').count(), 1);
    const writer = await openTestStore(db);
    try {
      await ingestArtifact(writer, symversPath('6.1.0-54'), {
        labels: { distro: 'debian', stream: 'debian-6.1', version: '6.1.199-1', release: '6.1.0-99' },
      });
    } finally {
      await writer.close();
    }
    await page
      .locator('#steps tbody tr[data-from="6.1.0-55"][data-to="6.1.0-99"]')
      .waitFor({ timeout: 15_000 });
    const back = page.locator('#steps tbody tr[data-to="6.1.0-99"] [data-col=crcChanged]');
    assert.equal(num(await back.textContent()), want.crcChanged, '55 → 54 again: the same CRCs change back');
    await shot('series-live');
  });

  it('left the console clean', (t) => {
    if (!browser) return t.skip('no browser');
    assert.deepEqual(problems, []);
  });
});
