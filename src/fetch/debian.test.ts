import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { needs } from '../../test/helpers/tools.js';
import { ArtifactFormatError, KabiError } from '../errors.js';
import type { DebianPackage } from '../readers/repo/debian-packages.js';
import { archOfFlavour, type FetchDebianOptions, fetchDebian, selectKernelPackages } from './debian.js';
import {
  buildArchive,
  corrupt,
  dropHalfway,
  endHalfway,
  type PoolFile,
  type RepoServer,
  serve,
  status,
  tempDir,
} from './fixtures.test.js';
import { FetchError } from './http.js';

function pkg(name: string, version = '6.1.176-1', depends: string[] = []): DebianPackage {
  const filename = `pool/main/l/linux/${name}_${version}_amd64.deb`;
  return {
    name,
    version,
    architecture: 'amd64',
    filename,
    size: 1,
    sha256: '0'.repeat(64),
    source: 'linux',
    sourceVersion: version,
    depends,
    line: 1,
  };
}

describe('selectKernelPackages', () => {
  const index = [
    pkg('linux-headers-6.1.0-50-amd64'),
    pkg('linux-headers-6.1.0-47-amd64', '6.1.170-3'),
    pkg('linux-headers-6.1.0-47-amd64', '6.1.170-2'),
    pkg('linux-headers-6.1.0-50-cloud-amd64'),
    pkg('linux-headers-6.1.0-50-common'),
    pkg('linux-headers-amd64', '6.1.176-1', ['linux-headers-6.1.0-50-amd64 (= 6.1.176-1)']),
    pkg('linux-headers-6.12-amd64', '6.12.9-1', ['linux-headers-6.12.9+deb12-amd64 (= 6.12.9-1)']),
    pkg('linux-headers-6.12.9+deb12-amd64', '6.12.9-1', [
      'linux-image-6.12.9+deb12-amd64 | linux-image-6.12.9+deb12-amd64-unsigned',
    ]),
    pkg('linux-headers-6.1.0-99-amd64', '6.1.999-1', ['linux-headers-6.1.0-50-amd64']), // a meta-package by its Depends
    pkg('linux-image-6.1.0-50-amd64'),
    pkg('linux-image-6.1.0-50-amd64-unsigned'),
    pkg('linux-image-6.1.0-50-amd64-dbg'),
    pkg('linux-image-6.1.0-47-amd64', '6.1.170-3'),
    pkg('linux-image-6.12.9+deb12-amd64-unsigned', '6.12.9-1'),
    pkg('linux-image-amd64'),
    pkg('linux-image-amd64-signed-template'),
  ];
  const names = (o: Parameters<typeof selectKernelPackages>[1]) =>
    selectKernelPackages(index, o).map((p) => `${p.name} ${p.version} ${p.abi} ${p.kind}`);

  test('headers of every ABI, newest version, in ABI order; meta-packages, -dbg and other flavours left out', () => {
    assert.deepEqual(names({ flavour: 'amd64' }), [
      'linux-headers-6.1.0-47-amd64 6.1.170-3 6.1.0-47 headers',
      'linux-headers-6.1.0-50-amd64 6.1.176-1 6.1.0-50 headers',
      'linux-headers-6.12.9+deb12-amd64 6.12.9-1 6.12.9+deb12 headers',
    ]);
  });

  test('--images: the -unsigned image where there is one, else the signed one', () => {
    assert.deepEqual(
      names({ flavour: 'amd64', images: true }).filter((n) => n.endsWith('image')),
      [
        'linux-image-6.1.0-47-amd64 6.1.170-3 6.1.0-47 image',
        'linux-image-6.1.0-50-amd64-unsigned 6.1.176-1 6.1.0-50 image',
        'linux-image-6.12.9+deb12-amd64-unsigned 6.12.9-1 6.12.9+deb12 image',
      ],
    );
  });

  test('another flavour, and --match on the package name', () => {
    assert.deepEqual(names({ flavour: 'cloud-amd64' }), [
      'linux-headers-6.1.0-50-cloud-amd64 6.1.176-1 6.1.0-50 headers',
    ]);
    assert.deepEqual(names({ flavour: 'amd64', images: true, match: /6\.1\.0-47/ }).length, 2);
  });

  test('archOfFlavour', () => {
    assert.equal(archOfFlavour('cloud-amd64'), 'amd64');
    assert.equal(archOfFlavour('rt-arm64'), 'arm64');
    assert.equal(archOfFlavour('686-pae'), 'i386');
    assert.equal(archOfFlavour('s390x'), 's390x');
    assert.equal(archOfFlavour('4kc-malta'), null);
  });
});

const skip = needs('dpkg-deb', 'xz', 'gzip');

const HEADERS = (abi: string) => ({
  [`usr/src/linux-headers-${abi}-amd64/Module.symvers`]: `0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n`,
});
const MODULES = (abi: string) => ({
  [`lib/modules/${abi}-amd64/kernel/fs/dummy.ko`]: 'not really a module\n',
});

describe('fetchDebian from a local repository', { skip }, () => {
  const root = tempDir('repo');
  let server: RepoServer;
  let pool: Record<string, PoolFile>;
  let indexDir: string;
  const aptDir = join(root, 'etc-apt');

  before(async () => {
    const archive = buildArchive(root, 'debian', 'bookworm', [
      { name: 'linux-headers-6.1.0-47-amd64', version: '6.1.170-3', files: HEADERS('6.1.0-47') },
      { name: 'linux-headers-6.1.0-47-amd64', version: '6.1.170-2' },
      { name: 'linux-headers-6.1.0-50-amd64', version: '6.1.176-1', files: HEADERS('6.1.0-50') },
      { name: 'linux-headers-6.1.0-50-cloud-amd64', version: '6.1.176-1' },
      { name: 'linux-headers-6.1.0-50-common', version: '6.1.176-1', architecture: 'all' },
      {
        name: 'linux-headers-amd64',
        version: '6.1.176-1',
        depends: 'linux-headers-6.1.0-50-amd64 (= 6.1.176-1)',
      },
      { name: 'linux-image-6.1.0-47-amd64-unsigned', version: '6.1.170-3', files: MODULES('6.1.0-47') },
      { name: 'linux-image-6.1.0-47-amd64', version: '6.1.170-3' },
      { name: 'linux-image-6.1.0-50-amd64', version: '6.1.176-1', files: MODULES('6.1.0-50') },
      { name: 'linux-image-6.1.0-50-amd64-dbg', version: '6.1.176-1' },
      { name: 'linux-image-amd64', version: '6.1.176-1' },
    ]);
    const security = buildArchive(root, 'debian-security', 'bookworm-security', [
      { name: 'linux-headers-6.1.0-56-amd64', version: '6.1.192-2', files: HEADERS('6.1.0-56') },
    ]);
    pool = { ...archive.pool, ...security.pool };
    indexDir = archive.index;
    server = await serve(root);
    mkdirSync(join(aptDir, 'sources.list.d'), { recursive: true });
    const stanza = (archive: string, suites: string) =>
      `Types: deb\nURIs: ${server.url}/${archive}\nSuites: ${suites}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`;
    writeFileSync(
      join(aptDir, 'sources.list.d/debian.sources'),
      `${stanza('debian', 'bookworm bookworm-updates')}\n${stanza('debian-security', 'bookworm-security')}`,
    );
  });
  afterEach(() => server.overrides.clear());
  after(() => server?.close());

  const out = () => mkdtempSync(join(root, 'out-'));
  const run = (o: Partial<FetchDebianOptions> = {}) =>
    fetchDebian({ suite: 'bookworm', flavour: 'amd64', aptDir, outDir: out(), timeoutMs: 5000, ...o });
  const debs = (dir: string) =>
    readdirSync(dir)
      .filter((n) => n !== 'manifest.json')
      .sort();
  const url = (name: string) => `${server.url}/debian/${pool[name]!.filename}`;
  async function rejects(
    p: Promise<unknown>,
    message: RegExp,
    type: new (...a: never[]) => Error = KabiError,
  ) {
    await assert.rejects(p, (e: unknown) => {
      if (process.env.SHOW_ERRORS) console.log(String((e as Error).message));
      assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
      assert.match((e as Error).message, message);
      return true;
    });
  }

  test('a dry run lists the headers of every ABI and writes nothing', async () => {
    const outDir = join(root, 'never-made');
    const r = await run({ dryRun: true, outDir });
    assert.equal(r.mirror, `${server.url}/debian`);
    assert.match(r.mirrorFrom, /debian\.sources:1$/);
    assert.equal(r.indexUrl, `${server.url}${indexDir}Packages.xz`);
    assert.equal(r.indexed, 11);
    assert.deepEqual(
      r.packages.map((p) => [p.name, p.version, p.abi, p.kind, p.status, p.file]),
      [
        [
          'linux-headers-6.1.0-47-amd64',
          '6.1.170-3',
          '6.1.0-47',
          'headers',
          'planned',
          join(outDir, 'linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb'),
        ],
        [
          'linux-headers-6.1.0-50-amd64',
          '6.1.176-1',
          '6.1.0-50',
          'headers',
          'planned',
          join(outDir, 'linux-headers-6.1.0-50-amd64_6.1.176-1_amd64.deb'),
        ],
      ],
    );
    assert.equal(r.manifest, null);
    assert.equal(existsSync(outDir), false);
    assert.ok(!server.requests.some((p) => p.endsWith('.deb')));
  });

  test('--images downloads the -unsigned image, else the signed one; verified files and a manifest', async () => {
    const r = await run({ images: true });
    const dir = join(r.packages[0]!.file, '..');
    assert.deepEqual(
      r.packages.map((p) => `${p.name} ${p.status}`),
      [
        'linux-headers-6.1.0-47-amd64 downloaded',
        'linux-image-6.1.0-47-amd64-unsigned downloaded',
        'linux-headers-6.1.0-50-amd64 downloaded',
        'linux-image-6.1.0-50-amd64 downloaded',
      ],
    );
    for (const p of r.packages) assert.deepEqual(readFileSync(p.file), pool[p.name]!.bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.kabiFetchManifest, 1);
    assert.deepEqual(manifest.packages[0], {
      name: 'linux-headers-6.1.0-47-amd64',
      version: '6.1.170-3',
      abi: '6.1.0-47',
      flavour: 'amd64',
      arch: 'amd64',
      kind: 'headers',
      suite: 'bookworm',
      file: 'linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb',
      filename: pool['linux-headers-6.1.0-47-amd64']!.filename,
      size: pool['linux-headers-6.1.0-47-amd64']!.size,
      sha256: pool['linux-headers-6.1.0-47-amd64']!.sha256,
    });
    assert.ok(!JSON.stringify(manifest).includes(server.url), 'the manifest names no mirror');
  });

  test('files already there with the right hash are not fetched again; a wrong one is replaced', async () => {
    const first = await run();
    const outDir = join(first.packages[0]!.file, '..');
    writeFileSync(first.packages[1]!.file, 'damaged');
    server.requests.length = 0;
    const again = await run({ outDir });
    assert.deepEqual(
      again.packages.map((p) => p.status),
      ['present', 'downloaded'],
    );
    assert.deepEqual(
      server.requests.filter((p) => p.endsWith('.deb')),
      [`/debian/${pool['linux-headers-6.1.0-50-amd64']!.filename}`],
    );
    assert.deepEqual(readFileSync(again.packages[1]!.file), pool['linux-headers-6.1.0-50-amd64']!.bytes);
  });

  test("bookworm-security finds its own URI in apt's configuration; runs into one directory add up", async () => {
    const first = await run();
    const outDir = join(first.packages[0]!.file, '..');
    const r = await run({ suite: 'bookworm-security', outDir });
    assert.equal(r.mirror, `${server.url}/debian-security`);
    assert.match(r.mirrorFrom, /debian\.sources:7$/);
    assert.deepEqual(
      r.packages.map((p) => p.abi),
      ['6.1.0-56'],
    );
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.packages.map((p: { abi: string; suite: string }) => `${p.abi} ${p.suite}`),
      ['6.1.0-47 bookworm', '6.1.0-50 bookworm', '6.1.0-56 bookworm-security'],
    );
  });

  test('--mirror overrides the apt configuration; a suite apt does not list is a clear error', async () => {
    const r = await run({ mirror: `${server.url}/debian/`, aptDir: join(root, 'nowhere'), dryRun: true });
    assert.equal(r.mirror, `${server.url}/debian`);
    await rejects(
      run({ suite: 'trixie' }),
      /lists suite trixie.*pass --mirror URL\n {2}suites configured: bookworm bookworm-updates \(.*debian\.sources:1\)/s,
    );
  });

  test('a corrupt file: an error naming the URL and both hashes, nothing left behind, the others kept', async () => {
    const bad = 'linux-headers-6.1.0-50-amd64';
    server.overrides.set(`/debian/${pool[bad]!.filename}`, corrupt(pool[bad]!.bytes));
    const outDir = out();
    await rejects(
      run({ outDir }),
      new RegExp(
        `1 of 2 downloads failed.*\\n {2}GET ${url(bad)}: SHA256 mismatch: got [0-9a-f]{64}, the index says ${pool[bad]!.sha256}; the file was not kept`,
        's',
      ),
    );
    assert.deepEqual(debs(outDir), ['linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb']);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.packages.map((p: { name: string }) => p.name),
      ['linux-headers-6.1.0-47-amd64'],
    );
  });

  test('HTTP 404 and a connection dropped halfway name the URL; no partial file stays', async () => {
    const [a, b] = ['linux-headers-6.1.0-47-amd64', 'linux-headers-6.1.0-50-amd64'];
    server.overrides.set(`/debian/${pool[a]!.filename}`, status(404));
    server.overrides.set(`/debian/${pool[b]!.filename}`, dropHalfway(pool[b]!.bytes));
    const outDir = out();
    const half = pool[b]!.size >> 1;
    await rejects(
      run({ outDir }),
      new RegExp(
        `GET ${url(a)}: HTTP 404 Not Found\\n.*GET ${url(b)}: connection lost after ${half} bytes`,
        's',
      ),
    );
    assert.deepEqual(debs(outDir), []);
  });

  test('a body that ends early without a length is caught by the index Size', async () => {
    const a = 'linux-headers-6.1.0-47-amd64';
    server.overrides.set(`/debian/${pool[a]!.filename}`, endHalfway(pool[a]!.bytes));
    const outDir = out();
    await rejects(
      run({ outDir, match: /-47-/ }),
      new RegExp(`GET ${url(a)}: truncated: ${pool[a]!.size >> 1} of ${pool[a]!.size} bytes`),
      FetchError,
    );
    assert.deepEqual(debs(outDir), []);
  });

  test('the index: Packages.xz, else Packages.gz, else Packages; none is an error naming the directory', async () => {
    server.overrides.set(`${indexDir}Packages.xz`, status(404));
    assert.equal((await run({ dryRun: true })).indexUrl, `${server.url}${indexDir}Packages.gz`);
    server.overrides.set(`${indexDir}Packages.gz`, status(404));
    const plain = await run({ dryRun: true });
    assert.equal(plain.indexUrl, `${server.url}${indexDir}Packages`);
    assert.equal(plain.packages.length, 2);
    server.overrides.set(`${indexDir}Packages`, status(404));
    await rejects(
      run({ dryRun: true }),
      new RegExp(
        `^${server.url}${indexDir}: no Packages index \\(Packages.xz, Packages.gz, Packages: HTTP 404\\)`,
      ),
      FetchError,
    );
    server.overrides.set(`${indexDir}Packages.xz`, status(500));
    await rejects(run({ dryRun: true }), /Packages.xz: HTTP 500 Internal Server Error$/, FetchError);
  });

  test('a malformed stanza in the index is an error with its URL and line', async () => {
    const text = readFileSync(join(root, indexDir, 'Packages'), 'utf8').replace('Size: ', 'Size ');
    const line = text.slice(0, text.indexOf('Size ')).split('\n').length;
    server.overrides.set(`${indexDir}Packages.xz`, status(404));
    server.overrides.set(`${indexDir}Packages.gz`, status(404));
    server.overrides.set(`${indexDir}Packages`, (_req, res) => res.end(text));
    await rejects(
      run({ dryRun: true }),
      new RegExp(`^${server.url}${indexDir}Packages:${line}: expected "Field: value" \\| Size \\d+$`),
      ArtifactFormatError,
    );
  });

  test('names that would leave the mirror or the output directory are refused', async () => {
    await rejects(run({ suite: '../x', dryRun: true }), /suite "..\/x" is not a Debian suite name/);
    await rejects(run({ flavour: 'amd64/../../x', dryRun: true }), /flavour "amd64\/..\/..\/x" is not/);
    await rejects(
      run({ flavour: 'mystery', dryRun: true }),
      /cannot tell the architecture of flavour mystery; pass --arch/,
    );
    const text = readFileSync(join(root, indexDir, 'Packages'), 'utf8').replace(
      /Filename: pool\/main\/l\/linux\/linux-headers-6\.1\.0-47-amd64_6\.1\.170-3/,
      'Filename: pool/../../etc/linux-headers-6.1.0-47-amd64_6.1.170-3',
    );
    server.overrides.set(`${indexDir}Packages.xz`, (_req, res) => res.end(text));
    await rejects(run({ dryRun: true }), /refusing Filename "pool\/..\/..\/etc\/linux-headers/);
  });

  test('the index size cap', async () => {
    const size = statSync(join(root, indexDir, 'Packages.xz')).size;
    await rejects(
      run({ dryRun: true, maxIndexBytes: 100 }),
      new RegExp(`the server announces ${size} bytes \\(the limit is 100 bytes\\); refusing`),
      FetchError,
    );
  });
});
