import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { ExportIdSeries } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { type CompatTarget, moduleVerdicts } from './module-compat.js';
import { kernelBuildsOfRows, RowsExports } from './module-compat-builds.js';
import {
  compactReasons,
  distinctReasonSymbols,
  reasonAt,
  reasonCount,
  reasonSymbols,
} from './module-compat-reasons.js';

const VERMAGIC = '6.1.0-47-amd64 SMP preempt mod_unload modversions ';

const EXPORTS: Export[] = [
  { symbol: 'a_gpl', crc: 5, module: 'vmlinux', exportType: 'EXPORT_SYMBOL_GPL', namespace: null },
  { symbol: 'b_crc', crc: 7, module: 'drivers/b', exportType: 'EXPORT_SYMBOL', namespace: null },
  { symbol: 'c_ns', crc: 9, module: 'drivers/c', exportType: 'EXPORT_SYMBOL', namespace: 'NS' },
  { symbol: 'module_layout', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: null },
];

const target = (exports: ReadonlyMap<string, Export>): CompatTarget => {
  const build: KernelBuild = { source: 'k', format: 'module-symvers', labels: {}, exports, warnings: [] };
  return { name: 'k', build, vermagic: VERMAGIC, modules: new Set() };
};

const mod = (over: Partial<ModuleImage> = {}): ModuleImage => ({
  source: 'm.ko',
  name: 'm',
  path: null,
  modinfo: [],
  vermagic: VERMAGIC,
  license: 'Proprietary',
  depends: [],
  importNs: [],
  srcversion: null,
  // module_layout of another CRC: the loader stops there, the imports after it also fail.
  imports: [
    { symbol: 'module_layout', crc: 2 },
    { symbol: 'a_gpl', crc: 5 },
    { symbol: 'b_crc', crc: 8 },
    { symbol: 'c_ns', crc: 9 },
    { symbol: 'gone', crc: 3 },
  ],
  modversions: 'versions',
  exports: [],
  hasBtf: false,
  elf: { class: 64, endian: 'little', machine: 62 },
  ...over,
});

const judged = (): Verdict => moduleVerdicts([mod()], target(new Map(EXPORTS.map((e) => [e.symbol, e]))))[0]!;

describe('compact reasons', () => {
  it('are made, on reading, as the loader words them, in its order, with alsoFails past the stop', () => {
    const v = judged();
    assert.ok(compactReasons(v), 'the import reasons are kept compact until read');
    assert.deepEqual(
      v.reasons.map((r) => `${r.code}${r.alsoFails ? '+' : ''}:${r.symbol}`),
      [
        'module-layout:module_layout',
        'gpl-only+:a_gpl',
        'crc-mismatch+:b_crc',
        'namespace-not-imported+:c_ns',
        'missing-symbol+:gone',
      ],
    );
    assert.deepEqual(v.reasons[2], {
      code: 'crc-mismatch',
      symbol: 'b_crc',
      module: 'drivers/b',
      wanted: 8,
      offered: 7,
      message: 'm: disagrees about version of symbol b_crc (0x00000008 vs 0x00000007)',
      alsoFails: true,
    });
    assert.equal(compactReasons(v), undefined, 'once read, the verdict holds its reasons');
  });

  it('count, first reason and symbols agree with the reasons made whole, without making them', () => {
    const lazy = judged();
    const whole = judged().reasons;
    assert.equal(reasonCount(lazy), whole.length);
    assert.deepEqual(reasonAt(lazy, 0), whole[0]);
    assert.deepEqual(reasonAt(lazy, 4), whole[4]);
    assert.deepEqual(
      reasonSymbols(lazy),
      whole.map((r) => r.symbol),
    );
    assert.ok(compactReasons(lazy), 'still compact');
  });

  it('distinct symbols, sorted: as the reasons made whole name them, compact or not, asked again or not', () => {
    // Imports out of name order, one twice, module_layout (an object reason) among them.
    const m = mod({
      imports: [
        { symbol: 'zeta', crc: 4 },
        { symbol: 'b_crc', crc: 8 },
        { symbol: 'gone', crc: 3 },
        { symbol: 'module_layout', crc: 2 },
        { symbol: 'a_gpl', crc: 5 },
        { symbol: 'b_crc', crc: 8 },
        { symbol: 'c_ns', crc: 9 },
      ],
    });
    const kernel = target(new Map(EXPORTS.map((e) => [e.symbol, e])));
    const verdict = () => moduleVerdicts([m], kernel)[0]!;
    const whole = verdict().reasons.flatMap((r) => (r.symbol ? [r.symbol] : []));
    const expected = [...new Set(whole)].sort();
    assert.deepEqual(expected, ['a_gpl', 'b_crc', 'c_ns', 'gone', 'module_layout', 'zeta']);
    const lazy = verdict();
    assert.deepEqual(distinctReasonSymbols(lazy), expected);
    assert.deepEqual(distinctReasonSymbols(lazy), expected, 'the same when asked again');
    assert.ok(compactReasons(lazy), 'still compact');
    const read = verdict();
    assert.equal(read.reasons.length, whole.length);
    assert.deepEqual(distinctReasonSymbols(read), expected);
  });

  it('a verdict keeps its key order and JSON, spreads whole, and takes new reasons', () => {
    const v = judged();
    assert.deepEqual(Object.keys(v), [
      'module',
      'from',
      'builtFor',
      'source',
      'kernel',
      'loads',
      'reasons',
      'notes',
      'taints',
      'dependsOn',
    ]);
    const json = JSON.stringify(judged());
    assert.equal(JSON.parse(json).reasons.length, 5);
    assert.equal(JSON.stringify({ ...judged() }), json);
    v.reasons = [];
    assert.equal(reasonCount(v), 0);
    assert.deepEqual(v.reasons, []);
  });
});

describe('stored builds as rows (kernelBuildsOfRows)', () => {
  // Two builds over one table of three tuples, rows in symbol-rank order: b_crc of two CRCs.
  const names = ['a_gpl', 'b_crc'];
  const series: ExportIdSeries = {
    builds: [
      {
        source: 'one',
        format: 'module-symvers',
        labels: { id: '1' },
        warnings: [],
        rows: Uint32Array.of(0, 1),
      },
      {
        source: 'two',
        format: 'module-symvers',
        labels: { id: '2' },
        warnings: [],
        rows: Uint32Array.of(0, 2),
      },
    ],
    rows: {
      symbol: Uint32Array.of(0, 1, 1),
      crc: Uint32Array.of(5, 7, 8),
      hasCrc: Uint8Array.of(1, 1, 1),
      module: Uint32Array.of(0, 0, 0),
      exportType: Uint8Array.of(0, 0, 0),
      namespace: Int32Array.of(-1, -1, -1),
      symbolName: (rank) => names[rank]!,
      exportOf: (row) => ({
        symbol: names[[0, 1, 1][row]!]!,
        crc: [5, 7, 8][row]!,
        module: null,
        exportType: null,
        namespace: null,
      }),
    },
  };

  it('answers get, has, size and iteration as a Map would, one Export object per tuple', () => {
    const [one, two] = kernelBuildsOfRows(series) as [KernelBuild, KernelBuild];
    assert.ok(one.exports instanceof RowsExports);
    assert.equal(one.exports.size, 2);
    assert.equal(one.exports.get('b_crc')?.crc, 7);
    assert.equal(two.exports.get('b_crc')?.crc, 8);
    assert.equal(one.exports.get('zzz'), undefined);
    assert.equal(one.exports.has('a_gpl'), true);
    assert.equal(one.exports.has('zzz'), false);
    assert.equal(
      one.exports.get('a_gpl'),
      two.exports.get('a_gpl'),
      'a tuple both builds have is one object',
    );
    assert.deepEqual([...one.exports.keys()], ['a_gpl', 'b_crc']);
    assert.deepEqual(
      [...two.exports.values()].map((e) => e.crc),
      [5, 8],
    );
  });

  it('judges as the same build held in a Map', () => {
    const [one] = kernelBuildsOfRows(series) as [KernelBuild];
    const m = mod({
      imports: [
        { symbol: 'b_crc', crc: 8 },
        { symbol: 'gone', crc: 1 },
      ],
      license: 'GPL',
    });
    const rows = moduleVerdicts([m], target(one.exports))[0]!;
    const map = moduleVerdicts([m], target(new Map(one.exports)))[0]!;
    assert.deepEqual(rows, map);
    assert.deepEqual(
      rows.reasons.map((r) => r.code),
      ['crc-mismatch', 'missing-symbol'],
    );
  });
});

describe('the kernel view of stored rows (module-compat-symbols.ts)', () => {
  // One build of six tuples that take every way of the view: plain, GPL-only, by a module, namespaced, no
  // CRC, a CRC of 0. Judged from the rows (typed columns) and from the same Exports in a Map: the same.
  const names = ['a_plain', 'b_gpl', 'c_mod', 'd_ns', 'e_nocrc', 'f_zero', 'NS', 'drivers/c'];
  const tuples: Export[] = [
    { symbol: 'a_plain', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: null },
    { symbol: 'b_gpl', crc: 2, module: 'vmlinux', exportType: 'EXPORT_SYMBOL_GPL', namespace: null },
    { symbol: 'c_mod', crc: 3, module: 'drivers/c', exportType: 'EXPORT_SYMBOL', namespace: null },
    { symbol: 'd_ns', crc: 4, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: 'NS' },
    { symbol: 'e_nocrc', crc: null, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: null },
    { symbol: 'f_zero', crc: 0, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: null },
  ];
  const series: ExportIdSeries = {
    builds: [
      {
        source: 'k',
        format: 'module-symvers',
        labels: { id: '1' },
        warnings: [],
        rows: Uint32Array.of(0, 1, 2, 3, 4, 5),
      },
    ],
    rows: {
      symbol: Uint32Array.of(0, 1, 2, 3, 4, 5),
      crc: Uint32Array.from(tuples, (e) => e.crc ?? 0),
      hasCrc: Uint8Array.from(tuples, (e) => (e.crc === null ? 0 : 1)),
      module: Uint32Array.from(tuples, (e) => (e.module === 'drivers/c' ? 7 : 0)),
      exportType: Uint8Array.from(tuples, (e) => (e.exportType === 'EXPORT_SYMBOL_GPL' ? 2 : 1)),
      namespace: Int32Array.from(tuples, (e) => (e.namespace ? 6 : 0)),
      symbolName: (rank) => names[rank]!,
      exportOf: (row) => ({
        ...tuples[row]!,
        module: tuples[row]!.module === 'vmlinux' ? null : tuples[row]!.module,
      }),
    },
  };
  const imports = [
    { symbol: 'a_plain', crc: 9 },
    { symbol: 'b_gpl', crc: 2 },
    { symbol: 'c_mod', crc: 9 },
    { symbol: 'd_ns', crc: 4 },
    { symbol: 'e_nocrc', crc: 5 },
    { symbol: 'f_zero', crc: 5 },
  ];
  const cases: [string, Partial<ModuleImage>, boolean, string[]][] = [
    [
      'GPL, with the kernel’s modules',
      { license: 'GPL' },
      true,
      ['crc-mismatch', 'crc-mismatch', 'namespace-not-imported'],
    ],
    ['proprietary', {}, true, ['crc-mismatch', 'gpl-only', 'crc-mismatch', 'namespace-not-imported']],
    [
      'without the kernel’s modules',
      { license: 'GPL' },
      false,
      ['crc-mismatch', 'missing-symbol', 'namespace-not-imported'],
    ],
    ['importing the namespace', { license: 'GPL', importNs: ['NS'] }, true, ['crc-mismatch', 'crc-mismatch']],
  ];
  for (const [name, over, kernelModules, codes] of cases)
    it(`judges as the Map does: ${name}`, () => {
      const [build] = kernelBuildsOfRows(series) as [KernelBuild];
      const m = mod({ imports, vermagic: VERMAGIC, ...over });
      const options = { kernelModules };
      const rows = moduleVerdicts([m], target(build.exports), options)[0]!;
      const map = moduleVerdicts([m], target(new Map(build.exports)), options)[0]!;
      assert.deepEqual(rows, map);
      assert.deepEqual(
        rows.reasons.map((r) => r.code),
        codes,
      );
      assert.ok(rows.notes.some((n) => n.startsWith('e_nocrc: the kernel has no CRC')));
      assert.ok(rows.notes.some((n) => n.startsWith('f_zero: the kernel has no CRC')));
    });
});
