// compat --series judges a rebuilt install from its CRCs and vermagic as last rebuilt (compat-series-rebuilt.ts).
// Checked here against the plain reading of a rebuild: each module copied with its imports pinned to the
// build's CRCs and the build's vermagic, the copies judged by moduleVerdicts, on random series of kernels
// and installs that use every rule the loader has (depends, cycles, module_layout, vermagic, no
// `__versions`, GPL-only, namespaces, imports without a record, exports of the install, signatures).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export, ExportType } from '../model/export.js';
import type { LoaderProfile } from '../model/loader-profile.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { compatSeries } from './compat-series.js';
import { type CompatTarget, installGroups, moduleVerdicts, type VerdictOptions } from './module-compat.js';

/** mulberry32: a small seeded generator, so that a failing seed can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYMBOLS = Array.from({ length: 24 }, (_, i) => `sym_${i}`);
const magic = (release: string) => `${release} SMP preempt mod_unload modversions `;

function series(r: () => number): CompatTarget[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const crcs = new Map(SYMBOLS.map((s) => [s, 1 + Math.floor(r() * 3)]));
  let layout = 100;
  const out: CompatTarget[] = [];
  const n = 2 + Math.floor(r() * 5);
  for (let k = 0; k < n; k++) {
    const exports = new Map<string, Export>();
    if (r() < 0.8) exports.set('module_layout', exp('module_layout', r() < 0.7 ? layout : ++layout));
    for (const s of SYMBOLS) {
      if (r() < 0.25) crcs.set(s, crcs.get(s)! + 1);
      if (r() < 0.12) continue;
      const crc = r() < 0.06 ? pick([null, 0]) : crcs.get(s)!;
      const type: ExportType = r() < 0.15 ? 'EXPORT_SYMBOL_GPL' : 'EXPORT_SYMBOL';
      const namespace = r() < 0.1 ? 'NS' : null;
      const module = r() < 0.2 ? 'drivers/x/mod_x' : r() < 0.1 ? null : 'vmlinux';
      exports.set(s, { symbol: s, crc, module, exportType: type, namespace });
    }
    const profile: LoaderProfile | null =
      r() < 0.4
        ? null
        : {
            modversions: pick([true, true, true, false, null]),
            forceLoad: pick([true, false, null]),
            sig: pick([true, false, null]),
            sigForce: pick([true, false, null]),
            allowMissingNamespaceImports: pick([true, false, null]),
            vendor: pick(['debian', null] as const),
            source: null,
          };
    out.push({
      name: `k${k}`,
      build: { source: `k${k}`, format: 'module-symvers', labels: {}, exports, warnings: [] },
      vermagic: r() < 0.3 ? null : magic(`6.1.0-${40 + Math.floor(r() * 3)}-amd64`),
      modules: new Set(r() < 0.2 ? [] : ['present', 'mod_x']),
      profile,
    });
  }
  return out;
}

const exp = (symbol: string, crc: number | null): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: null,
});

function modules(r: () => number): ModuleImage[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const out: ModuleImage[] = [];
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const name = pick(names);
    const imports: Import[] = [];
    if (r() < 0.5) imports.push({ symbol: 'module_layout', crc: 100 + Math.floor(r() * 2) });
    for (const s of SYMBOLS) if (r() < 0.25) imports.push({ symbol: s, crc: 1 + Math.floor(r() * 3) });
    if (r() < 0.3) imports.push({ symbol: `own_${pick(names)}`, crc: 7 });
    const depends = names
      .filter(() => r() < 0.15)
      .concat(r() < 0.1 ? ['present'] : r() < 0.05 ? ['absent'] : []);
    const m: ModuleImage = {
      source: `${name}-${i}.ko`,
      name,
      path: null,
      modinfo: r() < 0.8 ? [{ key: 'intree', value: 'Y' }] : [],
      vermagic: r() < 0.1 ? null : magic(`6.1.0-${40 + Math.floor(r() * 2)}-amd64`),
      license: r() < 0.8 ? 'GPL' : 'Proprietary',
      depends,
      importNs: r() < 0.5 ? ['NS'] : [],
      srcversion: null,
      imports,
      modversions: r() < 0.1 ? 'none' : 'versions',
      exports:
        r() < 0.4
          ? [{ symbol: `own_${name}`, crc: 7, module: name, exportType: 'EXPORT_SYMBOL', namespace: null }]
          : [],
      hasBtf: false,
      elf: { class: 64, endian: 'little', machine: 62 },
    };
    if (r() < 0.3) m.needs = [...imports.map((x) => x.symbol), pick(SYMBOLS)];
    // Without `__versions`: no import records, only the symbols it leaves undefined.
    if (m.modversions === 'none') {
      m.needs = imports.map((x) => x.symbol);
      m.imports = [];
    }
    if (r() < 0.7) m.signed = r() < 0.5;
    if (r() < 0.7) m.package = { name: pick(['p', 'q']), version: '1' };
    out.push(m);
    // The same image given twice.
    if (r() < 0.1) out.push(m);
  }
  return out;
}

interface Walk {
  survives: string[];
  rebuilds: { kernel: string; modules: string[]; symbols: string[]; unfixable: string[] }[];
  perModule: Map<ModuleImage, { kernel: string; symbols: string[]; unfixable: string[] }[]>;
}

/** The plain reading: copies pinned to each build's CRCs and vermagic, judged by moduleVerdicts. */
function reference(set: ModuleImage[], ordered: CompatTarget[], options: VerdictOptions): Walk[] {
  const perModule: Walk['perModule'] = new Map();
  return installGroups(set).map((group) => {
    const out: Walk = { survives: [], rebuilds: [], perModule };
    let current = group;
    for (const t of ordered) {
      const verdicts = moduleVerdicts(current, t, options);
      const failing = verdicts.flatMap((v, i) => (v.loads ? [] : [i]));
      if (failing.length === 0) {
        out.survives.push(t.name);
        continue;
      }
      const rebuilds = failing.map((i) => {
        const m = current[i]!;
        const symbols = [
          ...new Set(verdicts[i]!.reasons.flatMap((x) => (x.symbol ? [x.symbol] : []))),
        ].sort();
        const unfixable = m.imports
          .map((x) => x.symbol)
          .filter(
            (s) =>
              s !== 'module_layout' &&
              !t.build.exports.has(s) &&
              !current.some((o) => o !== m && o.exports.some((e) => e.symbol === s)),
          );
        const r = { kernel: t.name, symbols, unfixable };
        const list = perModule.get(group[i]!) ?? [];
        list.push(r);
        perModule.set(group[i]!, list);
        return r;
      });
      const all = (f: (x: (typeof rebuilds)[number]) => string[]) => [...new Set(rebuilds.flatMap(f))].sort();
      out.rebuilds.push({
        kernel: t.name,
        modules: failing.map((i) => current[i]!.name),
        symbols: all((x) => x.symbols),
        unfixable: all((x) => x.unfixable),
      });
      current = current.map((m) => ({
        ...m,
        vermagic: t.vermagic ?? m.vermagic,
        imports: m.imports.map((x) => ({
          symbol: x.symbol,
          crc: t.build.exports.get(x.symbol)?.crc ?? x.crc,
        })),
      }));
    }
    return out;
  });
}

describe('compat --series: an install rebuilt along the series', () => {
  it('needs the rebuilds that copies pinned to each build and judged by moduleVerdicts need', () => {
    let rebuilt = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = random(seed);
      const set = modules(r);
      const ordered = series(r);
      const options = { kernelModules: r() < 0.7 };
      const s = compatSeries(set, ordered, options);
      const want = reference(set, ordered, options);
      const where = `seed ${seed}`;
      assert.equal(s.packages.length, want.length, where);
      for (const [i, p] of s.packages.entries()) {
        assert.deepEqual(p.survives, want[i]!.survives, where);
        assert.deepEqual(p.rebuilds, want[i]!.rebuilds, where);
        rebuilt += p.rebuilds.length > 1 ? 1 : 0;
      }
      // Each module's own rebuilds (the same image given twice shares one list, as it always has).
      for (const [i, m] of set.entries())
        assert.deepEqual(s.modules[i]!.rebuilds, want[0]?.perModule.get(m) ?? [], `${where}: ${m.source}`);
    }
    // Most series rebuild some install more than once: judged rebuilt, not only as built.
    assert.ok(rebuilt > 200, `${rebuilt} series with a second rebuild`);
  });
});
