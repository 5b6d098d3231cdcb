// The dashboard's Watch page in Debian's chromium: the builds a watch recorded are listed, a build found
// by a watch in another process appears without a reload, its verdict is the one `kabi check` gives on
// the same two files, and its link opens the diff against its baseline.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { kabi } from '../helpers/exec.js';
import { type Served, serve } from '../serve/store.js';
import { symversFixture } from './repos.js';
import { watch } from './run.js';

describe('the Watch page (chromium)', () => {
  let dir: string;
  let s: Served | undefined;
  let browser: Browser | undefined;
  const db = () => join(dir, 'kabi.db');
  const drop = (abi: string) => {
    const file = join(dir, 'incoming', `${abi}.symvers.xz`);
    copyFileSync(symversFixture(abi), file);
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
  };
  const round = () =>
    watch([
      '--db',
      db(),
      'watch',
      join(dir, 'incoming'),
      '--policy',
      join(dir, 'policy'),
      '--once',
      '-f',
      'json',
    ]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kabi-watch-page-'));
    mkdirSync(join(dir, 'incoming'));
    writeFileSync(join(dir, 'policy'), 'vmlinux\tFAIL\n');
    drop('6.1.0-54');
    drop('6.1.0-55');
    const r = await round();
    assert.equal(r.events.length, 2, r.stderr);
    s = await serve(db(), { recheckMs: 100 });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the recorded builds, then a new one as it arrives, with kabi check’s verdict', async (t) => {
    browser = await launchBrowser(t);
    if (!browser) return;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(new URL('#/watch', s!.server.url).href);
    await page.waitForSelector('#watch tbody tr:nth-child(2)');
    drop('6.1.0-56');
    const r = await round();
    assert.deepEqual(
      r.events.map((e) => e.entry?.labels.release),
      ['6.1.0-56'],
      r.stderr,
    );
    await page.waitForSelector('#watch tbody tr:nth-child(3)', { timeout: 15_000 });
    // Newest first.
    const first = page.locator('#watch tbody tr').first();
    const want = kabi([
      'check',
      '-b',
      symversFixture('6.1.0-55'),
      symversFixture('6.1.0-56'),
      '-p',
      join(dir, 'policy'),
      '-f',
      'json',
    ]);
    const verdict = (JSON.parse(want.stdout) as { verdict: string }).verdict;
    assert.equal(await first.getAttribute('data-verdict'), verdict);
    assert.match((await first.textContent()) ?? '', /6\.1\.0-56.*vs 6\.1\.0-55/);
    await first.locator('a').click();
    await page.waitForSelector('#diff-head');
    assert.match(
      page.url(),
      new RegExp(`#/diff\\?old=${r.events[0]!.baseline!.id}&new=${r.events[0]!.entry!.id}$`),
    );
    assert.deepEqual(problems, []);
  });
});
