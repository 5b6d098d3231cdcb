// `kabi interfaces`: the oEEP-0009 interface table. Statuses against a plain count (openEuler's
// references, no BTF: a regex per line and two Maps), and against Debian 6.1.0-47 → 6.1.0-50 amd64
// packages with BTF, where every CRC change of drivers/vfio is given a type-level reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { ingestedStore } from '../helpers/shared-ingest.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'openeuler');
const skipOe = existsSync(DATA)
  ? needs('xz')
  : `no openEuler references at ${DATA} (../shared beside the repo)`;
const ref = (release: string) => join(DATA, `openEuler-${release}`, 'Module.kabi_x86_64.xz');

function crcs(path: string): Map<string, string> {
  const text = execFileSync('xz', ['-dc', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^0x([0-9a-f]+)\t(\S+)\t/gim)) out.set(m[2]!, m[1]!.toLowerCase());
  return out;
}

describe('kabi interfaces', () => {
  it('openEuler 24.03-LTS → SP1: each symbol as two Maps say; never-exported names said so', {
    skip: skipOe,
  }, () => {
    const [a, b] = [crcs(ref('24.03-LTS')), crcs(ref('24.03-LTS-SP1'))];
    const asked = [...a.keys()].slice(0, 40).concat('io_add_group_dev');
    const r = kabi([
      'interfaces',
      '--allow-duplicates',
      ref('24.03-LTS'),
      ref('24.03-LTS-SP1'),
      ...asked,
      '-f',
      'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /reason/);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.withTypes, false);
    const want = asked.map((s) =>
      !a.has(s)
        ? b.has(s)
          ? 'added'
          : 'not-exported'
        : !b.has(s)
          ? 'removed'
          : a.get(s) === b.get(s)
            ? 'unchanged'
            : 'crc-changed',
    );
    assert.deepEqual(
      doc.rows.map((x: { status: string }) => x.status),
      want,
    );
    assert.ok(want.includes('crc-changed') && want.includes('unchanged'));
    const md = kabi([
      'interfaces',
      '--allow-duplicates',
      ref('24.03-LTS'),
      ref('24.03-LTS-SP1'),
      ...asked,
      '-f',
      'markdown',
    ]);
    assert.match(md.stdout, /^\| Interface \| Change \|$/m);
    assert.match(md.stdout, /^\| io_add_group_dev \| Not exported in OLD \|/m);
    assert.match(md.stdout, /\| Modified \(CRC changed\): no BTF, reason unknown \|$/m);
    const html = kabi([
      'interfaces',
      '--allow-duplicates',
      ref('24.03-LTS'),
      ref('24.03-LTS-SP1'),
      ...asked,
      '-f',
      'html',
    ]);
    assert.equal(html.status, 0, html.stderr);
    assert.equal((html.stdout.match(/<tr class="/g) ?? []).length, asked.length);
    assert.match(
      html.stdout,
      /<tr class="not-exported"><td><code>io_add_group_dev<\/code><\/td><td>Not exported in OLD<\/td>/,
    );
  });

  const old = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
  const next = debianPackage('linux-image-6.1.0-50-amd64-unsigned');
  // Debian's own Module.symvers of each kernel, from its linux-headers package: the second computation.
  const headers = ['linux-headers-6.1.0-47-amd64', 'linux-headers-6.1.0-50-amd64'].map(debianPackage);
  const skipDeb =
    needs('dpkg-deb', 'tar') ||
    ([old, next, ...headers].map((p) => ('skip' in p ? p.skip : '')).find(Boolean) ?? false);
  it('Debian 6.1.0-47 → 6.1.0-50 amd64, drivers/vfio: statuses as kabi diff says, every CRC change a reason', {
    skip: skipDeb,
  }, async () => {
    const [o, n] = [(old as { path: string }).path, (next as { path: string }).path];
    // The packages unpacked (once per run, test/helpers/unpacked-package.ts): the store below ingests the
    // packages themselves, and explain, which gives the reasons, reads them in explain-store.test.
    const [treeO, treeN] = [await unpackedPackage(o), await unpackedPackage(n)];
    const r = kabi([
      'interfaces',
      treeO,
      treeN,
      '--module-path',
      'drivers/vfio',
      'io_add_group_dev',
      '-f',
      'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.withTypes, true);
    // The second computation: the two kernels' Module.symvers as Debian ships them in linux-headers
    // (test/real-data/kernel-package.test.ts holds `kabi symvers` of the image to the same table),
    // compared here.
    const table = (headersPkg: string) =>
      new Map(
        execFileSync(
          'sh',
          ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO --wildcards "*/Module.symvers"', 'sh', headersPkg],
          { encoding: 'utf8', maxBuffer: 1 << 28 },
        )
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t'))
          .map((f) => [f[1]!, { crc: f[0]!, module: f[2]! }] as const),
      );
    const [ta, tb] = headers.map((h) => table((h as { path: string }).path)) as [
      ReturnType<typeof table>,
      ReturnType<typeof table>,
    ];
    assert.ok(ta.size > 20000 && tb.size > 20000, `${ta.size} and ${tb.size} exports in Module.symvers`);
    const vfio = [
      ...new Set([...ta, ...tb].filter(([, e]) => e.module.startsWith('drivers/vfio/')).map(([s]) => s)),
    ];
    assert.ok(vfio.length > 40, `${vfio.length} vfio exports`);
    const rows = new Map(doc.rows.map((x: { symbol: string }) => [x.symbol, x]));
    assert.equal((rows.get('io_add_group_dev') as { status: string }).status, 'not-exported');
    for (const s of vfio) {
      const [x, y] = [ta.get(s), tb.get(s)];
      const want = !x ? 'added' : !y ? 'removed' : x.crc === y.crc ? 'unchanged' : 'crc-changed';
      const row = rows.get(s) as { status: string; reason: string | null; types: string[] };
      assert.equal(row.status, want, s);
      if (want === 'crc-changed') assert.notEqual(row.reason, 'no-btf', s);
    }
    const vfioPin = rows.get('vfio_pin_pages') as { reason: string; types: string[] };
    assert.equal(vfioPin.reason, 'types');
    assert.ok(vfioPin.types.includes('struct device'));
    // Store refs: the type digests ingest kept give the same rows as the packages' BTF read now.
    const { db, ingest: ing } = await ingestedStore(mkdtempSync(join(tmpdir(), 'kabi-if-')), [o, n]);
    assert.equal(ing.status, 0, ing.stderr);
    const stored = kabi([
      '--db',
      db,
      'interfaces',
      'release=6.1.0-47',
      'release=6.1.0-50',
      '--module-path',
      'drivers/vfio',
      'io_add_group_dev',
      '-f',
      'json',
    ]);
    assert.equal(stored.status, 0, stored.stderr);
    assert.deepEqual(JSON.parse(stored.stdout).rows, doc.rows);
  });
});
