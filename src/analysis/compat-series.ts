// A set of modules across a series of kernels: the verdict matrix of the modules as built, the first
// build each stops loading on (and the symbols that broke it), and the rebuilds a packager would count.
//
// Rebuilds: a module needs a rebuild on a build when the module built for the previous build would not
// load there (its kernel imports gone, CRC-changed, GPL-only or namespaced, or a module of its own install
// that it depends on does not load). A package is rebuilt as a whole (DKMS builds every module of it for
// the new kernel), so it needs a rebuild on a build when any of its modules does; a rebuild against build
// N pins its imports to build N's CRCs. Imports a rebuild cannot bring back (no longer exported, nor by a
// module installed with it) are named as unfixable.
import {
  type Import,
  type ModuleIdentity,
  type ModuleImage,
  moduleIdentity,
  packageLabel,
} from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { neededAfterRebuild } from './loader-rules.js';
import {
  type CompatTarget,
  installGroups,
  kernelVerdicts,
  planRebuilt,
  type VerdictOptions,
} from './module-compat.js';
import { distinctItemSymbols } from './module-compat-reasons.js';
import {
  EXPORTED,
  type KernelView,
  kernelView,
  ODD,
  shareSymbolIds,
  symbolIdsOf,
} from './module-compat-symbols.js';
import type { KernelVerdicts } from './module-compat-table.js';
import { KERNEL_EXPECTED, MODULES_EXPECTED, requireSome } from './nothing-to-judge.js';

/** A rebuild forced on a build, and the symbols to blame. */
export interface Rebuild {
  kernel: string;
  symbols: string[];
  /** Imports no rebuild can satisfy there: exported neither by the kernel nor by the install. */
  unfixable: string[];
}

export interface ModuleTimeline extends ModuleIdentity {
  /**
   * Verdict of the module as built on each build, in series order. Made on first read from the series'
   * tables (the CLI's writers read those, not 44,000 Verdict objects for 4,022 modules on 11 builds).
   */
  verdicts: Verdict[];
  /** The first build it does not load on, as built; null if it loads on all. */
  firstFailure: { kernel: string; symbols: string[] } | null;
  /** The builds on which it needs a rebuild (see the file's head). */
  rebuilds: Rebuild[];
}

/** A package (or the modules given alone) built for one kernel, across the series. */
export interface PackageTimeline {
  /** `name version`; null for the modules given alone. */
  package: string | null;
  builtFor: string | null;
  modules: string[];
  /** Builds on which every module, as last built, loads: no rebuild. */
  survives: string[];
  /** Builds that force a rebuild: the modules that fail there and the symbols to blame. */
  rebuilds: (Rebuild & { modules: string[] })[];
}

export interface CompatSeries {
  kernels: string[];
  modules: ModuleTimeline[];
  packages: PackageTimeline[];
  /** Per build: how many modules do not load there as built (the failing cells of the matrix). */
  failing: number[];
  /** Module rebuilds across the series. */
  totalRebuilds: number;
  /** Package rebuilds across the series. */
  packageRebuilds: number;
  /**
   * Each build's verdicts as the judge keeps them (typed arrays), in series order: row i of each is
   * `modules[i]`, and `modules[i].verdicts[k]` is `tables[k].verdict(i)`. Absent from a series made by
   * hand: readers then read the verdicts.
   */
  tables?: readonly KernelVerdicts[];
}

/** The distinct names of several lists, sorted. A loop, not `flat()`: 4,000 lists for a linux-image. */
function union(lists: readonly string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const s of list) seen.add(s);
  return [...seen].sort();
}

export function compatSeries(
  set: readonly ModuleImage[],
  ordered: readonly CompatTarget[],
  options: VerdictOptions = {},
): CompatSeries {
  requireSome(set.length, 'the modules of the series', 'kernel modules', MODULES_EXPECTED);
  requireSome(ordered.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  // Kept as the judge keeps them: no Verdict object unless a reader asks for one.
  const tables = ordered.map((t) => kernelVerdicts(set, t, options));
  // A module not yet rebuilt is judged as the matrix judged it (the same install, the same kernel): its
  // row in the tables (the same image given twice has one verdict, so either row serves).
  const rowOf = new Map(set.map((m, i) => [m, i]));
  const asBuilt = new AsBuilt(tables);
  const rebuilds = new Map<ModuleImage, Rebuild[]>();
  const packages = installGroups(set).map((group) =>
    rebuildWalk(group, ordered, options, rebuilds, asBuilt, rowOf),
  );
  const modules = set.map((m, i): ModuleTimeline => {
    const k = tables.findIndex((t) => !t.loads(i));
    let verdicts: Verdict[] | undefined;
    return {
      ...moduleIdentity(m),
      get verdicts() {
        verdicts ??= tables.map((t) => t.verdict(i));
        return verdicts;
      },
      firstFailure: k === -1 ? null : { kernel: tables[k]!.kernel, symbols: asBuilt.symbols(k, i) },
      rebuilds: rebuilds.get(m) ?? [],
    };
  });
  return {
    kernels: ordered.map((t) => t.name),
    modules,
    packages,
    failing: tables.map((t) => {
      let n = 0;
      for (let i = 0; i < t.length; i++) if (!t.loads(i)) n++;
      return n;
    }),
    totalRebuilds: modules.reduce((n, m) => n + m.rebuilds.length, 0),
    packageRebuilds: packages.reduce((n, p) => n + p.rebuilds.length, 0),
    tables,
  };
}

/**
 * The symbols to blame of each verdict as built, worked out once: a module's first failure and the
 * rebuild its package needs there (before any rebuild) name the same symbols.
 */
class AsBuilt {
  private readonly known: (string[] | undefined)[][];
  constructor(readonly tables: readonly KernelVerdicts[]) {
    this.known = tables.map(() => []);
  }
  symbols(k: number, i: number): string[] {
    let out = this.known[k]![i];
    if (!out) {
      out = distinctItemSymbols(this.tables[k]!.reasonsAt(i));
      this.known[k]![i] = out;
    }
    return out;
  }
}

/** Walks the series with one install, rebuilt as a whole on every build where a module of it breaks. */
function rebuildWalk(
  group: readonly ModuleImage[],
  ordered: readonly CompatTarget[],
  options: VerdictOptions,
  perModule: Map<ModuleImage, Rebuild[]>,
  asBuilt: AsBuilt,
  rowOf: ReadonlyMap<ModuleImage, number>,
): PackageTimeline {
  const first = group[0]!;
  const out: PackageTimeline = {
    package: first.package ? packageLabel(first.package) : null,
    builtFor: moduleIdentity(first).builtFor,
    modules: group.map((m) => m.name),
    survives: [],
    rebuilds: [],
  };
  let current = [...group];
  let rebuilt = false;
  const exporters = exportersOf(group);
  // Each module of the group's row in the series' tables, for as long as it is not rebuilt.
  const rows = group.map((m) => rowOf.get(m)!);
  for (const [b, t] of ordered.entries()) {
    // Rebuilt modules' verdicts are judged here, as built they are the series' tables: no Verdict objects.
    const table = rebuilt ? kernelVerdicts(current, t, options) : asBuilt.tables[b]!;
    const row = (i: number) => (rebuilt ? i : rows[i]!);
    const failing: number[] = [];
    for (let i = 0; i < group.length; i++) if (!table.loads(row(i))) failing.push(i);
    if (failing.length === 0) {
      out.survives.push(t.name);
      continue;
    }
    const modules: string[] = new Array(failing.length);
    const symbols: string[][] = new Array(failing.length);
    const unfixables: string[][] = new Array(failing.length);
    for (const [j, i] of failing.entries()) {
      const m = group[i]!;
      const r: Rebuild = {
        kernel: t.name,
        symbols: rebuilt ? distinctItemSymbols(table.reasonsAt(i)) : asBuilt.symbols(b, rows[i]!),
        unfixable: unfixable(current, i, t, exporters),
      };
      const list = perModule.get(m);
      if (list) list.push(r);
      else perModule.set(m, [r]);
      modules[j] = m.name;
      symbols[j] = r.symbols;
      unfixables[j] = r.unfixable;
    }
    out.rebuilds.push({ kernel: t.name, modules, symbols: union(symbols), unfixable: union(unfixables) });
    current = current.map((m) => rebuiltFor(m, t));
    rebuilt = true;
  }
  return out;
}

/**
 * Which modules of an install (by index) export each symbol: a rebuild keeps a module's exports, so this
 * is asked once per install, not once per import of every failing module (that was quadratic).
 */
function exportersOf(install: readonly ModuleImage[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  install.forEach((m, i) => {
    for (const e of m.exports) {
      const list = out.get(e.symbol);
      if (!list) out.set(e.symbol, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return out;
}

/** The imports of install[i] that neither the kernel nor another module of the install exports. */
function unfixable(
  install: readonly ModuleImage[],
  i: number,
  t: CompatTarget,
  exporters: ReadonlyMap<string, readonly number[]>,
): string[] {
  const m = install[i]!;
  const ids = symbolIdsOf(m.imports);
  const { flags } = kernelView(t.build.exports);
  // A loop, not filter and map over closures: asked of every failing module on every build (40,000 times,
  // 1.6 million imports, for 4,022 modules on 11 builds), and nearly every import is exported.
  const out: string[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    if (id < flags.length && flags[id] !== 0) continue;
    const { symbol } = m.imports[k]!;
    if (symbol === 'module_layout') continue;
    // Another module: another object (the same image given twice counts once, as before).
    const by = exporters.get(symbol);
    if (by?.some((j) => install[j] !== m)) continue;
    out.push(symbol);
  }
  return out;
}

/** Imports pinned to a build's CRC, one object per build and symbol: every module rebuilt shares them. */
const pinnedImports = new WeakMap<KernelView, (Import | undefined)[]>();

function pinnedOf(view: KernelView): (Import | undefined)[] {
  let byId = pinnedImports.get(view);
  if (!byId) {
    byId = new Array(view.flags.length).fill(undefined);
    pinnedImports.set(view, byId);
  }
  return byId;
}

function pinned(view: KernelView, byId: (Import | undefined)[], id: number, imp: Import): Import {
  const f = id < view.flags.length ? view.flags[id]! : 0;
  if ((f & EXPORTED) === 0) return { symbol: imp.symbol, crc: imp.crc };
  let out = byId[id];
  if (!out) {
    // An odd export (no CRC, a CRC of 0, a namespace) is asked of its Export; the rest of the columns.
    const crc = (f & ODD) === 0 ? view.crc[id]! : (view.exportAt(id)!.crc ?? imp.crc);
    out = { symbol: imp.symbol, crc };
    if ((f & ODD) === 0 || view.exportAt(id)!.crc !== null) byId[id] = out;
  }
  return out;
}

/**
 * The module rebuilt against a build: its kernel imports pinned to that build's CRCs, its vermagic. Its
 * symbols are the module's, in the same order, so it shares their numbers (planRebuilt shares those of its
 * needed imports) and needed-import tail.
 */
function rebuiltFor(m: ModuleImage, t: CompatTarget): ModuleImage {
  const ids = symbolIdsOf(m.imports);
  const view = kernelView(t.build.exports);
  const byId = pinnedOf(view);
  const imports: Import[] = new Array(m.imports.length);
  for (let k = 0; k < imports.length; k++) imports[k] = pinned(view, byId, ids[k]!, m.imports[k]!);
  const out = { ...m, vermagic: t.vermagic ?? m.vermagic, imports };
  shareSymbolIds(m.imports, imports);
  planRebuilt(m, out, neededAfterRebuild(m, out));
  return out;
}
