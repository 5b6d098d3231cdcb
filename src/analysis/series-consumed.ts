// Consumed vs changed, as the Fermilab slides count it: of the symbols a module corpus imports
// (`__versions`), how many each update of a series changed (removed, or a new CRC: what stops a module
// built against the old build from loading), and which subsystems those belong to.
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import { KERNEL_EXPECTED, MODULES_EXPECTED, requireSome } from './nothing-to-judge.js';
import { orderBuilds, type SeriesOrdering } from './series-order.js';
import { type BuildRef, buildRefs } from './series-stats.js';
import { type Attribution, type SubsystemOf, subsystemResolver } from './subsystems.js';

export interface ConsumedStepSubsystem {
  subsystem: string;
  changed: number;
}

export interface ConsumedStep {
  from: number;
  to: number;
  /** Consumed symbols the older build exports. */
  consumed: number;
  /** Of those, removed or with a new CRC in the newer build. */
  changed: number;
  removed: number;
  crcChanged: number;
  /** Corpus modules that import one of the changed symbols. */
  modules: number;
  bySubsystem: ConsumedStepSubsystem[];
}

/** `file` is the first attributed symbol's path, an example of what matched. */
export interface ConsumedSubsystem extends Attribution {
  /** Consumed symbols attributed to it. */
  consumed: number;
  /** Of those, changed at some step. */
  changed: number;
  /** Changes summed over the steps (a symbol changed twice counts twice). */
  changes: number;
  /** Corpus modules importing one of its changed symbols. */
  modules: number;
}

export interface ConsumedSymbol {
  symbol: string;
  subsystem: string;
  /** The exporting module in the first build that has it (`vmlinux`, `drivers/media/v4l2-core/videodev`). */
  module: string | null;
  /** Steps at which it changed. */
  steps: number;
  /** Corpus modules importing it. */
  consumers: number;
}

export interface SeriesConsumed {
  ordering: SeriesOrdering;
  builds: BuildRef[];
  modules: number;
  packages: number;
  /** Distinct symbols the corpus imports that some build of the series exports. */
  consumed: number;
  /** Imports no build exports (the corpus's own exports, or missing). */
  notExported: number;
  /** Consumed symbols changed at one step or more. */
  changed: number;
  /** Consumed symbols exported by every build with one CRC throughout. */
  unchanged: number;
  steps: ConsumedStep[];
  /** By `changes`, then `changed`, most first. */
  subsystems: ConsumedSubsystem[];
  /** Changed consumed symbols, by consumers then steps, most first. */
  symbols: ConsumedSymbol[];
}

export interface ConsumedOptions {
  by?: string;
  subsystemOf?: SubsystemOf;
}

function changedAt(a: KernelBuild, b: KernelBuild, symbol: string): 'removed' | 'crc' | null {
  const o = a.exports.get(symbol);
  if (o === undefined) return null;
  const n = b.exports.get(symbol);
  if (n === undefined) return 'removed';
  return o.crc !== null && n.crc !== null && o.crc !== n.crc ? 'crc' : null;
}

export function seriesConsumed(
  builds: readonly KernelBuild[],
  modules: readonly ModuleImage[],
  opts: ConsumedOptions = {},
): SeriesConsumed {
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  requireSome(modules.length, 'the corpus', 'kernel modules', MODULES_EXPECTED);
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  const subsystemOf = opts.subsystemOf ?? subsystemResolver();
  // symbol → the corpus modules importing it (by index).
  const consumers = new Map<string, Set<number>>();
  modules.forEach((m, i) => {
    for (const imp of m.imports) {
      const set = consumers.get(imp.symbol);
      if (set) set.add(i);
      else consumers.set(imp.symbol, new Set([i]));
    }
  });
  const exporter = new Map<string, string | null>();
  for (const symbol of consumers.keys())
    for (const b of ordered) {
      const e = b.exports.get(symbol);
      if (e) {
        exporter.set(symbol, e.module);
        break;
      }
    }
  const attribution = new Map<string, Attribution>();
  for (const [symbol, module] of exporter) attribution.set(symbol, subsystemOf(symbol, module));
  const subsystems = new Map<string, ConsumedSubsystem & { hit: Set<number>; symbols: Set<string> }>();
  for (const a of attribution.values()) {
    let s = subsystems.get(a.subsystem);
    if (!s) {
      s = { ...a, consumed: 0, changed: 0, changes: 0, modules: 0, hit: new Set(), symbols: new Set() };
      subsystems.set(a.subsystem, s);
    }
    s.consumed++;
  }
  const stepsOf = new Map<string, number>();
  const steps: ConsumedStep[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    const step: ConsumedStep = {
      from: i - 1,
      to: i,
      consumed: 0,
      changed: 0,
      removed: 0,
      crcChanged: 0,
      modules: 0,
      bySubsystem: [],
    };
    const hit = new Set<number>();
    const per = new Map<string, number>();
    for (const [symbol, users] of consumers) {
      if (!a.exports.has(symbol)) continue;
      step.consumed++;
      const c = changedAt(a, b, symbol);
      if (c === null) continue;
      step.changed++;
      if (c === 'removed') step.removed++;
      else step.crcChanged++;
      for (const u of users) hit.add(u);
      stepsOf.set(symbol, (stepsOf.get(symbol) ?? 0) + 1);
      const sub = attribution.get(symbol)!.subsystem;
      per.set(sub, (per.get(sub) ?? 0) + 1);
      const s = subsystems.get(sub)!;
      s.changes++;
      s.symbols.add(symbol);
      for (const u of users) s.hit.add(u);
    }
    step.modules = hit.size;
    step.bySubsystem = [...per]
      .map(([subsystem, changed]) => ({ subsystem, changed }))
      .sort((x, y) => y.changed - x.changed || cmp(x.subsystem, y.subsystem));
    steps.push(step);
  }
  const first = ordered[0]!;
  let unchanged = 0;
  for (const symbol of exporter.keys()) {
    const e0 = first.exports.get(symbol);
    if (e0 && ordered.every((b) => b.exports.get(symbol)?.crc === e0.crc)) unchanged++;
  }
  const packages = new Set(modules.map((m) => m.package?.name ?? m.source));
  return {
    ordering,
    builds: buildRefs(ordered),
    modules: modules.length,
    packages: packages.size,
    consumed: exporter.size,
    notExported: consumers.size - exporter.size,
    changed: stepsOf.size,
    unchanged,
    steps,
    subsystems: [...subsystems.values()]
      .map(({ hit, symbols, ...s }) => ({ ...s, changed: symbols.size, modules: hit.size }))
      .sort(
        (x, y) =>
          y.changes - x.changes ||
          y.changed - x.changed ||
          y.consumed - x.consumed ||
          cmp(x.subsystem, y.subsystem),
      ),
    symbols: [...stepsOf]
      .map(([symbol, n]) => ({
        symbol,
        subsystem: attribution.get(symbol)!.subsystem,
        module: exporter.get(symbol) ?? null,
        steps: n,
        consumers: consumers.get(symbol)!.size,
      }))
      .sort((x, y) => y.consumers - x.consumers || y.steps - x.steps || cmp(x.symbol, y.symbol)),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
