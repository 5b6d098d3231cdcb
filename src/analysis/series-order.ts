// The order of a series of kernel builds: by release date when every build has one, else by package
// version compared as dpkg does, else as given. Ties keep the input order (Array#sort is stable).
import { UsageError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';

/** How label values were compared: calendar dates, dpkg version order, or not at all (input order). */
export type OrderingMethod = 'date' | 'debian-version' | 'input';

export interface SeriesOrdering {
  /** The label the builds were ordered by; null when the input order was kept. */
  label: string | null;
  method: OrderingMethod;
  /** Whether the caller named the label (false: the default rule chose it). */
  requested: boolean;
}

export interface OrderedSeries {
  builds: KernelBuild[];
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

/** dpkg's character weight: `~` before the end of a part, the end before letters, letters before the rest. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** dpkg's verrevcmp: alternating non-digit runs (by `order`) and digit runs (numerically). */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const diff = order(a[i]) - order(b[j]);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

function splitVersion(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash < 0
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Debian version order (`dpkg --compare-versions`): negative, zero or positive, like a sort comparator. */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return Math.sign(compareParts(x.upstream, y.upstream) || compareParts(x.revision, y.revision));
}

function hasDate(b: KernelBuild): boolean {
  return dayNumber(b.labels.date) !== null;
}

function missing(builds: readonly KernelBuild[], label: string, ok: (b: KernelBuild) => boolean): never {
  const bad = builds.find((b) => !ok(b))!;
  const what = label === 'date' ? 'date label (YYYY-MM-DD)' : `${label} label`;
  throw new UsageError(`cannot order by ${label}: ${bad.source} has no ${what}`);
}

function byDate(a: KernelBuild, b: KernelBuild): number {
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
export function orderBuilds(builds: readonly KernelBuild[], by?: string): OrderedSeries {
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
  const has = (b: KernelBuild) => b.labels[label] !== undefined;
  if (!builds.every(has)) missing(builds, label, has);
  const sorted = [...builds].sort((a, b) => compareDebianVersions(a.labels[label]!, b.labels[label]!));
  return { builds: sorted, ordering: { label, method: 'debian-version', requested } };
}
