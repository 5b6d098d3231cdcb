// The compat report in a real browser: modules given by long paths (a DKMS build tree) must not push the
// verdict column out of the table's visible box. Long text (paths, loader messages) wraps instead.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';

describe('kabi report compat in a browser', () => {
  it('keeps the verdict column in view when modules come from long paths', async (t) => {
    const browser = await launchBrowser(t);
    if (!browser) return;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'kabi-report-compat-'));
      const deep = join(dir, 'var/lib/dkms/v4l2loopback/0.12.7/6.1.0-47-amd64/x86_64/module/build/tree/left');
      mkdirSync(deep, { recursive: true });
      const modules = ['acpi_call', 'v4l2loopback'].map((n) => {
        const to = join(deep, `${n}.ko`);
        copyFileSync(join(FIXTURES, 'modules', 'kmods', '6.1.0-47', `${n}.ko`), to);
        return to;
      });
      const out = join(dir, 'compat.html');
      const kernels = ['6.1.0-47', '6.1.0-50'].map((a) => join(FIXTURES, 'debian', `${a}.symvers.xz`));
      const r = kabi(['report', 'compat', '-m', ...modules, '-k', ...kernels, '-o', out]);
      assert.equal(r.status, 0, r.stderr);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(out).href);
      const table = page.locator('#table-verdicts');
      const box = (await table.locator('.scroll').boundingBox())!;
      const visible = async (selector: string) => {
        const cells = table.locator(selector);
        const n = await cells.count();
        assert.ok(n > 0, selector);
        for (let i = 0; i < n; i++) {
          const b = (await cells.nth(i).boundingBox())!;
          assert.ok(
            b.x >= box.x && b.x + b.width <= box.x + box.width + 0.5,
            `${selector} #${i} at ${b.x}..${b.x + b.width}, the table shows ${box.x}..${box.x + box.width}`,
          );
        }
      };
      const col = async (key: string) =>
        (await table
          .locator('th')
          .evaluateAll((ths, k) => ths.findIndex((th) => th.dataset.key === k), key)) + 1;
      const verdict = await col('verdict');
      assert.ok(verdict > 0);
      await visible('th[data-key="verdict"]');
      await visible(`tbody td:nth-child(${verdict})`);
      await visible(`tbody td:nth-child(${await col('broken')})`);
      assert.deepEqual((await table.locator(`tbody td:nth-child(${verdict})`).allTextContents()).sort(), [
        'fails',
        'fails',
        'loads',
        'loads',
      ]);
      await page.screenshot({ path: join(screenshotDir(), 'report-compat.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
