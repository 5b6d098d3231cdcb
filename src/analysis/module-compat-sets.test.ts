// Modules installed together, read from ELF bytes built here (test/helpers/elf-builder.ts): they resolve
// each other's exports and `depends` as modprobe installs them, and same-name modules that differ (another
// package, another kernel) are never merged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KmodExport, kmodElf } from '../../test/helpers/elf-builder.js';
import type { Export } from '../model/export.js';
import type { ModuleImage, ModulePackage } from '../model/module-image.js';
// biome-ignore lint/style/noRestrictedImports: this test judges modules read from ELF bytes it builds
import { parseModuleImage } from '../readers/module/module-image.js';
import { compatSeries } from './compat-series.js';
import { type CompatTarget, installGroups, moduleVerdicts } from './module-compat.js';

const magic = (release: string) => `${release} SMP preempt mod_unload modversions `;

function ko(o: {
  name: string;
  release?: string;
  license?: string;
  depends?: string[];
  importNs?: string[];
  imports: [number, string][];
  exports?: KmodExport[];
  package?: ModulePackage;
}): ModuleImage {
  const modinfo = [
    `license=${o.license ?? 'GPL'}`,
    `name=${o.name}`,
    `depends=${(o.depends ?? []).join(',')}`,
    ...(o.importNs ?? []).map((ns) => `import_ns=${ns}`),
    `vermagic=${magic(o.release ?? '6.1.0-47-amd64')}`,
  ];
  const bytes = kmodElf({ modinfo, versions: o.imports, exports: o.exports });
  const m = parseModuleImage(bytes, { source: `${o.release ?? '47'}/${o.name}.ko` });
  return o.package ? { ...m, package: o.package } : m;
}

function kernel(name: string, exports: [string, number, string?][]): CompatTarget {
  const map = new Map<string, Export>();
  for (const [symbol, crc, module = 'vmlinux'] of exports)
    map.set(symbol, { symbol, crc, module, exportType: 'EXPORT_SYMBOL', namespace: '' });
  return {
    name,
    build: { source: name, format: 'module-symvers', labels: {}, exports: map, warnings: [] },
    vermagic: null,
    modules: new Set(['videodev']),
  };
}

const K = kernel('6.1.0-56', [
  ['printk', 1],
  ['kfree', 2],
  ['video_register', 3, 'drivers/media/v4l2-core/videodev'],
]);

const depA = (o: { exports?: KmodExport[]; imports?: [number, string][] } = {}) =>
  ko({
    name: 'dep_a',
    imports: o.imports ?? [[1, 'printk']],
    exports: o.exports ?? [{ symbol: 'dep_a_value', crc: 0x1234 }],
  });
const depB = (o: { wants?: number; license?: string; importNs?: string[] } = {}) =>
  ko({
    name: 'dep_b',
    license: o.license,
    importNs: o.importNs,
    depends: ['dep_a'],
    imports: [
      [2, 'kfree'],
      [o.wants ?? 0x1234, 'dep_a_value'],
    ],
  });

const messages = (v: { reasons: { message: string }[] }) => v.reasons.map((r) => r.message);

describe('modules installed together', () => {
  it('dep_b resolves dep_a_value from dep_a, given with it, in depends order', () => {
    const [a, b] = moduleVerdicts([depA(), depB()], K);
    assert.deepEqual([a!.loads, b!.loads], [true, true], messages(b!).join('\n'));
    const alone = moduleVerdicts([depB()], K)[0]!;
    assert.deepEqual(
      alone.reasons.map((r) => r.code),
      ['dependency-missing', 'missing-symbol'],
    );
    assert.match(
      alone.reasons[0]!.message,
      /^modprobe: FATAL: Module dep_a not found \(needed by dep_b\): neither the kernel nor the modules installed with it have it$/,
    );
  });

  it("checks the sibling's export as the kernel's: CRC, GPL-only, namespace", () => {
    const crc = moduleVerdicts([depA(), depB({ wants: 0x9999 })], K)[1]!;
    assert.deepEqual(messages(crc), [
      'dep_b: disagrees about version of symbol dep_a_value (0x00009999 vs 0x00001234)',
    ]);
    const gplOnly = depA({ exports: [{ symbol: 'dep_a_value', crc: 0x1234, gpl: true }] });
    assert.deepEqual(
      moduleVerdicts([gplOnly, depB({ license: 'Proprietary' })], K)[1]!.reasons.map((r) => r.code),
      ['gpl-only'],
    );
    const spaced = depA({ exports: [{ symbol: 'dep_a_value', crc: 0x1234, namespace: 'DEP_A' }] });
    assert.deepEqual(
      moduleVerdicts([spaced, depB()], K)[1]!.reasons.map((r) => `${r.code}:${r.namespace}`),
      ['namespace-not-imported:DEP_A'],
    );
    assert.equal(moduleVerdicts([spaced, depB({ importNs: ['DEP_A'] })], K)[1]!.loads, true);
  });

  it('a dependency that does not load fails its user with that reason', () => {
    const [a, b] = moduleVerdicts([depA({ imports: [[7, 'gone']] }), depB()], K);
    assert.equal(a!.loads, false);
    assert.deepEqual(messages(b!), [
      'dep_b: needs dep_a, which does not load on 6.1.0-56: dep_a: Unknown symbol gone (err -2)',
    ]);
  });

  it('a dependency cycle fails both, naming the cycle', () => {
    const x = ko({ name: 'x', depends: ['y'], imports: [[1, 'printk']] });
    const y = ko({ name: 'y', depends: ['x'], imports: [[1, 'printk']] });
    const [vx, vy] = moduleVerdicts([x, y], K);
    assert.deepEqual([vx!.loads, vy!.loads], [false, false]);
    assert.match(messages(vy!).join('\n'), /^x → y → x: dependency cycle$/m);
    assert.match(messages(vx!).join('\n'), /^x: needs y, which does not load on 6\.1\.0-56: x → y → x/m);
  });

  it('two same-name modules built for different kernels are two installs, never merged', () => {
    const old = ko({ name: 'dep_a', release: '6.1.0-47-amd64', imports: [[9, 'printk']] });
    const now = ko({
      name: 'dep_a',
      release: '6.1.0-56-amd64',
      imports: [[1, 'printk']],
      exports: [{ symbol: 'dep_a_value', crc: 0x1234 }],
    });
    const user = ko({
      name: 'dep_b',
      release: '6.1.0-56-amd64',
      depends: ['dep_a'],
      imports: [[0x1234, 'dep_a_value']],
    });
    assert.equal(installGroups([old, now, user]).length, 2);
    const vs = moduleVerdicts([old, now, user], K);
    assert.deepEqual(
      vs.map((v) => [v.module, v.builtFor, v.loads]),
      [
        ['dep_a', '6.1.0-47-amd64', false],
        ['dep_a', '6.1.0-56-amd64', true],
        ['dep_b', '6.1.0-56-amd64', true],
      ],
    );
    // Same name, same kernel, two packages: two installs, told apart by where they came from.
    const p = (name: string) => ({ ...depA(), package: { name, version: '1.0' } });
    const [one, two] = moduleVerdicts([p('pkg-one'), p('pkg-two')], K);
    assert.deepEqual([one!.from, two!.from], ['pkg-one 1.0', 'pkg-two 1.0']);
  });

  it("without the kernel's modules, an in-tree dependency and its exports are missing", () => {
    const v4l2 = ko({ name: 'loop', depends: ['videodev'], imports: [[3, 'video_register']] });
    assert.equal(moduleVerdicts([v4l2], K)[0]!.loads, true);
    const bare = moduleVerdicts([v4l2], K, { kernelModules: false })[0]!;
    assert.deepEqual(
      bare.reasons.map((r) => r.code),
      ['dependency-missing', 'missing-symbol'],
    );
    assert.match(bare.reasons[0]!.message, /the kernel's own modules left out/);
  });
});

describe('rebuilds across a series', () => {
  const pkg = { name: 'dep-pair-1.0', version: null };
  const pair = [
    { ...depA(), package: pkg },
    { ...depB(), package: pkg },
  ];
  // kfree changes its CRC on the second build; the third has the same exports as the second.
  const k1 = kernel('k1', [
    ['printk', 1],
    ['kfree', 2],
  ]);
  const k2 = kernel('k2', [
    ['printk', 1],
    ['kfree', 5],
  ]);
  const k3 = kernel('k3', [
    ['printk', 1],
    ['kfree', 5],
  ]);

  it('a package is rebuilt as a whole where a module breaks; a dependent module needs one with it', () => {
    const s = compatSeries(pair, [k1, k2, k3]);
    assert.deepEqual(s.failing, [0, 1, 1], 'dep_b, as built, fails on k2 and k3');
    assert.deepEqual(
      s.modules.map((m) => m.rebuilds.map((r) => r.kernel)),
      [[], ['k2']],
    );
    assert.deepEqual(s.packages, [
      {
        package: 'dep-pair-1.0',
        builtFor: '6.1.0-47-amd64',
        modules: ['dep_a', 'dep_b'],
        survives: ['k1', 'k3'],
        rebuilds: [{ kernel: 'k2', modules: ['dep_b'], symbols: ['kfree'], unfixable: [] }],
      },
    ]);
    assert.deepEqual([s.totalRebuilds, s.packageRebuilds], [1, 1]);
  });

  it('a module whose dependency breaks needs a rebuild with it, once, not on every build', () => {
    const k2a = kernel('k2', [
      ['printk', 4],
      ['kfree', 2],
    ]);
    const k3a = kernel('k3', [
      ['printk', 4],
      ['kfree', 2],
    ]);
    const s = compatSeries(pair, [k1, k2a, k3a]);
    assert.deepEqual(
      s.modules.map((m) => m.rebuilds.map((r) => r.kernel)),
      [['k2'], ['k2']],
    );
    assert.match(
      s.modules[1]!.verdicts[1]!.reasons[0]!.message,
      /^dep_b: needs dep_a, which does not load on k2/,
    );
    assert.deepEqual(s.packages[0]!.survives, ['k1', 'k3']);
  });
});
