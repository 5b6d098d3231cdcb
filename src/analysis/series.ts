// Analyses of a series of kernel builds (the updates of one stream, oldest first): what each update
// changed, how far each has drifted from a baseline (the GA kernel), and which runs of updates kept the
// ABI. Every comparison counts what `diffExports` reports (series-stats.ts), so a series agrees with
// `kabi diff` on every step.
import { UsageError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { dayNumber, type OrderableBuild, orderBuilds, type SeriesOrdering } from './series-order.js';
import { type BuildRef, buildRefs, type ChangeStats, compareBuildStats } from './series-stats.js';
import { crcDigest } from './summary.js';

export * from './series-order.js';
export * from './series-stats.js';
export * from './series-stream.js';
export * from './series-symbols.js';

/** One update: build `from` → build `to` (indices in the ordered series). */
export interface SeriesStep extends ChangeStats {
  from: number;
  to: number;
}

export function seriesSteps(ordered: readonly KernelBuild[]): SeriesStep[] {
  const steps: SeriesStep[] = [];
  for (let i = 1; i < ordered.length; i++) {
    steps.push({ from: i - 1, to: i, ...compareBuildStats(ordered[i - 1]!, ordered[i]!) });
  }
  return steps;
}

/** diff(baseline, build): what a module built against the baseline meets on this build. */
export interface DriftPoint extends ChangeStats {
  build: number;
}

export interface SeriesDrift {
  baseline: number;
  points: DriftPoint[];
}

function checkIndex(ordered: readonly KernelBuild[], index: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= ordered.length) {
    throw new UsageError(`${what} ${index} is not a build of the series (0..${ordered.length - 1})`);
  }
}

/** Every build compared with the baseline (default: the first, the GA kernel), as `comm` against GA. */
export function seriesDrift(ordered: readonly KernelBuild[], baselineIndex = 0): SeriesDrift {
  if (ordered.length === 0) return { baseline: baselineIndex, points: [] };
  checkIndex(ordered, baselineIndex, 'baseline');
  const base = ordered[baselineIndex]!;
  return {
    baseline: baselineIndex,
    points: ordered.map((b, build) => ({ build, ...compareBuildStats(base, b) })),
  };
}

/** Consecutive builds that offer the same (symbol, crc) set: a module loads on all of them or none. */
export interface AbiEpoch {
  index: number;
  /** `crcDigest` of the set (sha256 of the sorted `symbol<TAB>0xcrc<LF>` lines). */
  digest: string;
  first: number;
  last: number;
  builds: number;
  exports: number;
  /**
   * Days from the first build's date to the date of the next epoch's first build; for the last epoch,
   * to its own last build's date (a lower bound: it is `ongoing`). null without dates, or when the dates
   * run backwards in this order.
   */
  days: number | null;
  ongoing: boolean;
}

/** Whether two builds offer the same (symbol, crc) pairs: equal `crcDigest`s, without hashing both. */
function sameCrcSet(a: KernelBuild, b: KernelBuild): boolean {
  if (a.exports.size !== b.exports.size) return false;
  for (const e of a.exports.values()) {
    const f = b.exports.get(e.symbol);
    if (f === undefined || f.crc !== e.crc) return false;
  }
  return true;
}

export function abiEpochs(ordered: readonly KernelBuild[]): AbiEpoch[] {
  return epochsOf(ordered, sameCrcSet, crcDigest, (b) => b.exports.size);
}

/**
 * Epochs of any kind of build: `same` says whether two consecutive builds offer the same (symbol, crc)
 * set, `digest` hashes one (once per epoch, not per build: hashing 25,000 lines is the dearest step).
 */
export function epochsOf<B extends OrderableBuild>(
  ordered: readonly B[],
  same: (a: B, b: B) => boolean,
  digest: (b: B) => string,
  size: (b: B) => number,
): AbiEpoch[] {
  const epochs: AbiEpoch[] = [];
  ordered.forEach((b, i) => {
    const cur = epochs.at(-1);
    if (cur && same(ordered[i - 1]!, b)) {
      cur.last = i;
      cur.builds++;
      return;
    }
    const index = epochs.length;
    epochs.push({
      index,
      digest: digest(b),
      first: i,
      last: i,
      builds: 1,
      exports: size(b),
      days: null,
      ongoing: false,
    });
  });
  for (const e of epochs) {
    const next = epochs[e.index + 1];
    e.ongoing = next === undefined;
    const end = next === undefined ? ordered[e.last]! : ordered[next.first]!;
    e.days = daysBetween(ordered[e.first]!, end);
  }
  return epochs;
}

function daysBetween(a: OrderableBuild, b: OrderableBuild): number | null {
  const x = dayNumber(a.labels.date);
  const y = dayNumber(b.labels.date);
  return x === null || y === null || y < x ? null : y - x;
}

/** What `kabi series` reports: the builds in order, each update, the drift from a baseline, the epochs. */
export interface SeriesReport {
  ordering: SeriesOrdering;
  builds: BuildRef[];
  steps: SeriesStep[];
  drift: SeriesDrift;
  epochs: AbiEpoch[];
}

export interface SeriesOptions {
  /** Label to order by; see `orderBuilds`. */
  by?: string;
  /** Index of the baseline in the ordered series; default 0. */
  baseline?: number;
}

export function seriesReport(builds: readonly KernelBuild[], opts: SeriesOptions = {}): SeriesReport {
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  return {
    ordering,
    builds: buildRefs(ordered),
    steps: seriesSteps(ordered),
    drift: seriesDrift(ordered, opts.baseline ?? 0),
    epochs: abiEpochs(ordered),
  };
}

/** The builds of one stream (their `stream` label; null: builds without one), in the order given. */
export interface StreamGroup<B extends OrderableBuild = KernelBuild> {
  stream: string | null;
  builds: B[];
}

/**
 * A series is one stream's updates: builds of 6.1 and 6.12 in one timeline would read as one kernel
 * jumping between ABIs. Groups by the `stream` label, streams in the order their first build came;
 * one group when every build has the same stream (or none has one).
 */
export function groupByStream<B extends OrderableBuild = KernelBuild>(
  builds: readonly B[],
): StreamGroup<B>[] {
  const groups = new Map<string | null, B[]>();
  for (const b of builds) {
    const key = b.labels.stream ?? null;
    const list = groups.get(key);
    if (list) list.push(b);
    else groups.set(key, [b]);
  }
  return [...groups].map(([stream, list]) => ({ stream, builds: list }));
}
