// Online: bookworm's real Packages index, from the mirror this machine's apt configuration names for
// bookworm (no mirror is named here). A dry run: the index is fetched and parsed, no .deb is downloaded.
// Skips, saying why, without an apt source for bookworm, without network, or with KABI_OFFLINE set.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mirrorForSuite, readAptSources } from '../readers/repo/apt-sources.js';
import { fetchDebian } from './debian.js';
import { tempDir } from './fixtures.test.js';
import { FetchError } from './http.js';

async function whyNot(): Promise<string | null> {
  if (process.env.KABI_OFFLINE) return 'KABI_OFFLINE is set';
  const config = await readAptSources();
  if (mirrorForSuite(config.sources, 'bookworm', 'amd64') === null) {
    return "apt's configuration in /etc/apt has no http(s) deb source for bookworm";
  }
  return null;
}

test('bookworm: the linux-headers packages of flavour amd64, from the apt-configured mirror (dry run)', async (t) => {
  const reason = await whyNot();
  if (reason !== null) {
    t.skip(`skipping the online fetch test: ${reason}`);
    return;
  }
  const outDir = join(tempDir('online'), 'out');
  const started = performance.now();
  let result: Awaited<ReturnType<typeof fetchDebian>>;
  try {
    result = await fetchDebian({
      suite: 'bookworm',
      flavour: 'amd64',
      outDir,
      dryRun: true,
      timeoutMs: 30_000,
    });
  } catch (e) {
    if (e instanceof FetchError && (e.failure === 'network' || e.failure === 'timeout')) {
      t.skip(`skipping the online fetch test: the mirror is unreachable (${e.message})`);
      return;
    }
    throw e;
  }
  t.diagnostic(
    `the apt mirror's ${new URL(result.indexUrl).pathname}: ${result.indexed} packages fetched and parsed in ${Math.round(performance.now() - started)} ms`,
  );
  assert.ok(result.indexed > 10_000, `a whole main index (${result.indexed} packages)`);
  assert.ok(result.packages.length >= 1, 'bookworm lists at least one kernel ABI');
  for (const p of result.packages) {
    assert.match(p.name, /^linux-headers-6\.1\.0-\d+-amd64$/);
    assert.equal(p.name, `linux-headers-${p.abi}-amd64`);
    assert.equal(p.kind, 'headers');
    assert.equal(p.status, 'planned');
    assert.equal(p.file, join(outDir, `${p.name}_${p.version}_amd64.deb`));
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
  }
  assert.equal(existsSync(outDir), false, 'a dry run writes nothing');
});
