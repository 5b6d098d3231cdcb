// Two streams side by side over time (RHEL z-stream and EUS, Debian stable and backports, 6.1 and 6.12):
// on each date, the newest update of each stream then, and how far apart their exports were.
// Dates are required: without them "at the same time" means nothing, so an undated build is an error.
import type { KernelBuild } from '../model/kernel-build.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { dayDate, dayNumber, orderBuilds } from './series-order.js';
import { type BuildRef, buildRefs, type ChangeStats, compareBuildStats } from './series-stats.js';

export interface StreamSide {
  name: string;
  /** The stream's builds ordered by date; points refer to them by index. */
  builds: BuildRef[];
}

export interface StreamDriftPoint {
  /** A date on which either stream published a build. */
  date: string;
  /** The newest build of each stream at or before `date`; null before the stream's first build. */
  a: number | null;
  b: number | null;
  /** diff(a, b): `added` is exported by b and not by a. null while either stream has no build yet. */
  stats: ChangeStats | null;
  /** Both streams had a build and their exports did not differ at all. */
  zero: boolean;
  /** Calendar days this pair held: up to the next point's date (exclusive); the last point holds 1. */
  days: number;
}

/** Dates, inclusive, on which the two streams' newest builds exported exactly the same. */
export interface ZeroRange {
  from: string;
  to: string;
  days: number;
}

export interface StreamDrift {
  a: StreamSide;
  b: StreamSide;
  points: StreamDriftPoint[];
  zeroRanges: ZeroRange[];
  /** Days, from the first point's date to the last point's date inclusive, on which the difference was zero. */
  zeroDays: number;
  /** Days from the first point's date to the last point's date inclusive; 0 without points. */
  observedDays: number;
}

export interface StreamDriftOptions {
  /** Names of the two streams in reports; default `A` and `B`. */
  names?: [string, string];
}

/** How many of `days` (ascending) fall at or before `day`, counting on from `seen`. */
function countUpTo(days: readonly number[], day: number, seen: number): number {
  let n = seen;
  while (n < days.length && days[n]! <= day) n++;
  return n;
}

export function streamDrift(
  seriesA: readonly KernelBuild[],
  seriesB: readonly KernelBuild[],
  opts: StreamDriftOptions = {},
): StreamDrift {
  const [nameA, nameB] = opts.names ?? ['A', 'B'];
  for (const [name, s] of [
    [nameA, seriesA],
    [nameB, seriesB],
  ] as const)
    requireSome(s.length, name, 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const a = orderBuilds(seriesA, 'date').builds;
  const b = orderBuilds(seriesB, 'date').builds;
  const daysA = a.map((x) => dayNumber(x.labels.date)!);
  const daysB = b.map((x) => dayNumber(x.labels.date)!);
  const dates = [...new Set([...daysA, ...daysB])].sort((x, y) => x - y);
  const cache = new Map<string, ChangeStats>();
  let seenA = 0;
  let seenB = 0;
  const points = dates.map((day, k): StreamDriftPoint => {
    seenA = countUpTo(daysA, day, seenA);
    seenB = countUpTo(daysB, day, seenB);
    const ia = seenA === 0 ? null : seenA - 1;
    const ib = seenB === 0 ? null : seenB - 1;
    let stats: ChangeStats | null = null;
    if (ia !== null && ib !== null) {
      const key = `${ia}:${ib}`;
      stats = cache.get(key) ?? compareBuildStats(a[ia]!, b[ib]!);
      cache.set(key, stats);
    }
    const next = dates[k + 1];
    const days = next === undefined ? 1 : next - day;
    return { date: dayDate(day), a: ia, b: ib, stats, zero: stats !== null && stats.changes === 0, days };
  });
  const zeroRanges = zeroRangesOf(points);
  const first = dates[0];
  const last = dates.at(-1);
  return {
    a: { name: nameA, builds: buildRefs(a) },
    b: { name: nameB, builds: buildRefs(b) },
    points,
    zeroRanges,
    zeroDays: zeroRanges.reduce((n, r) => n + r.days, 0),
    observedDays: first === undefined || last === undefined ? 0 : last - first + 1,
  };
}

function zeroRangesOf(points: readonly StreamDriftPoint[]): ZeroRange[] {
  const ranges: ZeroRange[] = [];
  let open: ZeroRange | null = null;
  for (const p of points) {
    if (!p.zero) {
      open = null;
      continue;
    }
    const start = dayNumber(p.date)!;
    const to = dayDate(start + p.days - 1);
    if (open) {
      open.to = to;
      open.days += p.days;
    } else {
      open = { from: p.date, to, days: p.days };
      ranges.push(open);
    }
  }
  return ranges;
}
