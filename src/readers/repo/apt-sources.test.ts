import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import {
  type AptSource,
  mirrorForSuite,
  parseDeb822Sources,
  parseSourcesList,
  readAptSources,
} from './apt-sources.js';

// Host names under the reserved .example domain: no real mirror is named in the tests.
const MAIN = 'http://mirror.example/debian';
const SECURITY = 'https://security.example/debian-security';

const LIST = `# deb ${MAIN} bookworm main           (a disabled line)
deb [arch=amd64,i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${MAIN}/ bookworm main contrib non-free-firmware
deb-src ${MAIN} bookworm main
deb ${SECURITY} bookworm-security main # trailing comment
deb [ trusted=yes ] http://local.example/repo ./
`;

const SOURCES = `Types: deb deb-src
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: ${MAIN}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${SECURITY}
Suites: bookworm-security
Components: main
Architectures: arm64
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR2lsD0jIAfu7RXRXa0VYbW
 -----END PGP PUBLIC KEY BLOCK-----

Types: deb
URIs: http://old.example/debian
Suites: bookworm
Components: main
Enabled: no
`;

function throwsAt(fn: () => unknown, line: number, message: RegExp): void {
  assert.equal(assertFormatError(fn, message).line, line);
}

describe('parseSourcesList (one-line style)', () => {
  const entries = parseSourcesList(LIST, { source: 'sources.list' });

  test('reads type, options, URI, suite and components; skips comments', () => {
    assert.equal(entries.length, 4);
    assert.deepEqual(entries[0], {
      types: ['deb'],
      uris: [`${MAIN}/`],
      suites: ['bookworm'],
      components: ['main', 'contrib', 'non-free-firmware'],
      options: { arch: 'amd64,i386', 'signed-by': '/usr/share/keyrings/debian-archive-keyring.gpg' },
      enabled: true,
      source: 'sources.list',
      line: 2,
    });
    assert.deepEqual(entries[1]?.types, ['deb-src']);
    assert.deepEqual(entries[2]?.components, ['main'], 'a trailing comment is not a component');
  });

  test('a flat repository has no components; options may be spaced inside the brackets', () => {
    assert.deepEqual(entries[3]?.suites, ['./']);
    assert.deepEqual(entries[3]?.components, []);
    assert.deepEqual(entries[3]?.options, { trusted: 'yes' });
  });

  test('errors name the line', () => {
    const src = { source: 'x.list' };
    throwsAt(() => parseSourcesList('\nrpm http://a.example/ x main\n', src), 2, /unknown type "rpm"/);
    throwsAt(() => parseSourcesList(`deb ${MAIN}\n`, src), 1, /expected "deb \[options\] URI SUITE/);
    throwsAt(() => parseSourcesList(`deb ${MAIN} bookworm\n`, src), 1, /needs at least one component/);
  });
});

describe('parseDeb822Sources (deb822 style)', () => {
  const entries = parseDeb822Sources(SOURCES, { source: 'debian.sources' });

  test('reads lists, comments between fields, options, a multi-line Signed-By and Enabled', () => {
    assert.equal(entries.length, 3);
    assert.deepEqual(entries[0]?.types, ['deb', 'deb-src']);
    assert.deepEqual(entries[0]?.uris, [MAIN]);
    assert.deepEqual(entries[0]?.suites, ['bookworm', 'bookworm-updates']);
    assert.equal(entries[0]?.options['signed-by'], '/usr/share/keyrings/debian-archive-keyring.gpg');
    assert.equal(entries[1]?.line, 8);
    assert.equal(entries[1]?.options.arch, 'arm64');
    assert.match(entries[1]?.options['signed-by'] ?? '', /^\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\.\n/);
    assert.equal(entries[0]?.enabled, true);
    assert.equal(entries[2]?.enabled, false);
  });

  test('missing fields are errors at the stanza', () => {
    const src = { source: 'x.sources' };
    throwsAt(() => parseDeb822Sources(`Types: deb\nSuites: bookworm\nComponents: main\n`, src), 1, /no URIs/);
    throwsAt(
      () => parseDeb822Sources(`\nTypes: deb\nURIs: ${MAIN}\nSuites: bookworm\n`, src),
      2,
      /no Components/,
    );
    throwsAt(
      () => parseDeb822Sources(`Types: rpm\nURIs: ${MAIN}\nSuites: x\nComponents: a\n`, src),
      1,
      /"rpm"/,
    );
  });
});

describe('mirrorForSuite', () => {
  const sources: AptSource[] = [
    ...parseSourcesList(
      `deb cdrom:[Debian 12]/ bookworm main\ndeb-src ${SECURITY} bookworm-security main\n`,
      {
        source: 'sources.list',
      },
    ),
    ...parseDeb822Sources(SOURCES, { source: 'debian.sources' }),
  ];

  test('each suite finds its own URI; cdrom, deb-src and disabled entries are passed over', () => {
    assert.deepEqual(mirrorForSuite(sources, 'bookworm', 'amd64'), { uri: MAIN, from: 'debian.sources:1' });
    assert.deepEqual(mirrorForSuite(sources, 'bookworm-security', 'amd64'), {
      uri: SECURITY,
      from: 'debian.sources:8',
    });
    assert.equal(mirrorForSuite(sources, 'trixie', 'amd64'), null);
  });

  test('prefers an entry with main and the architecture; removes a trailing slash', () => {
    const list = parseSourcesList(
      `deb http://a.example/x bookworm contrib\ndeb [arch=arm64] http://b.example/y bookworm main\ndeb http://c.example/z/ bookworm main\n`,
      { source: 's' },
    );
    assert.equal(mirrorForSuite(list, 'bookworm', 'amd64')?.uri, 'http://c.example/z');
    assert.equal(mirrorForSuite(list, 'bookworm', 'arm64')?.uri, 'http://b.example/y');
    assert.equal(mirrorForSuite(list, 'bookworm')?.uri, 'http://b.example/y');
  });
});

describe('readAptSources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-apt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sources.list.d'));
  writeFileSync(join(dir, 'sources.list'), `deb ${MAIN} trixie main\n`);
  writeFileSync(join(dir, 'sources.list.d/b.sources'), SOURCES);
  writeFileSync(join(dir, 'sources.list.d/a.list'), `deb ${SECURITY} bookworm-security main\n`);
  writeFileSync(join(dir, 'sources.list.d/c.list.disabled'), 'not read at all\n');
  writeFileSync(join(dir, 'sources.list.d/d.list'), 'deb broken\n');

  test("reads sources.list, then the parts in apt's order; a broken file becomes a warning", async () => {
    const config = await readAptSources(dir);
    assert.deepEqual(
      config.sources.map((s) => `${s.source.slice(dir.length + 1)}:${s.line}`),
      [
        'sources.list:1',
        'sources.list.d/a.list:1',
        'sources.list.d/b.sources:1',
        'sources.list.d/b.sources:8',
        'sources.list.d/b.sources:19',
      ],
    );
    assert.equal(config.warnings.length, 1);
    assert.match(config.warnings[0] ?? '', /d\.list:1: expected "deb \[options\] URI SUITE/);
  });

  test('a missing directory is an empty configuration', async () => {
    assert.deepEqual(await readAptSources(join(dir, 'nowhere')), { sources: [], warnings: [] });
  });
});
