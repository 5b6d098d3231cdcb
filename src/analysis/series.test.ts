import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { diffExports } from './exports-diff.js';
import {
  abiEpochs,
  changeStats,
  compareBuildStats,
  seriesDrift,
  seriesReport,
  seriesSteps,
  streamDrift,
} from './series.js';
import { crcDigest } from './summary.js';

type Row = [
  symbol: string,
  crc: number | null,
  module?: string | null,
  type?: string | null,
  ns?: string | null,
];

function ex([symbol, crc, module = 'vmlinux', type = 'EXPORT_SYMBOL', ns = '']: Row): Export {
  return { symbol, crc, module, exportType: type as Export['exportType'], namespace: ns };
}

function kb(source: string, rows: Row[], labels: Record<string, string> = {}): KernelBuild {
  return {
    source,
    format: 'module-symvers',
    labels: { release: source, ...labels },
    exports: new Map(rows.map((r) => [r[0], ex(r)])),
    warnings: [],
  };
}

const v1 = kb('v1', [
  ['a', 1],
  ['b', 2],
  ['c', 3],
  ['d', 4],
]);
// b: crc changed and moved (one symbol, two kinds); c: GPL tightened; d removed; e added.
const v2 = kb('v2', [
  ['a', 1],
  ['b', 9, 'drivers/x'],
  ['c', 3, 'vmlinux', 'EXPORT_SYMBOL_GPL'],
  ['e', 5],
]);
const v3 = kb('v3', [
  ['a', 1],
  ['b', 9, 'drivers/x'],
  ['c', 3, 'vmlinux', 'EXPORT_SYMBOL_GPL', 'NS'],
  ['e', 5],
]);

describe('seriesSteps', () => {
  it('counts each kind, and each changed old export once in the share', () => {
    const [s] = seriesSteps([v1, v2]);
    assert.ok(s);
    assert.deepEqual(
      { ...s },
      {
        from: 0,
        to: 1,
        added: 1,
        removed: 1,
        crcChanged: 1,
        exportTypeChanged: 1,
        namespaceChanged: 0,
        moved: 1,
        changes: 5,
        symbols: 4,
        breaking: 3,
        share: 3 / 4,
      },
    );
  });

  it('has no step for an empty series or a single build', () => {
    assert.deepEqual(seriesSteps([]), []);
    assert.deepEqual(seriesSteps([v1]), []);
  });

  it('gives no share when the old build exports nothing', () => {
    const [s] = seriesSteps([kb('empty', []), v1]);
    assert.equal(s?.share, null);
    assert.equal(s?.added, 4);
  });
});

describe('compareBuildStats', () => {
  it('equals counting diffExports, including fields one side does not know', () => {
    const rpm = kb('rpm', [
      ['a', 1, null, null, null],
      ['b', 7, null, null, null],
      ['z', null, null, null, null],
    ]);
    const pairs: [KernelBuild, KernelBuild][] = [
      [v1, v2],
      [v2, v1],
      [v2, v3],
      [v3, v1],
      [v1, rpm],
      [rpm, v3],
      [v1, v1],
    ];
    for (const [a, b] of pairs) {
      assert.deepEqual(
        compareBuildStats(a, b),
        changeStats(a.exports.size, diffExports(a, b)),
        `${a.source} → ${b.source}`,
      );
    }
  });
});

describe('seriesDrift', () => {
  it('compares every build with the baseline', () => {
    const d = seriesDrift([v1, v2, v3]);
    assert.equal(d.baseline, 0);
    assert.deepEqual(
      d.points.map((p) => [p.build, p.changes, p.namespaceChanged]),
      [
        [0, 0, 0],
        [1, 5, 0],
        [2, 6, 1],
      ],
    );
    const back = seriesDrift([v1, v2, v3], 2);
    assert.equal(back.points[2]?.changes, 0);
    assert.equal(back.points[0]?.added, 1); // d, seen from v3
  });

  it('is empty for an empty series and refuses a baseline outside the series', () => {
    assert.deepEqual(seriesDrift([]).points, []);
    assert.throws(() => seriesDrift([v1], 1), /baseline 1 is not a build of the series/);
  });
});

describe('abiEpochs', () => {
  it('groups consecutive builds with the same symbol and CRC set, ignoring other fields', () => {
    // v2 → v3 changes only a namespace: modversions do not see it, so one epoch.
    const d = (x: KernelBuild, date: string) => ({ ...x, labels: { ...x.labels, date } });
    const e = abiEpochs([d(v1, '2025-01-01'), d(v2, '2025-01-11'), d(v3, '2025-02-01'), d(v1, '2025-03-01')]);
    assert.deepEqual(
      e.map((x) => [x.first, x.last, x.builds, x.days, x.ongoing]),
      [
        [0, 0, 1, 10, false],
        [1, 2, 2, 49, false],
        [3, 3, 1, 0, true],
      ],
    );
    assert.equal(e[1]?.digest, crcDigest(v2));
    // The same set again later is a new epoch: the ABI went back, it did not stay.
    assert.equal(e[0]?.digest, e[2]?.digest);
  });

  it('has null days without dates, and no epochs for an empty series', () => {
    assert.deepEqual(
      abiEpochs([v1, v2]).map((x) => x.days),
      [null, null],
    );
    assert.deepEqual(abiEpochs([]), []);
  });
});

describe('seriesReport', () => {
  it('orders, then bundles steps, drift and epochs with the ordering used', () => {
    const r = seriesReport([
      { ...v2, labels: { release: 'v2', version: '2.0' } },
      { ...v1, labels: { release: 'v1', version: '1.0' } },
    ]);
    assert.deepEqual(r.ordering, { label: 'version', method: 'debian-version', requested: false });
    assert.deepEqual(
      r.builds.map((b) => [b.index, b.name, b.exports]),
      [
        [0, 'v1', 4],
        [1, 'v2', 4],
      ],
    );
    assert.equal(r.steps[0]?.crcChanged, 1);
    assert.equal(r.drift.points.length, 2);
    assert.equal(r.epochs.length, 2);
  });

  it('handles one build, and refuses no builds', () => {
    const one = seriesReport([v1]);
    assert.deepEqual([one.steps.length, one.drift.points.length, one.epochs.length], [0, 1, 1]);
    assert.throws(() => seriesReport([]), {
      name: 'NothingToJudgeError',
      message: /^the series: no kernel builds/,
    });
  });
});

describe('streamDrift', () => {
  const at = (x: KernelBuild, date: string) => ({ ...x, labels: { ...x.labels, date } });

  it('pairs the newest build of each stream on every date, and finds the days without difference', () => {
    // A: v1 (Jan 1), v2 (Jan 20). B: v1 (Jan 5), v2 (Jan 25), v3 (Feb 1).
    const d = streamDrift(
      [at(v2, '2025-01-20'), at(v1, '2025-01-01')],
      [at(v1, '2025-01-05'), at(v2, '2025-01-25'), at(v3, '2025-02-01')],
      { names: ['stable', 'backports'] },
    );
    assert.deepEqual(
      d.points.map((p) => [p.date, p.a, p.b, p.stats?.changes ?? null, p.zero, p.days]),
      [
        ['2025-01-01', 0, null, null, false, 4],
        ['2025-01-05', 0, 0, 0, true, 15],
        ['2025-01-20', 1, 0, 5, false, 5],
        ['2025-01-25', 1, 1, 0, true, 7],
        ['2025-02-01', 1, 2, 1, false, 1],
      ],
    );
    assert.deepEqual(d.zeroRanges, [
      { from: '2025-01-05', to: '2025-01-19', days: 15 },
      { from: '2025-01-25', to: '2025-01-31', days: 7 },
    ]);
    assert.equal(d.zeroDays, 22);
    assert.equal(d.observedDays, 32);
    assert.equal(d.a.name, 'stable');
    assert.equal(d.points[2]?.stats?.added, 1); // diff(A, B): d is exported by B's v1, not by A's v2
  });

  it('merges consecutive zero dates into one range, and refuses undated builds', () => {
    const d = streamDrift([at(v1, '2025-01-01'), at(v1, '2025-01-03')], [at(v1, '2025-01-02')]);
    assert.deepEqual(d.zeroRanges, [{ from: '2025-01-02', to: '2025-01-03', days: 2 }]);
    assert.throws(() => streamDrift([v1], [at(v1, '2025-01-01')]), /v1 has no date label/);
    assert.throws(
      () => streamDrift([v1], [], { names: ['a', 'b'] }),
      /^NothingToJudgeError: b: no kernel builds/,
    );
  });
});
