import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { KabiError, UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import { decodeIdSet, encodeIdSet } from './id-set.js';
import { MIGRATIONS } from './schema.js';
import { openSqliteStore } from './sqlite.js';

const exp = (symbol: string, crc: number | null, extra: Partial<Export> = {}): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
  ...extra,
});

function build(exports: Export[], format: KernelBuild['format'] = 'module-symvers'): KernelBuild {
  return {
    source: 'test',
    format,
    labels: {},
    exports: new Map(exports.map((e) => [e.symbol, e])),
    warnings: ['w1'],
  };
}

const artifact = (sha: string) => ({ sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 });
const dbPath = () => join(mkdtempSync(join(tmpdir(), 'kabi-store-')), 'kabi.db');

describe('id sets', () => {
  it('round-trip sorted ids, large and small, through delta varints', () => {
    const ids = [1, 2, 3, 200, 70000, 70001, 2 ** 31];
    const { blob, count } = encodeIdSet([...ids].reverse());
    assert.deepEqual(decodeIdSet(blob, count), ids);
  });
});

describe('SQLite store', () => {
  it('stores and loads a build exactly, nulls included (RPM provides know no module)', () => {
    const s = openSqliteStore(dbPath());
    const b = build([
      exp('a', 1, { namespace: 'CXL', exportType: 'EXPORT_SYMBOL_GPL' }),
      exp('b', null, { module: null, exportType: null, namespace: null }),
    ]);
    const r = s.ingest({
      kind: 'kernel',
      artifact: artifact('a'),
      build: b,
      labels: { release: 'r1' },
      modules: [],
      builtin: ['ext4'],
    });
    assert.equal(r.created, true);
    const back = s.loadBuild(r.entry.id);
    assert.deepEqual(
      [...back.exports.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : 1)),
      [...b.exports.values()],
    );
    assert.deepEqual(back.warnings, ['w1']);
    assert.deepEqual(s.loadModuleNames(r.entry.id), { modules: [], builtin: ['ext4'] });
    s.close();
  });

  it('is idempotent by artifact and labels; new labels make a new entry sharing the export set', () => {
    const s = openSqliteStore(dbPath());
    const b = build([exp('a', 1), exp('b', 2)]);
    const first = s.ingest({
      kind: 'kernel',
      artifact: artifact('a'),
      build: b,
      labels: { release: 'r1' },
      modules: [],
      builtin: [],
    });
    const again = s.ingest({
      kind: 'kernel',
      artifact: artifact('a'),
      build: b,
      labels: { release: 'r1' },
      modules: [],
      builtin: [],
    });
    assert.equal(again.created, false);
    assert.equal(again.entry.id, first.entry.id);
    const other = s.ingest({
      kind: 'kernel',
      artifact: artifact('a'),
      build: b,
      labels: { release: 'r1', stream: 'b' },
      modules: [],
      builtin: [],
    });
    assert.equal(other.created, true);
    const st = s.stats();
    assert.equal(st.entries, 2);
    assert.equal(st.exportSets, 1);
    assert.equal(st.exports, 2);
    s.close();
  });

  it('shares export tuples between builds: a CRC change adds one tuple', () => {
    const s = openSqliteStore(dbPath());
    s.ingest({
      kind: 'kernel',
      artifact: artifact('a'),
      build: build([exp('a', 1), exp('b', 2)]),
      labels: {},
      modules: [],
      builtin: [],
    });
    s.ingest({
      kind: 'kernel',
      artifact: artifact('b'),
      build: build([exp('a', 1), exp('b', 3)]),
      labels: {},
      modules: [],
      builtin: [],
    });
    assert.equal(s.stats().exports, 3);
    assert.equal(s.stats().exportSets, 2);
    s.close();
  });

  it('resolves refs by id and by label query, and says why a ref is ambiguous or unknown', () => {
    const s = openSqliteStore(dbPath());
    for (const [sha, rel] of [
      ['a', '6.1.0-53-amd64'],
      ['b', '6.1.0-54-amd64'],
    ] as const) {
      s.ingest({
        kind: 'kernel',
        artifact: artifact(sha),
        build: build([exp('a', 1)]),
        labels: { distro: 'debian', release: rel },
        modules: [],
        builtin: [],
      });
    }
    assert.equal(s.resolve('distro=debian,release=6.1.0-54-amd64').id, 2);
    assert.equal(s.resolve('1').labels.release, '6.1.0-53-amd64');
    assert.equal(s.list('release=6.1.0-5*').length, 2);
    assert.equal(s.list('kind=kmod').length, 0);
    assert.throws(
      () => s.resolve('distro=debian'),
      (e: unknown) =>
        e instanceof UsageError && /matches 2 entries: 1 \(6\.1\.0-53-amd64\), 2/.test(e.message),
    );
    assert.throws(() => s.resolve('distro=suse'), /no entry matches "distro=suse"/);
    assert.throws(() => s.resolve('99'), /no entry with id 99/);
    s.remove('1');
    assert.equal(s.list().length, 1);
    s.close();
  });

  it('keeps kmod module images whole: imports, modinfo, exports', () => {
    const s = openSqliteStore(dbPath());
    const m: ModuleImage = {
      source: 'v4l2loopback.ko',
      name: 'v4l2loopback',
      path: null,
      modinfo: [
        { key: 'license', value: 'GPL' },
        { key: 'depends', value: 'videodev,mc' },
        { key: 'import_ns', value: 'DMA_BUF' },
      ],
      vermagic: '6.1.0-47-amd64 SMP preempt mod_unload modversions ',
      license: 'GPL',
      depends: ['videodev', 'mc'],
      importNs: ['DMA_BUF'],
      srcversion: 'ABC',
      imports: [
        { symbol: 'module_layout', crc: 0x160c03af },
        { symbol: 'video_register_device', crc: 1 },
      ],
      modversions: 'versions',
      exports: [exp('v4l2loopback_x', 5, { module: 'v4l2loopback' })],
      hasBtf: false,
      elf: { class: 64, endian: 'little', machine: 62 },
    };
    const r = s.ingest({
      kind: 'kmod',
      artifact: artifact('k'),
      build: build(m.exports),
      labels: { name: 'v4l2loopback' },
      modules: [{ file: m.source, image: m, keepImage: true, sha256: 'm1' }],
      builtin: [],
    });
    const [back] = s.loadModules(r.entry.id);
    assert.deepEqual(back, m);
    s.close();
  });

  it('records its schema version and refuses a store from a newer kabi-tracker', () => {
    const path = dbPath();
    openSqliteStore(path).close();
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(
      () => openSqliteStore(path),
      (e: unknown) => e instanceof KabiError && /is newer than this kabi-tracker knows/.test(e.message),
    );
  });

  it('rolls back a failed ingest completely', () => {
    const s = openSqliteStore(dbPath());
    const bad = build([exp('a', 1)]);
    // A label value that is not a string makes the INSERT fail after the export set was written.
    assert.throws(() =>
      s.ingest({
        kind: 'kernel',
        artifact: artifact('a'),
        build: bad,
        labels: { release: {} as unknown as string },
        modules: [],
        builtin: [],
      }),
    );
    const st = s.stats();
    assert.deepEqual([st.entries, st.exports, st.exportSets], [0, 0, 0]);
    s.close();
  });
});
