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
  type ModuleIdentity,
  type ModuleImage,
  moduleIdentity,
  packageLabel,
} from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { RebuiltInstall } from './compat-series-rebuilt.js';
import { neededImports } from './loader-rules.js';
import { type CompatTarget, installGroups, kernelVerdicts, type VerdictOptions } from './module-compat.js';
import {
  type CompactReasons,
  distinctItemSymbols,
  itemImport,
  type NeededImport,
} from './module-compat-reasons.js';
import { kernelView, symbolGeneration, symbolIdOf } from './module-compat-symbols.js';
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

/**
 * The symbols to blame, sorted: every symbol a reason names is a needed import of a module of the set, so
 * those are put in name order once for the series, and a verdict's symbols (as distinctItemSymbols gives
 * them) and a rebuild's (their union) are sorted as numbers: not each module's imports sorted by name,
 * nor 4,000 lists of some 30 names hashed again on every build.
 */
class Blame {
  /** Each symbol number's place in name order; -1: not a needed import of the set. */
  private readonly rank: Int32Array;
  private readonly names: string[];
  /** Marks of the ranks the next union names, and those marked. */
  private readonly marks: Uint8Array;
  private readonly marked: number[] = [];
  private unranked = false;
  private scratch = new Int32Array(256);

  constructor(
    set: readonly ModuleImage[],
    /** The numbering the series' tables were judged in: another since, and this answers null. */
    private readonly generation: number,
  ) {
    const seen = new Set<readonly NeededImport[]>();
    const named = new Set<string>();
    for (const m of set) {
      const needed = neededImports(m);
      if (seen.has(needed)) continue;
      seen.add(needed);
      for (const { symbol } of needed) named.add(symbol);
    }
    this.names = [...named].sort();
    let size = 0;
    const ids = this.names.map((name) => {
      const id = symbolIdOf(name);
      if (id >= size) size = id + 1;
      return id;
    });
    this.rank = new Int32Array(size).fill(-1);
    for (let r = 0; r < ids.length; r++) this.rank[ids[r]!] = r;
    this.marks = new Uint8Array(this.names.length);
  }

  /** The rank of each of c's symbols (an empty one skipped), into scratch; -1 when one has none. */
  private ranks(c: Pick<CompactReasons, 'needed' | 'ids' | 'items'>): number {
    if (this.generation !== symbolGeneration()) return -1;
    const { needed, ids, items } = c;
    const { rank } = this;
    if (this.scratch.length < items.length) this.scratch = new Int32Array(2 * items.length);
    const { scratch } = this;
    let n = 0;
    for (let k = 0; k < items.length; k++) {
      const r = items[k]!;
      let id: number;
      if (typeof r === 'number') {
        const i = itemImport(r);
        if (!needed[i]!.symbol) continue;
        id = ids[i]!;
      } else if (r.symbol) id = symbolIdOf(r.symbol);
      else continue;
      const at = id < rank.length ? rank[id]! : -1;
      if (at === -1) return -1;
      scratch[n++] = at;
    }
    return n;
  }

  /** distinctItemSymbols(c). */
  symbols(c: CompactReasons): string[] {
    const n = this.ranks(c);
    if (n === -1) return distinctItemSymbols(c);
    const sorted = this.scratch.subarray(0, n).sort();
    const out: string[] = [];
    for (let k = 0; k < n; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) out.push(this.names[sorted[k]!]!);
    return out;
  }

  /** Counts c's symbols in the next `union`. */
  add(c: CompactReasons): void {
    const n = this.ranks(c);
    if (n === -1) {
      this.unranked = true;
      return;
    }
    const { marks, marked, scratch } = this;
    for (let k = 0; k < n; k++) {
      const r = scratch[k]!;
      if (marks[r] === 0) {
        marks[r] = 1;
        marked.push(r);
      }
    }
  }

  /** The symbols of the verdicts added since the last union, sorted; `union(lists)` if one was not ranked. */
  union(lists: readonly string[][]): string[] {
    const { marks, marked, names } = this;
    const ranks = Int32Array.from(marked).sort();
    for (const r of marked) marks[r] = 0;
    marked.length = 0;
    if (this.unranked) {
      this.unranked = false;
      return union(lists);
    }
    return Array.from(ranks, (r) => names[r]!);
  }
}

export function compatSeries(
  set: readonly ModuleImage[],
  ordered: readonly CompatTarget[],
  options: VerdictOptions = {},
): CompatSeries {
  requireSome(set.length, 'the modules of the series', 'kernel modules', MODULES_EXPECTED);
  requireSome(ordered.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  // The symbols' numbering the tables are judged in (a rebuild's symbols are marked by number).
  const generation = symbolGeneration();
  // Kept as the judge keeps them: no Verdict object unless a reader asks for one.
  const tables = ordered.map((t) => kernelVerdicts(set, t, options));
  // A module not yet rebuilt is judged as the matrix judged it (the same install, the same kernel): its
  // row in the tables (the same image given twice has one verdict, so either row serves).
  const rowOf = new Map(set.map((m, i) => [m, i]));
  const asBuilt = new AsBuilt(tables, new Blame(set, generation));
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
  constructor(
    readonly tables: readonly KernelVerdicts[],
    readonly blame: Blame,
  ) {
    this.known = tables.map(() => []);
  }
  symbols(k: number, i: number): string[] {
    let out = this.known[k]![i];
    if (!out) {
      out = this.blame.symbols(this.tables[k]!.reasonsAt(i));
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
  // The install as last rebuilt: made at its first failure, rebuilt from then on (as built, it is the
  // series' tables).
  let install: RebuiltInstall | null = null;
  let rebuilt = false;
  const exporters = exportersOf(group);
  // Each module of the group's row in the series' tables, for as long as it is not rebuilt.
  const rows = group.map((m) => rowOf.get(m)!);
  for (const [b, t] of ordered.entries()) {
    const judged = rebuilt ? install!.judge(t, options) : undefined;
    const failing: number[] = [];
    if (judged) {
      for (let i = 0; i < group.length; i++) if (judged.loads[i] === 0) failing.push(i);
    } else {
      const table = asBuilt.tables[b]!;
      for (let i = 0; i < group.length; i++) if (!table.loads(rows[i]!)) failing.push(i);
    }
    if (failing.length === 0) {
      out.survives.push(t.name);
      continue;
    }
    const modules: string[] = new Array(failing.length);
    const symbols: string[][] = new Array(failing.length);
    const unfixables: string[][] = new Array(failing.length);
    const { blame } = asBuilt;
    install ??= new RebuiltInstall(group);
    for (let j = 0; j < failing.length; j++) {
      const i = failing[j]!;
      const m = group[i]!;
      const reasons = judged ? judged.reasons(i) : asBuilt.tables[b]!.reasonsAt(rows[i]!);
      blame.add(reasons);
      const r: Rebuild = {
        kernel: t.name,
        symbols: judged ? blame.symbols(reasons) : asBuilt.symbols(b, rows[i]!),
        unfixable: unfixable(install, i, t, exporters, rebuilt),
      };
      const list = perModule.get(m);
      if (list) list.push(r);
      else perModule.set(m, [r]);
      modules[j] = m.name;
      symbols[j] = r.symbols;
      unfixables[j] = r.unfixable;
    }
    out.rebuilds.push({
      kernel: t.name,
      modules,
      symbols: blame.union(symbols),
      unfixable: union(unfixables),
    });
    install.rebuild(t);
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

/**
 * The imports of install[i] that neither the kernel nor another module of the install exports. Another
 * module: another object as built (the same image given twice counts once), any other once rebuilt (each
 * module of the install is rebuilt on its own).
 */
function unfixable(
  install: RebuiltInstall,
  i: number,
  t: CompatTarget,
  exporters: ReadonlyMap<string, readonly number[]>,
  rebuilt: boolean,
): string[] {
  const m = install.install[i]!;
  // Its needed imports' numbers: its imports' first.
  const ids = install.ids(i);
  const { flags } = kernelView(t.build.exports);
  // A loop, not filter and map over closures: asked of every failing module on every build (40,000 times,
  // 1.6 million imports, for 4,022 modules on 11 builds), and nearly every import is exported.
  const out: string[] = [];
  for (let k = 0; k < m.imports.length; k++) {
    const id = ids[k]!;
    if (id < flags.length && flags[id] !== 0) continue;
    const { symbol } = m.imports[k]!;
    if (symbol === 'module_layout') continue;
    const by = exporters.get(symbol);
    if (by?.some((j) => (rebuilt ? j !== i : install.install[j] !== m))) continue;
    out.push(symbol);
  }
  return out;
}
