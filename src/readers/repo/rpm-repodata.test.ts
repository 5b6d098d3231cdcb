import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArtifactFormatError } from '../../errors.js';
import { selectKernelRpms } from '../../fetch/watch-sources.js';
import { parsePrimary, parseRepomd } from './rpm-repodata.js';

// The shapes createrepo_c writes (AlmaLinux 9 BaseOS, shortened).
const REPOMD = `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <data type="primary">
    <checksum type="sha256">AB${'0'.repeat(62)}</checksum>
    <open-checksum type="sha256">${'1'.repeat(64)}</open-checksum>
    <location href="repodata/ab00-primary.xml.gz"/>
    <timestamp>1700000000</timestamp>
    <size>1234</size>
    <open-size>9999</open-size>
  </data>
  <data type="filelists">
    <checksum type="sha">${'2'.repeat(40)}</checksum>
    <location href="repodata/x-filelists.xml.gz"/>
  </data>
</repomd>
`;

const pkg = (name: string, ver: string, rel: string, arch = 'x86_64') => `<package type="rpm">
  <name>${name}</name>
  <arch>${arch}</arch>
  <version epoch="0" ver="${ver}" rel="${rel}"/>
  <checksum type="sha256" pkgid="YES">${'3'.repeat(64)}</checksum>
  <summary>The Linux kernel &amp; friends</summary>
  <location href="Packages/${name}-${ver}-${rel}.${arch}.rpm"/>
  <size package="4242" installed="1" archive="2"/>
  <format><rpm:license>GPLv2</rpm:license><rpm:provides><rpm:entry name="kernel(x)" flags="EQ" ver="0x1"/></rpm:provides></format>
</package>`;

const primary = (...packages: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${packages.length}">
${packages.join('\n')}
</metadata>`;

describe('RPM repodata', () => {
  test('repomd.xml: each data file with its checksum (sha is sha1) and location', () => {
    const r = parseRepomd(REPOMD, { source: 'repomd.xml' });
    assert.equal(r.revision, '1700000000');
    assert.deepEqual(r.data[0], {
      type: 'primary',
      href: 'repodata/ab00-primary.xml.gz',
      checksum: { algorithm: 'sha256', hex: `ab${'0'.repeat(62)}` },
      size: 1234,
    });
    assert.deepEqual(r.data[1]?.checksum.algorithm, 'sha1');
    assert.equal(r.data[1]?.size, null);
  });

  test('primary.xml: name, version, location, size and checksum of each package', () => {
    const list = parsePrimary(primary(pkg('kernel-core', '5.14.0', '362.8.1.el9_3')), { source: 'p.xml' });
    assert.deepEqual(list, [
      {
        name: 'kernel-core',
        arch: 'x86_64',
        epoch: '0',
        version: '5.14.0',
        release: '362.8.1.el9_3',
        href: 'Packages/kernel-core-5.14.0-362.8.1.el9_3.x86_64.rpm',
        size: 4242,
        checksum: { algorithm: 'sha256', hex: '3'.repeat(64) },
      },
    ]);
    assert.deepEqual(parsePrimary(primary(), { source: 'p.xml' }), []);
  });

  test('malformed XML, an unknown checksum type and a package without location are errors', () => {
    assert.throws(() => parseRepomd('<repomd><data', { source: 'r' }), ArtifactFormatError);
    assert.throws(
      () => parseRepomd(REPOMD.replace('type="sha256"', 'type="md5"'), { source: 'r' }),
      /checksum/,
    );
    const noLocation = pkg('kernel', '1', '1').replace(/<location[^>]*\/>/, '');
    assert.throws(() => parsePrimary(primary(noLocation), { source: 'p' }), /location/);
    assert.throws(() => parsePrimary('<other/>', { source: 'p' }), /no <metadata>/);
  });

  test('the kernel builds: kernel-core over its meta-package, variants, never tools, devel or sources', () => {
    const list = parsePrimary(
      primary(
        pkg('kernel', '5.14.0', '70.el9'),
        pkg('kernel-core', '5.14.0', '70.el9'),
        pkg('kernel-core', '5.14.0', '162.el9'),
        pkg('kernel-rt-core', '5.14.0', '70.el9'),
        pkg('kernel-devel', '5.14.0', '70.el9'),
        pkg('kernel-tools', '5.14.0', '70.el9'),
        pkg('kernel-headers', '5.14.0', '70.el9'),
        pkg('kernel', '5.14.0', '70.el9', 'src'),
        pkg('kernel', '4.19.90', '2112.8.0.0131.oe1'),
      ),
      { source: 'p' },
    );
    const chosen = selectKernelRpms(list).map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`);
    assert.deepEqual(chosen, [
      'kernel-4.19.90-2112.8.0.0131.oe1.x86_64',
      'kernel-core-5.14.0-70.el9.x86_64',
      'kernel-rt-core-5.14.0-70.el9.x86_64',
      'kernel-core-5.14.0-162.el9.x86_64',
    ]);
    assert.deepEqual(selectKernelRpms(list, /^kernel-rt/).length, 1);
    assert.deepEqual(selectKernelRpms(list, /-162\.el9\./).length, 1);
  });
});
