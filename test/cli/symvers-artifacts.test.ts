// `kabi symvers`, `diff` and `check` on binary artifacts: a module tree, a .deb holding real modules and one
// corrupt module, and .rpm packages that provide kernel(sym) = CRC. Packages are built by the test itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { type CompatJson, expandCompatJson } from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers, sharedSymversDir } from '../helpers/independent.js';
import { needs } from '../helpers/tools.js';

const TREE = join(FIXTURES, 'modules', 'lib', 'modules', '6.1.0-47-amd64');
const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-art-'));

describe('kabi compat --usable on an installed module directory', () => {
  it('says which modules a kernel can use as they are and which need a rebuild', () => {
    const kmods = join(FIXTURES, 'modules', 'kmods', '6.1.0-47');
    const r = kabi([
      'compat',
      '--usable',
      '-m',
      kmods,
      '-k',
      join(FIXTURES, 'debian', '6.1.0-55.symvers.xz'),
    ]);
    assert.equal(r.status, 8);
    assert.match(r.stdout, /^6\.1\.0-55: 0 usable as they are, 2 need a rebuild\n/);
    assert.match(
      r.stdout,
      /rebuild v4l2loopback \(.*v4l2loopback\.ko\), built for 6\.1\.0-47-amd64\): v4l2loopback: disagrees about version of symbol module_layout/,
    );
  });
});

describe('kabi symvers on a module tree', () => {
  it('lists the in-tree modules’ exports with module paths, warning that vmlinux is missing', () => {
    const r = kabi(['symvers', TREE]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    const modules = new Set(lines.map((l) => l[2]));
    assert.deepEqual([...modules].sort(), [
      'drivers/dma/idxd/idxd_bus',
      'drivers/virtio/virtio_dma_buf',
      'lib/crc16',
    ]);
    assert.ok(lines.every((l) => /^0x[0-9a-f]{8}$/.test(l[0]!) && l.length === 5));
    assert.ok(lines.filter((l) => l[2] === 'drivers/dma/idxd/idxd_bus').every((l) => l[4] === 'IDXD'));
    assert.deepEqual(
      lines.filter((l) => l[2] === 'lib/crc16').map((l) => [l[1], l[3]]),
      [
        ['crc16', 'EXPORT_SYMBOL'],
        ['crc16_table', 'EXPORT_SYMBOL'],
      ],
    );
    assert.match(r.stderr, /no vmlinux or vmlinuz found/);
    const shared = sharedSymversDir();
    if (shared) {
      // Debian's own Module.symvers for the same kernel, restricted to these modules.
      const debian = [...loadSymvers(join(shared, '6.1.0-47.symvers.xz'))]
        .filter(([, row]) => modules.has(row.module))
        .map(([sym, row]) => `${row.crc}\t${sym}\t${row.module}\t${row.type}\t${row.ns}`)
        .sort();
      assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), debian);
    }
  });
});

describe('kabi on a .deb with one corrupt module', {
  skip: needs('dpkg-deb'),
}, () => {
  const dir = tmp();
  const root = join(dir, 'root');
  for (const rel of ['kernel/lib/crc16.ko', 'kernel/drivers/dma/idxd/idxd_bus.ko']) {
    const to = join(root, 'lib/modules/6.1.0-47-amd64', rel);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(TREE, rel), to);
  }
  writeFileSync(
    join(root, 'lib/modules/6.1.0-47-amd64/kernel/lib/broken.ko'),
    '\x7fELF\x02\x01\x01 truncated',
  );
  mkdirSync(join(root, 'DEBIAN'));
  writeFileSync(
    join(root, 'DEBIAN/control'),
    'Package: linux-image-test\nVersion: 6.1.170-3\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n',
  );
  const deb = join(dir, 'linux-image-test.deb');
  if (!needs('dpkg-deb'))
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb], { stdio: 'ignore' });

  it('reads the good modules and names the bad one', () => {
    const r = kabi(['symvers', deb]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\tcrc16\tlib\/crc16\tEXPORT_SYMBOL\t\n/);
    assert.match(
      r.stderr,
      /kabi: warning: lib\/modules\/6\.1\.0-47-amd64\/kernel\/lib\/broken\.ko: not read: .*broken\.ko\)@0x[0-9a-f]+: .*runs past the end/,
    );
  });

  it('diffs the .deb against a Module.symvers, warning about the bad module in the report', () => {
    const base = join(dir, 'base.symvers');
    writeFileSync(base, kabi(['symvers', deb]).stdout.replace(/^0x[0-9a-f]{8}(\tcrc16\t)/m, '0x00000000$1'));
    const r = kabi(['diff', '--format', 'json', base, deb]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.new.format, 'kernel-binaries');
    assert.deepEqual(
      j.changes.map((c: { kind: string; symbol: string }) => `${c.kind} ${c.symbol}`),
      ['crc-changed crc16'],
    );
    assert.ok(j.warnings.some((w: string) => w.includes('broken.ko: not read')));
  });
});

function buildRpm(dir: string, name: string, provides: string[], requires: string[] = []): string {
  const top = mkdtempSync(join(dir, 'rpm-'));
  const spec = join(top, `${name}.spec`);
  writeFileSync(
    spec,
    `Name: ${name}\nVersion: 6.1.0\nRelease: 1\nSummary: t\nLicense: GPL-2.0-only\nBuildArch: x86_64\n${provides.map((p) => `Provides: ${p}\n`).join('')}${requires.map((r) => `Requires: ${r}\n`).join('')}%define debug_package %{nil}\n%description\nt\n%files\n`,
  );
  execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${top}`, spec], { stdio: 'ignore' });
  const rpms = join(top, 'RPMS', 'x86_64');
  return join(rpms, readdirSync(rpms)[0]!);
}

describe('kabi on kernel .rpm packages (provides)', {
  skip: needs('rpmbuild'),
}, () => {
  it('diffs two kernel RPMs by their kernel(sym) = CRC provides, as dnf would see them', () => {
    const dir = tmp();
    const a = buildRpm(dir, 'kernel-a', [
      'kernel(foo) = 0x0c2f123f',
      'kernel(bar) = 0x00000001',
      'kernel(gone) = 0x00000002',
    ]);
    const b = buildRpm(dir, 'kernel-b', [
      'kernel(foo) = 0x0c2f123f',
      'kernel(bar) = 0x00000009',
      'kernel(new) = 0x00000003',
    ]);
    const r = kabi(['check', '--format', 'json', '--baseline', a, b]);
    assert.equal(r.status, 12, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.old.format, 'rpm-provides');
    assert.deepEqual(
      j.changes.map((c: { kind: string; symbol: string }) => `${c.kind} ${c.symbol}`),
      ['removed gone', 'crc-changed bar', 'added new'],
    );
  });

  it('judges the kernel(sym) requires of a kmod RPM against the provides of kernel RPMs, as dnf repoclosure would', () => {
    const dir = tmp();
    const a = buildRpm(dir, 'kernel-a', ['kernel(foo) = 0x0c2f123f', 'kernel(bar) = 0x00000001']);
    const b = buildRpm(dir, 'kernel-b', ['kernel(foo) = 0x0c2f123f', 'kernel(bar) = 0x00000009']);
    const kmod = buildRpm(
      dir,
      'kmod-test',
      [],
      ['kernel(foo) = 0x0c2f123f', 'kernel(bar) = 0x00000001', 'kernel(baz) = 0x00000002'],
    );
    const r = kabi(['compat', '--format', 'json', '-m', kmod, '-k', a, b]);
    assert.equal(r.status, 8, r.stderr);
    const v = expandCompatJson(JSON.parse(r.stdout) as CompatJson);
    assert.deepEqual(
      v.map((x) => [x.module, x.loads, x.reasons.map((y) => `${y.code} ${y.symbol}`)]),
      [
        ['kmod-test (rpm requires)', false, ['missing-symbol baz']],
        ['kmod-test (rpm requires)', false, ['crc-mismatch bar', 'missing-symbol baz']],
      ],
    );
    assert.match(
      v[1]!.reasons[0]!.message,
      /^nothing provides kernel\(bar\) = 0x00000001 needed by kmod-test \(the kernel provides 0x00000009\)$/,
    );
  });
});
