import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change } from '../model/change.js';
import type { Export } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import { analyzeImpact, changedSymbolsFromChanges, changedSymbolsFromList, moduleArch } from './impact.js';

function mod(name: string, imports: [string, number][], extra: Partial<ModuleImage> = {}): ModuleImage {
  return {
    source: `${name}.ko`,
    name,
    path: null,
    modinfo: [],
    vermagic: null,
    license: 'GPL',
    depends: [],
    importNs: [],
    srcversion: null,
    imports: imports.map(([symbol, crc]) => ({ symbol, crc })),
    modversions: imports.length ? 'versions' : 'none',
    exports: [],
    hasBtf: false,
    elf: { class: 64, endian: 'little', machine: 62 },
    ...extra,
  };
}

const exp = (symbol: string, crc: number, more: Partial<Export> = {}): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
  ...more,
});

const changes: Change[] = [
  { kind: 'removed', symbol: 'gone', old: exp('gone', 1), new: null, breaking: true },
  { kind: 'crc-changed', symbol: 'kmalloc', old: exp('kmalloc', 2), new: exp('kmalloc', 3), breaking: true },
  {
    kind: 'export-type-changed',
    symbol: 'gpl_now',
    old: exp('gpl_now', 4),
    new: exp('gpl_now', 4, { exportType: 'EXPORT_SYMBOL_GPL' }),
    breaking: true,
  },
  {
    kind: 'namespace-changed',
    symbol: 'in_ns',
    old: exp('in_ns', 5),
    new: exp('in_ns', 5, { namespace: 'FOO' }),
    breaking: true,
  },
  { kind: 'added', symbol: 'new_one', old: null, new: exp('new_one', 6), breaking: false },
];

describe('changed symbols', () => {
  it('keeps breaking changes only, one entry per symbol with its kinds and CRCs', () => {
    const both: Change[] = [
      ...changes,
      {
        kind: 'namespace-changed',
        symbol: 'kmalloc',
        old: exp('kmalloc', 2),
        new: exp('kmalloc', 3, { namespace: 'X' }),
        breaking: true,
      },
    ];
    const s = changedSymbolsFromChanges(both);
    assert.deepEqual(
      s.map((x) => x.symbol),
      ['gone', 'gpl_now', 'in_ns', 'kmalloc'],
    );
    const k = s.find((x) => x.symbol === 'kmalloc')!;
    assert.deepEqual(k.kinds, ['crc-changed', 'namespace-changed']);
    assert.equal(k.oldCrc, 2);
    assert.equal(k.newCrc, 3);
    assert.equal(s[0]!.newCrc, null);
  });

  it('reads a plain list as `listed`, deduplicated', () => {
    assert.deepEqual(
      changedSymbolsFromList(['b', 'a', 'b']).map((x) => [x.symbol, x.kinds]),
      [
        ['a', ['listed']],
        ['b', ['listed']],
      ],
    );
  });
});

describe('analyzeImpact', () => {
  const changed = changedSymbolsFromChanges(changes);

  it('refuses an empty corpus: nothing to judge', () => {
    assert.throws(() => analyzeImpact(changed, []), {
      name: 'NothingToJudgeError',
      message: /^the module corpus: no kernel modules; expected /,
    });
  });

  it('a module with no imports is counted, never affected', () => {
    const r = analyzeImpact(changed, [mod('nomv', [])]);
    assert.equal(r.withoutImports, 1);
    assert.deepEqual(r.affected, []);
    assert.deepEqual(r.byArch, [{ arch: 'x86_64', modules: 1, affected: 0 }]);
  });

  it('ranks modules by changed symbols used and symbols by consumers', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      mod(`m${String(i).padStart(2, '0')}`, [['kmalloc', 2]]),
    );
    const big = mod('big', [
      ['kmalloc', 2],
      ['gone', 1],
      ['unchanged', 9],
    ]);
    const r = analyzeImpact(changed, [...many, big]);
    assert.equal(r.affected[0]!.name, 'big');
    assert.deepEqual(
      r.affected[0]!.uses.map((u) => u.symbol),
      ['gone', 'kmalloc'],
    );
    assert.equal(r.affected[1]!.name, 'm00');
    assert.equal(r.symbols[0]!.symbol, 'kmalloc');
    assert.equal(r.symbols[0]!.consumers.length, 31);
    assert.equal(r.symbols[1]!.symbol, 'gone');
    assert.equal(r.unused, 2);
    assert.equal(r.affected[0]!.uses[1]!.importCrc, 2);
  });

  it('GPL tightening spares GPL modules; a new namespace spares modules that import it', () => {
    const gpl = mod(
      'gpl',
      [
        ['gpl_now', 4],
        ['in_ns', 5],
      ],
      { importNs: ['FOO'] },
    );
    const prop = mod(
      'prop',
      [
        ['gpl_now', 4],
        ['in_ns', 5],
      ],
      { license: 'Proprietary' },
    );
    const r = analyzeImpact(changed, [gpl, prop]);
    assert.deepEqual(
      r.affected.map((m) => m.name),
      ['prop'],
    );
    assert.equal(r.affected[0]!.uses.length, 2);
  });

  it('groups by ELF machine', () => {
    const arm = mod('arm', [['kmalloc', 2]], { elf: { class: 64, endian: 'little', machine: 183 } });
    const r = analyzeImpact(changed, [arm, mod('x', [])]);
    assert.deepEqual(r.byArch, [
      { arch: 'aarch64', modules: 1, affected: 1 },
      { arch: 'x86_64', modules: 1, affected: 0 },
    ]);
    assert.equal(moduleArch({ class: 64, endian: 'little', machine: 21 }), 'ppc64le');
    assert.equal(moduleArch({ class: 64, endian: 'big', machine: 22 }), 's390x');
    assert.equal(moduleArch({ class: 32, endian: 'little', machine: 9999 }), 'elf-machine-9999');
  });
});
