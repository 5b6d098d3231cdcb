import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleImage, symversBuild } from '../../test/helpers/builds.js';
import { NothingToJudgeError } from '../errors.js';
import type { Stablelist } from '../model/stablelist.js';
import { analyzeCoverage, crcChanges, seriesConsumption } from './coverage.js';

function list(name: string, arch: string | null, symbols: string[]): Stablelist {
  return {
    name,
    arch,
    source: name,
    symbols: new Map(symbols.map((symbol) => [symbol, { symbol, crc: null, module: null }])),
  };
}

const build = (crcs: Record<string, number>, source = 'k') =>
  symversBuild(
    source,
    {},
    Object.entries(crcs).map(([symbol, crc]) => ({ symbol, crc })),
  );
const mod = moduleImage;

const arm = { class: 64 as const, endian: 'little' as const, machine: 183 };

describe('analyzeCoverage', () => {
  it('refuses an empty corpus, a kernel of no exports and a series of no builds: nothing to judge', () => {
    const lists = [list('l', null, ['a'])];
    assert.throws(() => analyzeCoverage([], lists), NothingToJudgeError);
    const m = mod('x', [['a', 1]]);
    const empty = symversBuild('e', {}, []);
    assert.throws(
      () => analyzeCoverage([m], lists, { kernel: empty }),
      /^NothingToJudgeError: e: no exports/,
    );
    assert.throws(() => analyzeCoverage([m], lists, { series: [] }), /the series: no kernel builds/);
  });

  it('shares per module, a list applies to its own arch only, modules without imports last', () => {
    const corpus = [
      mod('x', [
        ['a', 1],
        ['b', 1],
        ['c', 1],
        ['d', 1],
      ]),
      mod('y', [
        ['a', 1],
        ['arm_only', 1],
      ]),
      mod('z', [['arm_only', 1]], { elf: arm }),
      mod('none', []),
    ];
    const lists = [list('kabi_stablelist_x86_64', 'x86_64', ['a', 'b']), list('arm', 'arm64', ['arm_only'])];
    const r = analyzeCoverage(corpus, lists);
    assert.deepEqual(
      r.modules.map((m) => [m.name, m.imports, m.protected, m.share]),
      [
        ['x', 4, 2, 0.5],
        ['y', 2, 1, 0.5],
        ['z', 1, 1, 1],
        ['none', 0, 0, null],
      ],
    );
    assert.deepEqual(r.modules[1]!.unprotected, ['arm_only']);
    assert.deepEqual(
      r.unprotected.map((u) => [u.symbol, u.consumers.map((c) => c.name)]),
      [
        ['arm_only', ['y']],
        ['c', ['x']],
        ['d', ['x']],
      ],
    );
    assert.equal(r.stats.consumed, 5);
    assert.equal(r.stats.stableConsumed, 3);
    assert.equal(r.stats.withoutImports, 1);
  });

  it('counts a symbol many modules consume once, ranked first', () => {
    const corpus = Array.from({ length: 40 }, (_, i) =>
      mod(`m${i}`, [
        ['popular', 1],
        [`own${i}`, 1],
      ]),
    );
    const r = analyzeCoverage(corpus, [list('l', null, ['other'])]);
    assert.equal(r.unprotected[0]!.symbol, 'popular');
    assert.equal(r.unprotected[0]!.consumers.length, 40);
    assert.equal(r.stats.consumed, 41);
  });

  it('kernel and series statistics', () => {
    const corpus = [
      mod('m', [
        ['same', 1],
        ['crc', 1],
        ['goes', 1],
        ['never', 1],
      ]),
    ];
    const series = [build({ same: 1, crc: 1, goes: 1 }), build({ same: 1, crc: 2 })];
    const r = analyzeCoverage(corpus, [], { kernel: build({ same: 1, crc: 2, extra: 3 }), series });
    assert.equal(r.stats.kernelExports, 3);
    assert.equal(r.stats.consumedExported, 2);
    assert.deepEqual(r.stats.series, { builds: 2, changed: 2, unchanged: 1, absent: 1 });
    assert.deepEqual(seriesConsumption([], ['a']), { builds: 0, changed: 0, unchanged: 0, absent: 1 });
  });

  describe('allowlist candidates', () => {
    // `own` is exported by the corpus's module prov (kmod to kmod), never by the kernel; p is protected.
    const corpus = [
      mod('m1', [
        ['k2', 1],
        ['own', 1],
        ['p', 1],
        ['k1', 1],
      ]),
      mod('m2', [
        ['k2', 1],
        ['own', 1],
      ]),
      mod('prov', [['k1', 1]]),
    ];
    const lists = [list('l', null, ['p'])];
    const series = [
      build({ k1: 1, k2: 1, p: 1 }, 'a'),
      build({ k1: 2, k2: 1, p: 1 }, 'b'),
      build({ k2: 1, p: 1 }, 'c'),
      build({ k1: 3, k2: 1, p: 2 }, 'd'),
    ];
    const byName = (r: ReturnType<typeof analyzeCoverage>) =>
      Object.fromEntries(r.modules.map((m) => [m.name, m.candidates]));

    it('are none without the kernel: another kmod’s symbol cannot be told from a kernel symbol', () => {
      const r = analyzeCoverage(corpus, lists);
      assert.equal(r.candidates, null);
      assert.equal(r.stats.candidates, null);
      assert.deepEqual(byName(r), { m1: null, m2: null, prov: null });
      assert.ok(
        r.unprotected.some((u) => u.symbol === 'own'),
        'still listed as unprotected',
      );
    });

    it('are the unprotected kernel exports, by modules using them, then CRC changes along the series', () => {
      const r = analyzeCoverage(corpus, lists, { series });
      assert.deepEqual(
        r.candidates!.map((c) => [c.symbol, c.consumers.map((m) => m.name), c.crcChanges]),
        [
          ['k1', ['m1', 'prov'], 1],
          ['k2', ['m1', 'm2'], 0],
        ],
      );
      assert.deepEqual(byName(r), { m1: ['k1', 'k2'], m2: ['k2'], prov: ['k1'] });
      assert.equal(r.stats.candidates, 2);
    });

    it('take the exports of --kernel when given; without a series, no CRC changes to rank by', () => {
      const r = analyzeCoverage(corpus, lists, { kernel: build({ k2: 1, p: 1 }) });
      assert.deepEqual(
        r.candidates!.map((c) => [c.symbol, c.crcChanges]),
        [['k2', null]],
      );
      assert.deepEqual(byName(r), { m1: ['k2'], m2: ['k2'], prov: [] });
    });

    it('counts a CRC change between consecutive builds that both export the symbol', () => {
      assert.equal(crcChanges(series, 'k1'), 1, 'a→b changed; absent from c: b→c and c→d not compared');
      assert.equal(crcChanges(series, 'p'), 1);
      assert.equal(crcChanges(series, 'none'), 0);
    });
  });
});
