// Package builders and reference extractors shared by the package reader tests. Named *.test.ts so that
// it stays out of the published package; it declares no tests itself.
import { execFileSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import type { ArtifactSource } from './index.js';

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kabi-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TreeSpec {
  files: Record<string, string | Buffer>;
  symlinks?: Record<string, string>;
  /** path → existing file it is a hard link to */
  hardlinks?: Record<string, string>;
}

export function writeTree(root: string, tree: TreeSpec): void {
  for (const [path, content] of Object.entries(tree.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const [path, target] of Object.entries(tree.symlinks ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  for (const [path, target] of Object.entries(tree.hardlinks ?? {}))
    linkSync(join(root, target), join(root, path));
}

export const SAMPLE: TreeSpec = {
  files: {
    'lib/modules/6.1.0-test/kernel/drivers/x.ko': Buffer.from('\x7fELF fake module x'),
    'lib/modules/6.1.0-test/kernel/fs/y.ko': Buffer.alloc(70_000, 'y'),
    'lib/modules/6.1.0-test/modules.order': 'kernel/drivers/x.ko\nkernel/fs/y.ko\n',
    'boot/System.map-6.1.0-test': 'ffffffff81000000 T _text\n',
    'usr/share/doc/kernel-test/empty': '',
  },
  symlinks: { 'lib/modules/6.1.0-test/build': '/usr/src/linux-headers-6.1.0-test' },
  hardlinks: { 'boot/System.map-6.1.0-test.copy': 'boot/System.map-6.1.0-test' },
};

const CONTROL = `Package: linux-image-test
Source: linux
Version: 1:6.1.170-3
Architecture: amd64
Maintainer: Test <test@example.org>
Description: test kernel
 with a continuation line
`;

/** A .deb built by dpkg-deb itself with `-Z<compression>`. */
export function buildDeb(dir: string, compression: 'xz' | 'zstd' | 'gzip' | 'none', tree = SAMPLE): string {
  const work = mkdtempSync(join(dir, `deb-${compression}-`));
  const root = join(work, 'root');
  writeTree(root, tree);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN/control'), CONTROL);
  const out = join(work, `test-${compression}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', root, out], {
    stdio: 'ignore',
  });
  return out;
}

/** An .rpm built by rpmbuild with `%_binary_payload <payload>` (w9.xzdio, w19.zstdio, w9.gzdio, ...). */
export function buildRpm(dir: string, payload: string): string {
  const top = mkdtempSync(join(dir, 'rpm-'));
  const spec = join(top, 'test.spec');
  mkdirSync(top, { recursive: true });
  writeFileSync(spec, SPEC);
  execFileSync(
    'rpmbuild',
    ['-bb', '--define', `_topdir ${top}`, '--define', `_binary_payload ${payload}`, spec],
    { stdio: 'ignore' },
  );
  const rpms = join(top, 'RPMS/x86_64');
  return join(rpms, readdirSync(rpms)[0]!);
}

const SPEC = `Name: kernel-test
Version: 6.1.0
Release: 1.test
Summary: kabi-tracker test package
License: GPL-2.0-only
BuildArch: x86_64
Provides: kernel(foo) = 0x0c2f123f
Provides: kernel(bar) = 0x00000001
Provides: kmod(x.ko)
Requires: kmod >= 30
Requires: (coreutils if bash)
%define __os_install_post %{nil}
%define debug_package %{nil}
%description
A fake kernel for the package reader tests.
%install
mkdir -p %{buildroot}/lib/modules/6.1.0-test/kernel/drivers %{buildroot}/boot
printf '\\177ELF fake module x' > %{buildroot}/lib/modules/6.1.0-test/kernel/drivers/x.ko
head -c 70000 /dev/zero | tr '\\0' y > %{buildroot}/lib/modules/6.1.0-test/kernel/drivers/y.ko
echo 'ffffffff81000000 T _text' > %{buildroot}/boot/System.map-6.1.0-test
ln -s /usr/src/kernels/6.1.0-test %{buildroot}/lib/modules/6.1.0-test/build
echo same > %{buildroot}/boot/linked-a
ln %{buildroot}/boot/linked-a %{buildroot}/boot/linked-b
%files
/lib/modules/6.1.0-test
/boot/System.map-6.1.0-test
/boot/linked-a
/boot/linked-b
`;

export interface Extracted {
  files: Map<string, Buffer>;
  symlinks: Map<string, string>;
}

/** Regular files and symlinks under `root`, by normalised path: what a reference tool extracted. */
export function readTree(root: string, rel = ''): Extracted {
  const out: Extracted = { files: new Map(), symlinks: new Map() };
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(join(root, path));
    if (st.isDirectory()) {
      const sub = readTree(root, path);
      for (const [k, v] of sub.files) out.files.set(k, v);
      for (const [k, v] of sub.symlinks) out.symlinks.set(k, v);
    } else if (st.isSymbolicLink()) {
      out.symlinks.set(path, readlinkSync(join(root, path)));
    } else if (st.isFile()) {
      out.files.set(path, readFileSync(join(root, path)));
    }
  }
  return out;
}

/** What dpkg-deb -x extracts. */
export function dpkgExtract(deb: string, dir: string): Extracted {
  const out = mkdtempSync(join(dir, 'x-'));
  execFileSync('dpkg-deb', ['-x', deb, out]);
  return readTree(out);
}

/** What rpm's own payload reader extracts (rpm2archive; cpio itself is not installed everywhere). */
export function rpmExtract(rpm: string, dir: string): Extracted {
  const out = mkdtempSync(join(dir, 'x-'));
  const tar = execFileSync('rpm2archive', ['-n', '-'], { input: readFileSync(rpm), maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', out], { input: tar });
  return readTree(out);
}

/** Everything files() yields, read through the ArtifactSource; tar hard links take their target's data. */
export async function collect(source: ArtifactSource, wanted: (p: string) => boolean = () => true) {
  const out: Extracted = { files: new Map(), symlinks: new Map() };
  for await (const f of source.files(wanted)) {
    if (f.linkTarget !== undefined) out.symlinks.set(f.path, f.linkTarget);
    else if (f.hardLinkTarget !== undefined)
      out.files.set(f.path, out.files.get(f.hardLinkTarget) ?? Buffer.from('?'));
    else out.files.set(f.path, f.data);
  }
  return out;
}

/** A hand-made ar archive (for .debs no dpkg-deb would build). */
export function arArchive(members: [name: string, data: Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const header =
      name.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(data.length).padEnd(10) +
      '`\n';
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
