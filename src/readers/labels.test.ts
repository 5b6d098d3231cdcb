// Labels a package implies: its date (the changelog's first trailer, wherever it falls, else RPM BUILDTIME,
// with `date-from` saying which), and a Debian release split into release and flavour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { changelogDate, changelogDateOf } from './kernel-artifact.js';
import { dateLabels, defaultLabels } from './labels.js';

/** A stable update's changelog: a first entry of `commits` lines (6.1.176-1's runs 94 KB), then an older one. */
function changelog(commits: number): string {
  const lines = ['linux (6.1.176-1) bookworm-security; urgency=high', '', '  * New upstream stable update:'];
  for (let i = 0; i < commits; i++)
    lines.push(`    https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.176 commit ${i}`);
  lines.push('', ' -- Ben Hutchings <benh@debian.org>  Thu, 02 Jul 2026 15:50:42 +0200', '');
  lines.push('linux (6.1.170-3) bookworm; urgency=medium', '', '  * Older.', '');
  lines.push(' -- Salvatore Bonaccorso <carnil@debian.org>  Tue, 26 May 2026 23:29:19 +0200', '');
  return lines.join('\n');
}

describe('changelog dates', () => {
  it('finds the first trailer past 64 KiB (linux-image 6.1.0-50 and later had no date)', async () => {
    const text = changelog(2000);
    assert.ok(text.indexOf(' -- Ben') > 100_000);
    assert.equal(changelogDate(Buffer.from(text)), '2026-07-02');
    assert.equal(await changelogDateOf(gzipSync(text), 'changelog.Debian.gz'), '2026-07-02');
  });

  it('reads a gzip changelog as a stream, a trailer split across chunks included', async () => {
    for (const commits of [1, 10, 200, 5000]) {
      assert.equal(await changelogDateOf(gzipSync(changelog(commits)), 'c.gz'), '2026-07-02', `${commits}`);
    }
  });

  it('says null when no trailer is there, and names the file when the gzip data is cut', async () => {
    assert.equal(
      await changelogDateOf(gzipSync('linux (1.0) x; urgency=low\n\n  * no trailer\n'), 'c'),
      null,
    );
    const cut = gzipSync(changelog(3000)).subarray(0, 2000);
    await assert.rejects(changelogDateOf(cut, 'doc/changelog.Debian.gz'), /changelog\.Debian\.gz.*gzip/s);
  });
});

describe('dateLabels', () => {
  it('prefers the changelog, else RPM BUILDTIME as a UTC day, and says which', () => {
    assert.deepEqual(dateLabels('2026-07-02', '1700000000'), {
      date: '2026-07-02',
      'date-from': 'changelog',
    });
    assert.deepEqual(dateLabels(null, '1700000000'), { date: '2023-11-14', 'date-from': 'buildtime' });
    assert.deepEqual(dateLabels(null, undefined), {});
    assert.deepEqual(dateLabels(null, 'x'), {});
  });
});

describe('release and flavour apart', () => {
  it('a package release 6.1.0-55-amd64 is stored as release=6.1.0-55, flavour=amd64, uname', () => {
    const pkg = defaultLabels({ release: '6.1.0-55-amd64', version: '6.1.192-1' }, 'x.deb', 'deb');
    assert.equal(pkg.release, '6.1.0-55');
    assert.equal(pkg.flavour, 'amd64');
    assert.equal(pkg.uname, '6.1.0-55-amd64');
    assert.equal(pkg.abi, '6.1.0-55');
    assert.equal(pkg.stream, 'debian-6.1');
    const symvers = defaultLabels({}, 'data/6.1.0-55.symvers.xz', 'module-symvers');
    assert.equal(symvers.release, '6.1.0-55');
    const cloud = defaultLabels({ release: '6.12.117+deb12-cloud-amd64' }, 'x.deb', 'deb');
    assert.deepEqual([cloud.release, cloud.flavour], ['6.12.117+deb12', 'cloud-amd64']);
    // Other shapes are kept whole.
    const el = defaultLabels({ release: '5.14.0-362.8.1.el9_3.x86_64' }, 'x.rpm', 'rpm');
    assert.equal(el.release, '5.14.0-362.8.1.el9_3.x86_64');
  });
});
