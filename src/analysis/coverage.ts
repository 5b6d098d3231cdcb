// How much of what a module corpus consumes the stablelists protect (the Fermilab kmod study, seeds/002):
// per module the share of its imports that are protected, the unprotected symbols ranked by how many
// modules consume them, and corpus statistics: unique symbols consumed, stable symbols consumed, and over
// a series, consumed symbols that changed and that did not.
//
// Allowlist candidates are the unprotected imports the *kernel* exports: a symbol another kmod of the
// corpus exports (lttng's probes import lttng-tracer) can never go on a kernel's stablelist. So there are
// candidates only when the kernel is known (`kernel`, else the builds of `series`), ranked by the modules
// that use them, then by how often their CRC changed along the series (the ones that break kmods most).
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Stablelist } from '../model/stablelist.js';
import { type ModuleRef, moduleRef } from './impact.js';
import { KERNEL_EXPECTED, MODULES_EXPECTED, requireExports, requireSome } from './nothing-to-judge.js';

export interface ModuleCoverage extends ModuleRef {
  imports: number;
  protected: number;
  /** protected / imports; null for a module with no imports. */
  share: number | null;
  /** Imports no applicable stablelist protects, by name. */
  unprotected: string[];
  /** Those of them the kernel exports, ranked as `CoverageReport.candidates`; null when no kernel is known. */
  candidates: string[] | null;
}

/** An unprotected symbol the kernel exports: a candidate for the stablelist. */
export interface AllowlistCandidate {
  symbol: string;
  consumers: ModuleRef[];
  /** How many times its CRC changed between consecutive builds of the series; null without a series. */
  crcChanges: number | null;
}

export interface UnprotectedSymbol {
  symbol: string;
  consumers: ModuleRef[];
}

export interface SeriesConsumption {
  builds: number;
  /** Consumed symbols whose CRC or presence differs between some builds of the series. */
  changed: number;
  /** Consumed symbols every build exports with the same CRC. */
  unchanged: number;
  /** Consumed symbols no build of the series exports. */
  absent: number;
}

export interface CoverageStats {
  modules: number;
  withoutImports: number;
  /** Distinct symbols the corpus imports. */
  consumed: number;
  /** Distinct symbols the stablelists protect. */
  stable: number;
  /** Consumed symbols some applicable stablelist protects. */
  stableConsumed: number;
  /** With a kernel: its exports, and how many consumed symbols it exports; else null. */
  kernelExports: number | null;
  consumedExported: number | null;
  series: SeriesConsumption | null;
  /** Allowlist candidates: distinct unprotected symbols the kernel exports; null when no kernel is known. */
  candidates: number | null;
}

export interface CoverageReport {
  stablelists: string[];
  kernel: string | null;
  stats: CoverageStats;
  /** Every module, lowest protected share first (modules without imports last), then by name. */
  modules: ModuleCoverage[];
  /** Most consumers first, then by name. */
  unprotected: UnprotectedSymbol[];
  /**
   * The unprotected symbols the kernel exports (`kernel`, else some build of `series`): most consumers
   * first, then most CRC changes, then by name. Null when neither is given: without the kernel's exports,
   * a symbol of another kmod cannot be told from a kernel symbol.
   */
  candidates: AllowlistCandidate[] | null;
}

export interface CoverageOptions {
  /** The kernel the corpus targets: consumed symbols are counted against its exports. */
  kernel?: KernelBuild;
  /** A series of builds, oldest first: consumed symbols that changed along it, and how often. */
  series?: readonly KernelBuild[];
}

/** Protected symbols per module arch: a list with an arch applies to modules of that arch only. */
function protectedFor(lists: readonly Stablelist[]): (arch: string) => ReadonlySet<string> {
  const cache = new Map<string, Set<string>>();
  return (arch) => {
    let set = cache.get(arch);
    if (set === undefined) {
      set = new Set();
      for (const l of lists) {
        if (l.arch !== null && normalArch(l.arch) !== arch) continue;
        for (const s of l.symbols.keys()) set.add(s);
      }
      cache.set(arch, set);
    }
    return set;
  };
}

/** Names distributions use for the same ELF machines as moduleArch. */
function normalArch(arch: string): string {
  return arch === 'arm64' ? 'aarch64' : arch;
}

function moduleCoverage(m: ModuleImage, prot: ReadonlySet<string>): ModuleCoverage {
  const ref = moduleRef(m);
  const symbols = [...new Set(m.imports.map((i) => i.symbol))];
  const unprotected = symbols.filter((s) => !prot.has(s)).sort(cmp);
  const covered = symbols.length - unprotected.length;
  const share = symbols.length === 0 ? null : covered / symbols.length;
  return { ...ref, imports: symbols.length, protected: covered, share, unprotected, candidates: null };
}

/** Which symbols the kernel exports: `kernel`'s, else those of any build of `series`; null if neither. */
function kernelExports(opts: CoverageOptions): ((symbol: string) => boolean) | null {
  const k = opts.kernel;
  if (k) return (s) => k.exports.has(s);
  if (!opts.series?.length) return null;
  const any = new Set(opts.series.flatMap((b) => [...b.exports.keys()]));
  return (s) => any.has(s);
}

/** How many times `symbol`'s CRC differs between consecutive builds that both export it. */
export function crcChanges(builds: readonly KernelBuild[], symbol: string): number {
  let n = 0;
  for (let i = 1; i < builds.length; i++) {
    const a = builds[i - 1]!.exports.get(symbol);
    const b = builds[i]!.exports.get(symbol);
    if (a && b && a.crc !== b.crc) n++;
  }
  return n;
}

/** The unprotected symbols the kernel exports, ranked; and each module's, in the same order. */
function allowlistCandidates(
  unprotected: readonly UnprotectedSymbol[],
  modules: ModuleCoverage[],
  opts: CoverageOptions,
): AllowlistCandidate[] | null {
  const exported = kernelExports(opts);
  if (exported === null) return null;
  const series = opts.series?.length ? opts.series : null;
  const candidates = unprotected
    .filter((u) => exported(u.symbol))
    .map((u) => ({ ...u, crcChanges: series && crcChanges(series, u.symbol) }))
    .sort(
      (a, b) =>
        b.consumers.length - a.consumers.length ||
        (b.crcChanges ?? 0) - (a.crcChanges ?? 0) ||
        cmp(a.symbol, b.symbol),
    );
  const rank = new Map(candidates.map((c, i) => [c.symbol, i]));
  for (const m of modules)
    m.candidates = m.unprotected.filter((s) => rank.has(s)).sort((a, b) => rank.get(a)! - rank.get(b)!);
  return candidates;
}

/** Whether a symbol's export (CRC, or absence) is the same in every build; absent everywhere is `absent`. */
export function seriesConsumption(
  builds: readonly KernelBuild[],
  consumed: Iterable<string>,
): SeriesConsumption {
  const r: SeriesConsumption = { builds: builds.length, changed: 0, unchanged: 0, absent: 0 };
  for (const symbol of consumed) {
    const states = new Set(
      builds.map((b) => (b.exports.has(symbol) ? b.exports.get(symbol)!.crc : 'absent')),
    );
    if (states.size > 1) r.changed++;
    else if (states.size === 0 || states.has('absent')) r.absent++;
    else r.unchanged++;
  }
  return r;
}

export function analyzeCoverage(
  corpus: readonly ModuleImage[],
  lists: readonly Stablelist[],
  opts: CoverageOptions = {},
): CoverageReport {
  requireSome(corpus.length, 'the module corpus', 'kernel modules', MODULES_EXPECTED);
  if (opts.kernel) requireExports(opts.kernel);
  if (opts.series)
    requireSome(opts.series.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const protectedOf = protectedFor(lists);
  const modules = corpus.map((m) => moduleCoverage(m, protectedOf(moduleRef(m).arch)));
  const { consumed, stableConsumed, consumers } = tally(corpus, modules, protectedOf);
  const k = opts.kernel;
  const stats: CoverageStats = {
    modules: corpus.length,
    withoutImports: modules.filter((m) => m.imports === 0).length,
    consumed: consumed.size,
    stable: new Set(lists.flatMap((l) => [...l.symbols.keys()])).size,
    stableConsumed: stableConsumed.size,
    kernelExports: k ? k.exports.size : null,
    consumedExported: k ? [...consumed].filter((s) => k.exports.has(s)).length : null,
    series: opts.series ? seriesConsumption(opts.series, consumed) : null,
    candidates: null,
  };
  const unprotected = [...consumers]
    .map(([symbol, c]) => ({ symbol, consumers: c }))
    .sort((a, b) => b.consumers.length - a.consumers.length || cmp(a.symbol, b.symbol));
  const candidates = allowlistCandidates(unprotected, modules, opts);
  stats.candidates = candidates === null ? null : candidates.length;
  return {
    stablelists: lists.map((l) => l.name),
    kernel: k ? k.source : null,
    stats,
    modules: modules.sort(byShareThenName),
    unprotected,
    candidates,
  };
}

/** Distinct consumed symbols, the protected ones, and the consumers of each unprotected symbol. */
function tally(
  corpus: readonly ModuleImage[],
  modules: readonly ModuleCoverage[],
  protectedOf: (arch: string) => ReadonlySet<string>,
) {
  const consumers = new Map<string, ModuleRef[]>();
  const consumed = new Set<string>();
  const stableConsumed = new Set<string>();
  corpus.forEach((m, i) => {
    const cov = modules[i]!;
    const prot = protectedOf(cov.arch);
    for (const imp of m.imports) {
      consumed.add(imp.symbol);
      if (prot.has(imp.symbol)) stableConsumed.add(imp.symbol);
    }
    for (const s of cov.unprotected) {
      const list = consumers.get(s) ?? [];
      list.push(refOf(cov));
      consumers.set(s, list);
    }
  });
  return { consumed, stableConsumed, consumers };
}

function refOf(m: ModuleCoverage): ModuleRef {
  return { name: m.name, source: m.source, arch: m.arch };
}

function byShareThenName(a: ModuleCoverage, b: ModuleCoverage): number {
  const sa = a.share ?? 2;
  const sb = b.share ?? 2;
  return sa - sb || cmp(a.name, b.name) || cmp(a.source, b.source);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
