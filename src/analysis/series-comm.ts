// `comm` over a series, as the Fermilab slides count it: each build is the sorted list of its
// `symbol CRC` lines (`rpm -q --provides | grep kernel(`), and two builds are compared line by line:
// lines in common, only in the old, only in the new. A symbol whose CRC changed is one line gone and one
// line come, exactly as `comm` sees it. Survivors are the first build's lines that every later build
// still has (one CRC throughout); drift compares each build with a reference (the GA kernel), by date.
import { UsageError } from '../errors.js';
import type { ExportColumnBuild } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { dayNumber, type OrderableBuild, orderBuilds, type SeriesOrdering } from './series-order.js';
import type { BuildRef } from './series-stats.js';

/** `comm` of two sorted line lists: `-12`, `-23` and `-13` counted. */
export interface CommCounts {
  common: number;
  onlyOld: number;
  onlyNew: number;
}

export interface CommStep extends CommCounts {
  from: number;
  to: number;
}

/** comm(reference, build): what a module built against the reference finds changed, on this build's date. */
export interface CommDriftPoint extends CommCounts {
  build: number;
  date: string | null;
  /** Days from the reference's date to this build's; null without both dates. */
  days: number | null;
  /** δ per day: `onlyNew` over `days` (null unless days > 0: a build dated before the reference has no rate). */
  perDay: number | null;
}

/** Lines of the first build still offered, with the same CRC, by every build up to this one. */
export interface SurvivorPoint {
  build: number;
  survivors: number;
  /** survivors over the first build's lines; null when it has none. */
  share: number | null;
}

export interface SeriesComm {
  ordering: SeriesOrdering;
  builds: BuildRef[];
  /** The drift reference: a build of the series (`index` into builds) or one outside it (`index` -1). */
  reference: BuildRef;
  /** Per update: comm(build i−1, build i). */
  steps: CommStep[];
  /** Cumulative: comm(reference, build i) for every build. */
  drift: CommDriftPoint[];
  survivors: SurvivorPoint[];
  /** Lines with one CRC in every build of the series (the last survivor point). */
  survivorsOfSeries: number;
}

/** A build as its comm lines: symbol key → CRC key (-1: no CRC). */
interface Lines<K> {
  ref: OrderableBuild & { source: string; format: string };
  lines: Map<K, number>;
}

export function commCounts<K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number>): CommCounts {
  let common = 0;
  for (const [k, crc] of a) if (b.get(k) === crc) common++;
  return { common, onlyOld: a.size - common, onlyNew: b.size - common };
}

function linesOfColumns(b: ExportColumnBuild): Lines<number> {
  const { symbol, crc, hasCrc } = b.exports;
  const lines = new Map<number, number>();
  for (let i = 0; i < symbol.length; i++) lines.set(symbol[i]!, hasCrc[i] ? crc[i]! : -1);
  return { ref: b, lines };
}

function linesOfBuild(b: KernelBuild): Lines<string> {
  const lines = new Map<string, number>();
  for (const e of b.exports.values()) lines.set(e.symbol, e.crc ?? -1);
  return { ref: b, lines };
}

export interface SeriesCommOptions {
  /** Label to order by; see `orderBuilds`. */
  by?: string;
  /** Index of the reference in the ordered series; default 0. Ignored when `reference` is given. */
  baseline?: number;
}

/** comm over builds as export columns loaded together (a store's loadExportColumns). */
export function seriesCommOfColumns(
  builds: readonly ExportColumnBuild[],
  opts: SeriesCommOptions & { reference?: ExportColumnBuild } = {},
): SeriesComm {
  const ref = opts.reference ? linesOfColumns(opts.reference) : undefined;
  return seriesCommOf(builds, linesOfColumns, ref, opts);
}

/** comm over kernel builds read whole. */
export function seriesComm(
  builds: readonly KernelBuild[],
  opts: SeriesCommOptions & { reference?: KernelBuild } = {},
): SeriesComm {
  const ref = opts.reference ? linesOfBuild(opts.reference) : undefined;
  return seriesCommOf(builds, linesOfBuild, ref, opts);
}

function refOf(b: Lines<unknown>, index: number): BuildRef {
  const r = b.ref;
  return {
    index,
    name: r.labels.release ?? r.labels.version ?? r.source,
    source: r.source,
    format: r.format,
    exports: b.lines.size,
    labels: { ...r.labels },
  };
}

function seriesCommOf<B extends OrderableBuild, K>(
  builds: readonly B[],
  toLines: (b: B) => Lines<K>,
  external: Lines<K> | undefined,
  opts: SeriesCommOptions,
): SeriesComm {
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  const all = ordered.map(toLines);
  const baseline = opts.baseline ?? 0;
  if (!external && (!Number.isInteger(baseline) || baseline < 0 || baseline >= all.length))
    throw new UsageError(`baseline ${baseline} is not a build of the series (0..${all.length - 1})`);
  // A reference that is a build of the series is that build (a JSON index), not an outsider.
  const at = external ? ordered.indexOf(external.ref as unknown as B) : baseline;
  const reference = at >= 0 ? all[at]! : external!;
  const refDay = dayNumber(reference.ref.labels.date);
  const steps: CommStep[] = [];
  for (let i = 1; i < all.length; i++)
    steps.push({ from: i - 1, to: i, ...commCounts(all[i - 1]!.lines, all[i]!.lines) });
  const drift = all.map((b, build): CommDriftPoint => {
    const c = commCounts(reference.lines, b.lines);
    const date = b.ref.labels.date ?? null;
    const day = dayNumber(b.ref.labels.date);
    const days = refDay === null || day === null ? null : day - refDay;
    return { build, ...c, date, days, perDay: days === null || days <= 0 ? null : c.onlyNew / days };
  });
  // The first build's lines, narrowed by each build in turn.
  const first = all[0]!.lines;
  let alive = [...first];
  const survivors = all.map((b, build): SurvivorPoint => {
    alive = alive.filter(([k, crc]) => b.lines.get(k) === crc);
    return { build, survivors: alive.length, share: first.size === 0 ? null : alive.length / first.size };
  });
  return {
    ordering,
    builds: all.map((b, i) => refOf(b, i)),
    reference: refOf(reference, at),
    steps,
    drift,
    survivors,
    survivorsOfSeries: survivors.at(-1)!.survivors,
  };
}
