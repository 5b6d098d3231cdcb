import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  type Export,
  groupByStream,
  type KernelBuild,
  openSqliteStore,
  type Store,
  seriesReport,
  seriesReportOfIds,
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

// Names SQLite (UTF-8 bytes) and JavaScript (UTF-16 units) order differently: U+1F600 and U+E000.
const ga = [
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
];
const nullCrc = update.map((e) => (e.symbol === 'a' ? { ...e, crc: null } : e));

/** Entries ingested out of version order, in two streams; returns their ids. */
async function stored(store: Store): Promise<number[]> {
  const rows: [string, Export[], Record<string, string>][] = [
    ['3', update, { stream: 's1', version: '3' }],
    ['1', ga, { stream: 's1', version: '1' }],
    ['2', update, { stream: 's1', version: '2' }],
    ['4', nullCrc, { stream: 's1', version: '4' }],
    ['5', update, { stream: 's2', version: '1' }],
    ['6', [], { stream: 's2', version: '2' }],
    ['7', ga, { stream: 's2', version: '3' }],
  ];
  const ids: number[] = [];
  for (const [sha, exports, labels] of rows) {
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

for (const backend of storeBackends())
  describe(`loadExportIds (${backend.name})`, { skip: backend.skip }, () => {
    it('gives the series report loadBuilds gives, per stream and baseline', async () => {
      const store = await backend.open();
      try {
        const ids = await stored(store);
        const { builds, rows } = await store.loadExportIds(ids);
        const full = groupByStream(await store.loadBuilds(ids));
        const light = groupByStream(builds);
        assert.equal(light.length, 2);
        for (const [i, g] of full.entries()) {
          for (const baseline of [0, 1, 2]) {
            const want = seriesReport(g.builds, { baseline });
            const got = seriesReportOfIds({ builds: light[i]!.builds, rows }, { baseline });
            assert.deepEqual(got, want);
          }
        }
        // The cases above do happen: the steps see every kind of change, and the epochs split.
        const s1 = seriesReportOfIds({ builds: light[0]!.builds, rows });
        assert.deepEqual(
          [s1.steps[0]!.crcChanged, s1.steps[0]!.moved, s1.steps[0]!.namespaceChanged, s1.steps[0]!.breaking],
          [1, 1, 1, 3],
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
          () => seriesReportOfIds({ builds: light[0]!.builds, rows }, { baseline: 4 }),
          UsageError,
        );
      } finally {
        await store.close();
      }
    });

    it('makes the Export objects loadBuilds makes, row by row', async () => {
      const store = await backend.open();
      try {
        const ids = await stored(store);
        const { builds, rows } = await store.loadExportIds(ids);
        const full = await store.loadBuilds(ids);
        for (const [i, b] of builds.entries()) {
          const exports = [...b.rows].map((r) => rows.exportOf(r));
          const want = [...full[i]!.exports.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : 1));
          assert.deepEqual(exports, want);
          assert.deepEqual(b.labels, full[i]!.labels);
          assert.equal(b.source, full[i]!.source);
        }
      } finally {
        await store.close();
      }
    });
  });

describe('loadExportIds (sqlite): from the kept export columns and from the export rows', () => {
  /** Each build's exports, as Export objects in row order, and the table's distinct tuples. */
  const read = async (path: string, ids: number[]) => {
    const store = openSqliteStore(path, { readonly: true });
    try {
      const { builds, rows } = await store.loadExportIds(ids);
      const tuples = new Set(Array.from(rows.symbol, (_, r) => JSON.stringify(rows.exportOf(r))));
      return {
        builds: builds.map((b) => ({ ...b, rows: [...b.rows].map((r) => rows.exportOf(r)) })),
        tuples: [...tuples].sort(),
        count: rows.symbol.length,
        ranksAscending: rows.symbol.every((x, r) => r === 0 || rows.symbol[r - 1]! <= x),
      };
    } finally {
      await store.close();
    }
  };

  it('gives the same builds, one row per distinct tuple, rows in symbol order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-export-ids-')), 'kabi.db');
    const store = openSqliteStore(path);
    const ids = await stored(store);
    await store.close();
    const kept = await read(path, ids);
    const db = new Database(path);
    db.exec('DELETE FROM export_columns');
    db.close();
    const fromRows = await read(path, ids);
    assert.deepEqual(kept, fromRows);
    // The tuples the builds share are one row each: every tuple once.
    assert.equal(kept.count, kept.tuples.length);
    assert.equal(kept.ranksAscending, true);
    const distinct = new Set([ga, update, nullCrc].flatMap((list) => list.map((e) => JSON.stringify(e))));
    assert.equal(kept.count, distinct.size);
  });
});
