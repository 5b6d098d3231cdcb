// Debian kernels of other eras and architectures, read from their linux-image packages as they ship
// them, against the Module.symvers of the matching linux-headers package: bullseye's 5.10 on amd64
// (bzImage), bookworm's 6.1 on arm64 (a raw arm64 Image), ppc64el (an ELF vmlinux, 24-byte pointer
// ksymtab) and s390x (an s390 boot image with an xz'd big-endian kernel inside). The newest ABI of each
// is downloaded with apt configured for that suite and architecture (skips offline). Each test reports
// the exports compared and the differences.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { formatCrc, readModuleImage } from '../../src/index.js';
import { type AptTarget, debianPackageFor, newestDebianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { dumpModversions } from '../helpers/modprobe.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

interface Port extends AptTarget {
  /** The image packages of this suite and architecture, newest picked. */
  image: RegExp;
  /**
   * kabi symvers reads the package unpacked (once per run, as the modprobe check needs it), not the
   * .deb: what this port adds is in its files (5.10's relocations, arm64's raw Image), and the .deb
   * container is read as shipped by the other ports here and by test/real-data/kernel-package.test.ts.
   */
  tree?: true;
}

const PORTS: Port[] = [
  {
    suite: 'bullseye',
    arch: 'amd64',
    image: /^linux-image-5\.10\.0-\d+-amd64-unsigned$/,
    tree: true,
    // Before 5.19 a module's __kcrctab is filled by relocations against absolute __crc_* symbols.
  },
  { suite: 'bookworm', arch: 'arm64', image: /^linux-image-6\.1\.0-\d+-arm64-unsigned$/, tree: true },
  { suite: 'bookworm', arch: 'ppc64el', image: /^linux-image-6\.1\.0-\d+-powerpc64le$/ },
  // s390x stops at 6.1.0-50 in bookworm.
  { suite: 'bookworm', arch: 's390x', image: /^linux-image-6\.1\.0-\d+-s390x$/ },
];

/** linux-image-<abi>-<flavour>[-unsigned] → linux-headers-<abi>-<flavour>. */
const headersOf = (image: string) =>
  image.replace(/^linux-image-/, 'linux-headers-').replace(/-unsigned$/, '');

function modulesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? modulesUnder(p) : /\.ko(\.(xz|zst|gz))?$/.test(n) ? [p] : [];
  });
}

const lines = (text: string) => text.split('\n').filter(Boolean);
const isVmlinux = (line: string) => line.split('\t')[2] === 'vmlinux';

function compare(t: TestContext, label: string, expected: string[], got: string[]): void {
  const want = new Set(expected);
  const have = new Set(got);
  const missing = expected.filter((l) => !have.has(l));
  const invented = got.filter((l) => !want.has(l));
  t.diagnostic(`${label}: ${want.size} exports compared, ${missing.length + invented.length} differences`);
  assert.ok(want.size > 1000, `${label}: only ${want.size} exports in Module.symvers`);
  assert.deepEqual(missing.slice(0, 20), [], `${label}: ${missing.length} lines of Module.symvers missing`);
  assert.deepEqual(invented.slice(0, 20), [], `${label}: ${invented.length} lines kabi symvers invented`);
}

for (const port of PORTS) {
  const tools = needs('dpkg-deb', 'tar');
  const image = tools ? { skip: tools } : await newestDebianPackage(port.image, port);
  const headers =
    'skip' in image
      ? image
      : await debianPackageFor(headersOf(image.name), { suite: port.suite, arch: port.arch });
  const skip = 'skip' in headers ? headers.skip : false;
  const name = 'name' in image ? image.name : port.image.source;

  describe(`Debian ${port.suite} ${port.arch}: kabi symvers of ${name} against its linux-headers`, {
    skip,
  }, () => {
    let expected: string[] = [];
    let got: string[] = [];
    before(async () => {
      if (!('path' in image) || !('path' in headers)) return;
      expected = lines(
        execSync(`dpkg-deb --fsys-tarfile '${headers.path}' | tar -xO --wildcards '*/Module.symvers'`, {
          maxBuffer: 1 << 28,
        }).toString(),
      );
      const r = kabi(['symvers', port.tree ? await unpackedPackage(image.path) : image.path]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'no warnings: every module and the kernel image read');
      got = lines(r.stdout);
    });

    it('the kernel image’s own exports equal the vmlinux lines of Module.symvers', (t) => {
      compare(t, `${port.arch} vmlinux`, expected.filter(isVmlinux), got.filter(isVmlinux));
    });

    it('every export equals Module.symvers, modules included', (t) => {
      compare(t, `${port.arch} all`, expected, got);
    });

    // kmod's modprobe reads every architecture's __versions, whatever the machine's own.
    it('the imports of every module equal modprobe --dump-modversions', {
      skip: needs('modprobe'),
    }, async (t) => {
      if (!('path' in image)) return;
      const dir = await unpackedPackage(image.path); // dpkg-deb -x, once per run
      const mods = modulesUnder(join(dir, 'lib', 'modules'));
      const differ: string[] = [];
      let imports = 0;
      const theirs = await dumpModversions(mods);
      for (const m of mods) {
        const read = (await readModuleImage(m)).imports;
        imports += read.length;
        const ours = read.map((i) => `${formatCrc(i.crc)}\t${i.symbol}\n`).join('');
        if (ours !== theirs.get(m)) differ.push(m.slice(dir.length));
      }
      t.diagnostic(
        `${port.arch}: ${mods.length} modules, ${imports} imports compared, ${differ.length} modules differ`,
      );
      assert.ok(mods.length > 1000, `found ${mods.length} modules`);
      assert.deepEqual(differ.slice(0, 20), [], `${differ.length} modules differ from modprobe`);
    });
  });
}
