import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Stablelist } from '../model/stablelist.js';
import { analyzeCoverage, seriesConsumption } from './coverage.js';

function list(name: string, arch: string | null, symbols: string[]): Stablelist {
  return {
    name,
    arch,
    source: name,
    symbols: new Map(symbols.map((symbol) => [symbol, { symbol, crc: null, module: null }])),
  };
}

function build(crcs: Record<string, number>): KernelBuild {
  const exports = new Map<string, Export>(
    Object.entries(crcs).map(([symbol, crc]) => [
      symbol,
      { symbol, crc, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' },
    ]),
  );
  return { source: 'k', format: 'module-symvers', labels: {}, exports, warnings: [] };
}

function mod(name: string, imports: [string, number][], extra: Partial<ModuleImage> = {}): ModuleImage {
  return {
    ...{ source: `${name}.ko`, name, path: null, modinfo: [], vermagic: null, license: 'GPL', depends: [] },
    ...{ importNs: [], srcversion: null, modversions: 'versions', exports: [], hasBtf: false },
    imports: imports.map(([symbol, crc]) => ({ symbol, crc })),
    elf: { class: 64, endian: 'little', machine: 62 },
    ...extra,
  };
}

const arm = { class: 64 as const, endian: 'little' as const, machine: 183 };

describe('analyzeCoverage', () => {
  it('an empty corpus consumes nothing', () => {
    const r = analyzeCoverage([], [list('l', null, ['a'])]);
    assert.deepEqual(r.modules, []);
    assert.deepEqual(r.unprotected, []);
    assert.equal(r.stats.consumed, 0);
    assert.equal(r.stats.stable, 1);
    assert.equal(r.stats.kernelExports, null);
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
});
