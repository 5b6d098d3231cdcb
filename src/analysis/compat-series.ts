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
import { RebuiltInstall, type RebuiltVerdicts } from './compat-series-rebuilt.js';
import { neededImports } from './loader-rules.js';
import { type CompatTarget, installGroups, kernelVerdicts, type VerdictOptions } from './module-compat.js';
import {
  type CompactReasons,
  distinctItemSymbols,
  itemImport,
  type NeededImport,
  type ReasonItem,
} from './module-compat-reasons.js';
import { kernelView, symbolGeneration, symbolIdOf } from './module-compat-symbols.js';
import type { KernelVerdicts } from './module-compat-table.js';
import { KERNEL_EXPECTED, MODULES_EXPECTED, requireExports, requireSome } from './nothing-to-judge.js';

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
   * Per build, in series order: 1 where `modules[i]` loads there as built, else 0 (the matrix's cells,
   * without each module's reasons kept in full). Absent from a series made by hand.
   */
  loads?: readonly Uint8Array[];
  /**
   * Each build's verdicts as the judge keeps them (typed arrays), in series order: row i of each is
   * `modules[i]`, and `modules[i].verdicts[k]` is `tables[k].verdict(i)`. Made on first read. Absent from a
   * series made by hand: readers then read the verdicts.
   */
  tables?: readonly KernelVerdicts[];
}

/** The distinct names of several lists, sorted. A loop, not `flat()`: 4,000 lists for a linux-image. */
function union(lists: readonly string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const s of list) seen.add(s);
  return [...seen].sort();
}

/** The rank of an import whose symbol has no name: named by no list of symbols. */
const EMPTY = -2;

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

  /**
   * The ranks of the symbols a verdict's reasons name (an empty one skipped), sorted, into scratch: how
   * many; -1 when one has no rank (or the numbering started over).
   */
  private ranks(imports: Int32Array, items: readonly ReasonItem[]): number {
    if (this.generation !== symbolGeneration()) return -1;
    const { rank } = this;
    if (this.scratch.length < items.length) this.scratch = new Int32Array(2 * items.length);
    const { scratch } = this;
    let n = 0;
    for (let k = 0; k < items.length; k++) {
      const r = items[k]!;
      let at: number;
      if (typeof r === 'number') {
        at = imports[itemImport(r)]!;
        if (at === EMPTY) continue;
      } else if (r.symbol) {
        const id = symbolIdOf(r.symbol);
        at = id < rank.length ? rank[id]! : -1;
      } else continue;
      if (at === -1) return -1;
      // Insertion: a verdict names a few dozen symbols, nearly in order already.
      let j = n++;
      while (j > 0 && scratch[j - 1]! > at) {
        scratch[j] = scratch[j - 1]!;
        j--;
      }
      scratch[j] = at;
    }
    return n;
  }

  /**
   * The rank of each of a module's needed imports (EMPTY: a symbol without a name; -1: none), read for
   * every verdict of it that fails: its ranks, not its imports' names.
   */
  importRanks(needed: readonly NeededImport[], ids: Uint32Array): Int32Array {
    const { rank } = this;
    const out = new Int32Array(needed.length);
    for (let k = 0; k < out.length; k++) {
      const id = ids[k]!;
      out[k] = !needed[k]!.symbol ? EMPTY : id < rank.length ? rank[id]! : -1;
    }
    return out;
  }

  /**
   * distinctItemSymbols of a verdict's reasons (`imports`: its module's importRanks; c gives the reasons
   * when the verdict is not ranked); `count`: its symbols count in the next `union` too.
   */
  symbols(
    imports: Int32Array,
    items: readonly ReasonItem[],
    count: boolean,
    c: () => CompactReasons,
  ): string[] {
    const n = this.ranks(imports, items);
    if (n === -1) {
      if (count) this.unranked = true;
      return distinctItemSymbols(c());
    }
    const { scratch, names, marks, marked } = this;
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      const r = scratch[k]!;
      if (k > 0 && r === scratch[k - 1]) continue;
      out.push(names[r]!);
      if (count && marks[r] === 0) {
        marks[r] = 1;
        marked.push(r);
      }
    }
    return out;
  }

  /** Counts a verdict's symbols (its `symbols`) in the next `union`. */
  count(symbols: readonly string[]): void {
    const { rank, marks, marked } = this;
    for (const s of symbols) {
      const id = symbolIdOf(s);
      const r = id < rank.length && this.generation === symbolGeneration() ? rank[id]! : -1;
      if (r === -1) this.unranked = true;
      else if (marks[r] === 0) {
        marks[r] = 1;
        marked.push(r);
      }
    }
  }

  /** The symbols of the verdicts counted since the last union, sorted; `union(lists)` if one was not ranked. */
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
  for (const t of ordered) requireExports(t.build, t.name);
  // The symbols to blame are ranked by number, in the numbering of now.
  const blame = new Blame(set, symbolGeneration());
  const groups = installGroups(set);
  // Each module of the set: its install and its place there (the same image given twice is there twice).
  const groupOf = new Map<ModuleImage, number>();
  for (const [g, group] of groups.entries()) for (const m of group) groupOf.set(m, g);
  const cursor = new Int32Array(groups.length);
  const place = set.map((m) => {
    const g = groupOf.get(m)!;
    return { g, i: cursor[g]!++ };
  });
  const walks = groups.map((group) => new RebuildWalk(group, options, blame));
  // Build by build, in series order: the matrix's cells (loads as built), and the rebuilds.
  const loads: Uint8Array[] = [];
  const failing: number[] = [];
  const firstFailure: ({ kernel: string; symbols: string[] } | null)[] = new Array(set.length).fill(null);
  for (const t of ordered) {
    const judged = walks.map((w) => w.asBuilt.judge(t, options));
    const row = new Uint8Array(set.length);
    let n = 0;
    for (let p = 0; p < set.length; p++) {
      const { g, i } = place[p]!;
      const v = judged[g]!;
      row[p] = v.loads[i]!;
      if (row[p] === 1) continue;
      n++;
      firstFailure[p] ??= { kernel: t.name, symbols: walks[g]!.symbolsAsBuilt(v, i) };
    }
    loads.push(row);
    failing.push(n);
    for (const [g, w] of walks.entries()) w.step(t, judged[g]!);
  }
  // The verdicts in full, made only when a reader asks (the module view's matrix, a Verdict object).
  let tables: KernelVerdicts[] | undefined;
  const tablesOf = () => {
    tables ??= ordered.map((t) => kernelVerdicts(set, t, options));
    return tables;
  };
  const modules = set.map((m, p): ModuleTimeline => {
    let verdicts: Verdict[] | undefined;
    return {
      ...moduleIdentity(m),
      get verdicts() {
        verdicts ??= tablesOf().map((t) => t.verdict(p));
        return verdicts;
      },
      firstFailure: firstFailure[p]!,
      rebuilds: walks[place[p]!.g]!.rebuildsOf[place[p]!.i]!,
    };
  });
  const packages = walks.map((w) => w.out);
  return {
    kernels: ordered.map((t) => t.name),
    modules,
    packages,
    failing,
    totalRebuilds: modules.reduce((n, m) => n + m.rebuilds.length, 0),
    packageRebuilds: packages.reduce((n, p) => n + p.rebuilds.length, 0),
    loads,
    get tables() {
      return tablesOf();
    },
  };
}

/** One install walked along the series, rebuilt as a whole on every build where a module of it breaks. */
class RebuildWalk {
  readonly out: PackageTimeline;
  /** The install as built, judged on every build (the matrix). */
  readonly asBuilt: RebuiltInstall;
  /** The install as last rebuilt: made at its first failure. */
  private rebuilt: RebuiltInstall | null = null;
  private readonly exporters: Map<string, number[]>;
  /** The symbols to blame of each module as built on the build judged last, once worked out. */
  private readonly known: (string[] | undefined)[];
  /** Each module's importRanks (Blame), once it fails. */
  private readonly ranked: (Int32Array | undefined)[];
  /** Each module's rebuilds: one list for an image given twice (as the series has always kept them). */
  readonly rebuildsOf: Rebuild[][];

  constructor(
    readonly group: readonly ModuleImage[],
    private readonly options: VerdictOptions,
    private readonly blame: Blame,
  ) {
    const first = group[0]!;
    this.out = {
      package: first.package ? packageLabel(first.package) : null,
      builtFor: moduleIdentity(first).builtFor,
      modules: group.map((m) => m.name),
      survives: [],
      rebuilds: [],
    };
    this.asBuilt = new RebuiltInstall(group);
    this.exporters = exportersOf(group);
    this.known = new Array(group.length).fill(undefined);
    this.ranked = new Array(group.length).fill(undefined);
    const lists = new Map<ModuleImage, Rebuild[]>();
    this.rebuildsOf = group.map((m) => {
      let list = lists.get(m);
      if (!list) {
        list = [];
        lists.set(m, list);
      }
      return list;
    });
  }

  private ranksOf(i: number): Int32Array {
    let out = this.ranked[i];
    if (!out) {
      out = this.blame.importRanks(this.asBuilt.needed[i]!, this.asBuilt.ids(i));
      this.ranked[i] = out;
    }
    return out;
  }

  /**
   * The symbols to blame of module i as built (v: the install's verdicts on the build judged last), worked
   * out once: its first failure and its install's first rebuild there name the same.
   */
  symbolsAsBuilt(v: RebuiltVerdicts, i: number): string[] {
    let out = this.known[i];
    if (!out) {
      out = this.blame.symbols(this.ranksOf(i), v.items[i]!, false, () => v.reasons(i));
      this.known[i] = out;
    }
    return out;
  }

  /** Build t, with the install as built judged there (`asBuilt`): the rebuild it forces, if any. */
  step(t: CompatTarget, asBuilt: RebuiltVerdicts): void {
    const { group, blame } = this;
    const rebuilt = this.rebuilt !== null;
    const install = this.rebuilt ?? this.asBuilt;
    const judged = this.rebuilt ? this.rebuilt.judge(t, this.options) : asBuilt;
    const failing: number[] = [];
    for (let i = 0; i < group.length; i++) if (judged.loads[i] === 0) failing.push(i);
    if (failing.length === 0) {
      this.known.fill(undefined);
      this.out.survives.push(t.name);
      return;
    }
    const modules: string[] = new Array(failing.length);
    const symbols: string[][] = new Array(failing.length);
    const unfixables: string[][] = new Array(failing.length);
    for (let j = 0; j < failing.length; j++) {
      const i = failing[j]!;
      const m = group[i]!;
      let blamed: string[];
      if (rebuilt) {
        const items = judged.items[i]!;
        blamed = blame.symbols(this.ranksOf(i), items, true, () => judged.reasons(i));
      } else {
        blamed = this.symbolsAsBuilt(judged, i);
        blame.count(blamed);
      }
      const r: Rebuild = {
        kernel: t.name,
        symbols: blamed,
        unfixable: unfixable(install, i, t, this.exporters, rebuilt),
      };
      this.rebuildsOf[i]!.push(r);
      modules[j] = m.name;
      symbols[j] = r.symbols;
      unfixables[j] = r.unfixable;
    }
    this.out.rebuilds.push({
      kernel: t.name,
      modules,
      symbols: blame.union(symbols),
      unfixable: union(unfixables),
    });
    this.known.fill(undefined);
    this.rebuilt ??= new RebuiltInstall(group, this.asBuilt);
    this.rebuilt.rebuild(t);
  }
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
