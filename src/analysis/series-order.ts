// The order of a series of kernel builds: by release date when every build has one, else by package
// version compared as dpkg does, else as given. Ties keep the input order (Array#sort is stable).

import { UsageError } from '../errors.js';
import { compareDebianVersions } from '../model/debian-version.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { labelOf } from '../model/labels.js';

/** How label values were compared: calendar dates, dpkg version order, or not at all (input order). */
export type OrderingMethod = 'date' | 'debian-version' | 'input';

export interface SeriesOrdering {
  /** The label the builds were ordered by; null when the input order was kept. */
  label: string | null;
  method: OrderingMethod;
  /** Whether the caller named the label (false: the default rule chose it). */
  requested: boolean;
}

/** What ordering looks at: a build's labels, and its source for messages. */
export type OrderableBuild = Pick<KernelBuild, 'labels' | 'source'>;

export interface OrderedSeries<B extends OrderableBuild = KernelBuild> {
  builds: B[];
  ordering: SeriesOrdering;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a `YYYY-MM-DD` date; null when the text is not a real calendar date. */
export function dayNumber(date: string | undefined): number | null {
  const m = date === undefined ? null : DATE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March; a round trip catches it.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / 86_400_000;
}

/** `YYYY-MM-DD` of a day number from `dayNumber`. */
export function dayDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function hasDate(b: OrderableBuild): boolean {
  return dayNumber(b.labels.date) !== null;
}

function missing(
  builds: readonly OrderableBuild[],
  label: string,
  ok: (b: OrderableBuild) => boolean,
): never {
  const bad = builds.find((b) => !ok(b))!;
  const what = label === 'date' ? 'date label (YYYY-MM-DD)' : `${label} label`;
  throw new UsageError(`cannot order by ${label}: ${bad.source} has no ${what}`);
}

function byDate(a: OrderableBuild, b: OrderableBuild): number {
  const d = dayNumber(a.labels.date)! - dayNumber(b.labels.date)!;
  // Two updates released the same day: the package version says which came second.
  if (d !== 0 || a.labels.version === undefined || b.labels.version === undefined) return d;
  return compareDebianVersions(a.labels.version, b.labels.version);
}

/**
 * Orders builds by `by` (a label name); without it, by `date` when every build has a valid one, else by
 * `version` when every build has one, else keeps the input order. `date` compares calendar days (ties by
 * `version` when both have one); every other label compares the dpkg way, which also orders release
 * strings such as `6.1.0-9` < `6.1.0-10`. A build without the named label is a usage error.
 */
export function orderBuilds<B extends OrderableBuild = KernelBuild>(
  builds: readonly B[],
  by?: string,
): OrderedSeries<B> {
  const requested = by !== undefined;
  if (builds.length === 0) return { builds: [], ordering: { label: null, method: 'input', requested } };
  const label =
    by ??
    (builds.every(hasDate) ? 'date' : builds.every((b) => b.labels.version !== undefined) ? 'version' : null);
  if (label === null) {
    return { builds: [...builds], ordering: { label, method: 'input', requested } };
  }
  if (label === 'date') {
    if (!builds.every(hasDate)) missing(builds, label, hasDate);
    return { builds: [...builds].sort(byDate), ordering: { label, method: 'date', requested } };
  }
  const has = (b: OrderableBuild) => labelOf(b.labels, label) !== undefined;
  if (!builds.every(has)) missing(builds, label, has);
  const sorted = [...builds].sort((a, b) =>
    compareDebianVersions(labelOf(a.labels, label)!, labelOf(b.labels, label)!),
  );
  return { builds: sorted, ordering: { label, method: 'debian-version', requested } };
}
