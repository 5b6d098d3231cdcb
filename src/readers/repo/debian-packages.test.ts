import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { compareDebianVersions } from '../../model/debian-version.js';
import { parseDeb822, parsePackagesIndex } from './debian-packages.js';

const source = 'dists/bookworm/main/binary-amd64/Packages';
const SHA = 'a'.repeat(64);

// Two stanzas as bookworm's index has them (descriptions shortened), Depends folded over two lines.
const INDEX = `Package: linux-headers-6.1.0-47-amd64
Source: linux
Version: 6.1.170-3
Installed-Size: 3964
Architecture: amd64
Depends: linux-headers-6.1.0-47-common (= 6.1.170-3),
 linux-kbuild-6.1 (>= 6.1.170-3),
\tlinux-compiler-gcc-12-x86
Description: Header files for Linux 6.1.0-47-amd64
 This package provides the architecture-specific kernel header files.
 .
 Second paragraph.
Filename: pool/main/l/linux/linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb
Size: 1655296
SHA256: ${'2A40C463'.repeat(8)}

Package: linux-image-6.1.0-47-amd64
Source: linux-signed-amd64 (6.1.170+3)
Version: 6.1.170-3
Architecture: amd64
Filename: pool/main/l/linux-signed-amd64/linux-image-6.1.0-47-amd64_6.1.170-3_amd64.deb
Size: 70000000
SHA256: ${SHA}
`;

function throwsAt(fn: () => unknown, line: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, `expected ArtifactFormatError, got ${String(e)}`);
    assert.equal(e.line, line);
    assert.match(e.message, message);
    return true;
  });
}

describe('parseDeb822', () => {
  test('folds continuation lines, keeps field names as written, looks them up case-insensitively', () => {
    const [first] = parseDeb822(INDEX, { source });
    assert.equal(first?.line, 1);
    assert.equal(first?.fields.get('depends')?.name, 'Depends');
    assert.equal(
      first?.fields.get('depends')?.value,
      'linux-headers-6.1.0-47-common (= 6.1.170-3),\nlinux-kbuild-6.1 (>= 6.1.170-3),\nlinux-compiler-gcc-12-x86',
    );
    assert.equal(first?.fields.get('description')?.value.split('\n')[2], '.');
  });

  test('CRLF, comments inside a stanza, blank lines of spaces and several blank lines between stanzas', () => {
    const text =
      'Types: deb\r\n# a comment\r\nURIs: http://mirror.example/debian\r\n  \r\n\r\n\r\nTypes: deb-src\r\n';
    const stanzas = parseDeb822(text, { source });
    assert.equal(stanzas.length, 2);
    assert.equal(stanzas[0]?.fields.get('uris')?.value, 'http://mirror.example/debian');
    assert.equal(stanzas[1]?.line, 7);
  });

  test('keeps only the fields asked for', () => {
    const [first] = parseDeb822(INDEX, { source, keep: new Set(['package']) });
    assert.deepEqual([...(first?.fields.keys() ?? [])], ['package']);
  });

  test('errors name the line', () => {
    throwsAt(
      () => parseDeb822('Package: a\nno colon here\n', { source }),
      2,
      /:2: expected "Field: value" \| no colon/,
    );
    throwsAt(
      () => parseDeb822('Package: a\n\n continued\n', { source }),
      3,
      /continuation line outside a field/,
    );
    throwsAt(() => parseDeb822('Package: a\nVersion: 1\npackage: b\n', { source }), 3, /given twice.*line 1/);
    throwsAt(
      () => parseDeb822('-----BEGIN PGP SIGNED MESSAGE-----\n', { source }),
      1,
      /expected "Field: value"/,
    );
  });
});

describe('parsePackagesIndex', () => {
  test('reads the fields a download needs, and Source with its version', () => {
    const [headers, image] = parsePackagesIndex(INDEX, { source });
    assert.deepEqual(headers, {
      name: 'linux-headers-6.1.0-47-amd64',
      version: '6.1.170-3',
      architecture: 'amd64',
      filename: 'pool/main/l/linux/linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb',
      size: 1655296,
      sha256: '2a40c463'.repeat(8),
      source: 'linux',
      sourceVersion: '6.1.170-3',
      depends: [
        'linux-headers-6.1.0-47-common (= 6.1.170-3)',
        'linux-kbuild-6.1 (>= 6.1.170-3)',
        'linux-compiler-gcc-12-x86',
      ],
      line: 1,
    });
    assert.equal(image?.source, 'linux-signed-amd64');
    assert.equal(image?.sourceVersion, '6.1.170+3');
    assert.deepEqual(image?.depends, []);
    assert.equal(image?.line, 17);
  });

  test('a stanza without Filename is an error at its Package line', () => {
    const text = INDEX.replace(/^Filename: pool\/main\/l\/linux-signed.*\n/m, '');
    throwsAt(
      () => parsePackagesIndex(text, { source }),
      17,
      /:17: stanza has no Filename field \| Package: linux-image/,
    );
  });

  test('bad Size and SHA256 are errors at their own lines', () => {
    throwsAt(
      () => parsePackagesIndex(INDEX.replace('Size: 70000000', 'Size: 70 MB'), { source }),
      22,
      /Size/,
    );
    throwsAt(
      () => parsePackagesIndex(INDEX.replace(SHA, 'abc'), { source }),
      23,
      /SHA256 is not 64 hex digits/,
    );
  });

  test('an empty index lists nothing', () => {
    assert.deepEqual(parsePackagesIndex('', { source }), []);
  });
});

// Pairs whose order dpkg defines (deb-version(7)); checked against `dpkg --compare-versions` when present.
const ORDERED: [string, string][] = [
  ['6.1.170-3', '6.1.176-1'],
  ['6.1.176-1', '6.1.176-1+b1'],
  ['6.12.117-1~deb12u1', '6.12.117-1'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['2.6.32-5', '2.6.32-48'],
  ['9.9', '1:0.1'],
  ['6.1.0-9', '6.1.0-10'],
  ['6.1.0-56', '6.12.107+deb12'],
];

describe('compareDebianVersions', () => {
  test('orders as dpkg does', () => {
    for (const [a, b] of ORDERED) {
      assert.ok(compareDebianVersions(a, b) < 0, `${a} < ${b}`);
      assert.ok(compareDebianVersions(b, a) > 0, `${b} > ${a}`);
    }
    assert.equal(compareDebianVersions('1.01-1', '1.1-1'), 0);
    assert.equal(compareDebianVersions('0:1.0', '1.0'), 0);
  });

  test('agrees with dpkg --compare-versions', { skip: needs('dpkg') }, () => {
    for (const [a, b] of ORDERED) {
      assert.equal(spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status, 0, `dpkg: ${a} < ${b}`);
    }
  });
});
