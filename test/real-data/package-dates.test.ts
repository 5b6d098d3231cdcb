// linux-image 6.1.0-50: its changelog's first entry runs 94 KB (every upstream commit of a stable update),
// past the 64 KiB that was read before, so it had no date. Ingested, it is dated by that entry's trailer
// (as `zcat | grep -m1 '^ -- '` finds it), says so (date-from=changelog), and a second ingest is known
// by the package's hash without reading its 4,022 modules.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debianPackage } from '../helpers/debian-packages.js';
import { childrenCpuSeconds, kabi } from '../helpers/exec.js';
import { ingestedStore } from '../helpers/shared-ingest.js';
import { needs } from '../helpers/tools.js';

const image = debianPackage('linux-image-6.1.0-50-amd64-unsigned');
// Ingested with 6.1.0-47, as other files ingest the pair: under npm test that store is made once per run
// (helpers/shared-ingest.ts) and this file copies it instead of reading 4,022 modules.
const before = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
const skip =
  needs('dpkg-deb', 'tar', 'zcat') || ('skip' in image ? image.skip : 'skip' in before ? before.skip : false);

describe('linux-image 6.1.0-50: dated by its whole changelog', { skip }, () => {
  const deb = 'path' in image ? image.path : '';

  it('kabi ingest labels the date of the first trailer, from the changelog; again, at once', async () => {
    const trailer = execSync(
      `dpkg-deb --fsys-tarfile '${deb}' | tar -xO --wildcards '*/changelog.Debian.gz' | zcat | grep -m1 '^ -- '`,
      { encoding: 'utf8' },
    );
    // The day as the trailer writes it (its own time zone), e.g. `Thu, 02 Jul 2026 15:50:42 +0200`.
    const [, day, month, year] = /^ -- .*> {2}\w+, (\d{1,2}) (\w{3}) (\d{4})/m.exec(trailer)!;
    const want = new Date(`${day} ${month} ${year} 12:00 UTC`).toISOString().slice(0, 10);
    const { db, ingest: first } = await ingestedStore(mkdtempSync(join(tmpdir(), 'kabi-dates-')), [
      'path' in before ? before.path : '',
      deb,
    ]);
    assert.equal(first.status, 0, first.stderr);
    const show = kabi(['--db', db, 'show', 'release=6.1.0-50-amd64', '-f', 'json']);
    assert.equal(show.status, 0, show.stderr);
    const doc = JSON.parse(show.stdout);
    const labels = (Array.isArray(doc) ? doc[0] : (doc.entries?.[0] ?? doc)).labels;
    assert.equal(labels.date, want);
    assert.equal(labels['date-from'], 'changelog');
    assert.equal(labels.release, '6.1.0-50');
    assert.equal(labels.flavour, 'amd64');
    // Its CPU, not its wall time, which other files running beside this one stretch: reading the
    // package's 4,022 modules takes ~6 CPU-s; knowing it by its hash, ~0.2.
    const cpu0 = childrenCpuSeconds();
    const again = kabi(['--db', db, 'ingest', '-l', 'team=kernel', deb]);
    const cpu = childrenCpuSeconds() - cpu0;
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^already stored .*labels set: team=kernel$/m);
    assert.ok(cpu < 2, `a stored package is known by its hash, not read again (${cpu.toFixed(2)} CPU-s)`);
  });
});
