import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  crcDigest,
  type Export,
  groupByStream,
  type KernelBuild,
  migrateSqliteStore,
  openSqliteStore,
  type Store,
  seriesReport,
  seriesReportOfColumns,
  UsageError,
} from '../../src/index.js';
import { storeBackends } from '../helpers/postgres.js';

const exp = (symbol: string, crc: number | null, extra: Partial<Export> = {}): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
  ...extra,
});

const build = (exports: Export[]): KernelBuild => ({
  source: 'test',
  format: 'module-symvers',
  labels: {},
  exports: new Map(exports.map((e) => [e.symbol, e])),
  warnings: [],
});

// Names SQLite (UTF-8 bytes) and JavaScript (UTF-16 units) order differently (U+1F600, U+E000), and
// names interned in another order than they sort ('zz' first): the kept digest must not depend on either;
// nor on a name holding a character below the tab ('q' and 'q\u0001': sorted lines would order them apart).
const ga = [
  exp('zz', 10),
  exp('q\u0001', 11),
  exp('q', 12),
  exp('a', 1),
  exp('b', null),
  exp('c', 3, { module: null }),
  exp('d', 4, { namespace: 'NS' }),
  exp('e', 5),
  exp('f', 6),
  exp('\u{1F600}x', 7),
  exp('\uE000y', 8),
  exp('Z', 0xffff_ffff),
];
const update = [
  exp('a', 2),
  exp('b', 5),
  exp('c', 3, { module: 'm2' }),
  exp('d', 4),
  exp('e', 5, { exportType: 'EXPORT_SYMBOL_GPL' }),
  exp('g', 9),
  exp('\u{1F600}x', 7, { module: 'other' }),
  exp('\uE000y', 8, { namespace: null }),
  exp('Z', 0xffff_ffff),
  exp('zz', 10, { exportType: null }),
];
const nullCrc = update.map((e) => (e.symbol === 'a' ? { ...e, crc: null } : e));

const BUILDS: [string, Export[], Record<string, string>][] = [
  ['3', update, { stream: 's1', version: '3' }],
  ['1', ga, { stream: 's1', version: '1' }],
  ['2', update, { stream: 's1', version: '2' }],
  ['4', nullCrc, { stream: 's1', version: '4' }],
  ['5', update, { stream: 's2', version: '1' }],
  ['6', [], { stream: 's2', version: '2' }],
  ['7', ga, { stream: 's2', version: '3' }],
];

/** Entries ingested out of version order, in two streams; returns their ids. */
async function stored(store: Store): Promise<number[]> {
  const ids: number[] = [];
  for (const [sha, exports, labels] of BUILDS) {
    const r = await store.ingest({
      kind: 'kernel',
      artifact: { sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 },
      build: build(exports),
      labels,
      modules: [],
      builtin: [],
    });
    ids.push(r.entry.id);
  }
  return ids;
}

const newDb = () => join(mkdtempSync(join(tmpdir(), 'kabi-columns-')), 'kabi.db');

/** Every stream and baseline: the report from columns deep-equals the one from whole builds. */
async function assertSameReports(store: Store, ids: number[]): Promise<void> {
  const full = groupByStream(await store.loadBuilds(ids));
  const light = groupByStream(await store.loadExportColumns(ids));
  assert.equal(light.length, 2);
  for (const [i, g] of full.entries())
    for (const baseline of [0, 1, 2]) {
      if (baseline >= g.builds.length) continue;
      assert.deepEqual(
        seriesReportOfColumns(light[i]!.builds, { baseline }),
        seriesReport(g.builds, { baseline }),
      );
    }
}

describe('loadExportColumns', () => {
  it('gives the series report loadBuilds gives, per stream and baseline, from records kept at ingest', async () => {
    const path = newDb();
    const store = openSqliteStore(path);
    try {
      const ids = await stored(store);
      const db = new Database(path, { readonly: true });
      // One record per distinct export set: builds 2, 3 and 5 share one.
      assert.equal((db.prepare('SELECT count(*) AS n FROM export_columns').get() as { n: number }).n, 4);
      db.close();
      await assertSameReports(store, ids);
      const columns = await store.loadExportColumns(ids);
      const builds = await store.loadBuilds(ids);
      assert.deepEqual(
        columns.map((c) => c.crcDigest),
        builds.map((b) => crcDigest(b)),
      );
      // The comparisons see every kind of change, and the epochs split.
      const s1 = seriesReportOfColumns(groupByStream(columns)[0]!.builds);
      const step = s1.steps[0]!;
      assert.deepEqual(
        [step.crcChanged, step.moved, step.namespaceChanged, step.exportTypeChanged, step.breaking],
        [1, 1, 1, 1, 5],
      );
      assert.deepEqual(
        s1.epochs.map((e) => [e.first, e.last]),
        [
          [0, 0],
          [1, 2],
          [3, 3],
        ],
      );
      assert.throws(
        () => seriesReportOfColumns(groupByStream(columns)[0]!.builds, { baseline: 4 }),
        UsageError,
      );
    } finally {
      await store.close();
    }
  });

  it('reads builds stored without records (before migration 5) from their rows, with the same report', async () => {
    const path = newDb();
    let store = openSqliteStore(path);
    const ids = await stored(store);
    await store.close();
    const db = new Database(path);
    // One build without its record is enough to read them all from the rows.
    db.exec('DELETE FROM export_columns WHERE id_set = (SELECT exports FROM entries WHERE id = 4)');
    db.close();
    store = openSqliteStore(path, { readonly: true });
    try {
      await assertSameReports(store, ids);
    } finally {
      await store.close();
    }
  });

  it('are made for builds stored without them by kabi migrate, byte for byte as ingest makes them', async () => {
    const path = newDb();
    const store = openSqliteStore(path);
    await stored(store);
    await store.close();
    const KEPT =
      'SELECT id_set, count, crc_digest, hex(columns) AS columns FROM export_columns ORDER BY id_set';
    const rows = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(KEPT).all();
      } finally {
        db.close();
      }
    };
    const made = rows();
    assert.equal(made.length, 4);
    const db = new Database(path);
    db.exec('DELETE FROM export_columns');
    db.close();
    assert.deepEqual(migrateSqliteStore(path).filled, { exportColumns: BUILDS.length, loaderFacts: 0 });
    assert.deepEqual(rows(), made);
    assert.deepEqual(migrateSqliteStore(path).filled, { exportColumns: 0, loaderFacts: 0 });
  });

  it('drops a record with the last build of its export set', async () => {
    const path = newDb();
    const store = openSqliteStore(path);
    try {
      const ids = await stored(store);
      const db = new Database(path, { readonly: true });
      const records = () => (db.prepare('SELECT count(*) AS n FROM export_columns').get() as { n: number }).n;
      await store.remove(String(ids[1])); // version 1 of s1: build 7 has the same set
      assert.equal(records(), 4);
      await store.remove(String(ids[6]));
      assert.equal(records(), 3);
      db.close();
    } finally {
      await store.close();
    }
  });
});

for (const backend of storeBackends())
  describe(`loadExportColumns (${backend.name})`, { skip: backend.skip }, () => {
    it("gives the series report loadBuilds gives, and each build's crcDigest, from records kept at ingest", async () => {
      const store = await backend.open();
      try {
        const ids = await stored(store);
        await assertSameReports(store, ids);
        const columns = await store.loadExportColumns(ids);
        assert.deepEqual(
          columns.map((c) => c.crcDigest),
          (await store.loadBuilds(ids)).map((b) => crcDigest(b)),
        );
        const step = seriesReportOfColumns(groupByStream(columns)[0]!.builds).steps[0]!;
        assert.deepEqual(
          [step.crcChanged, step.moved, step.namespaceChanged, step.exportTypeChanged, step.breaking],
          [1, 1, 1, 1, 5],
        );
        // Removing builds keeps the others' answers: a record goes with the last build of its set.
        await store.remove(String(ids[1]));
        await store.remove(String(ids[6]));
        await assertSameReports(
          store,
          ids.filter((_, i) => i !== 1 && i !== 6),
        );
      } finally {
        await store.close();
      }
    });
  });
