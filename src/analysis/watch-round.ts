// What `kabi watch` says about a new build, computed from model objects (the round's I/O is in
// src/watch/): which stored build is the stream's last release before it, and the event that reports the
// build with its gate verdict and the corpus's compat verdicts. One event is one JSON line
// (schema/watch-event.schema.json, docs/json.md).

import { compareDebianVersions } from '../model/debian-version.js';
import type { EntryRecord } from '../model/entry.js';
import { labelOf } from '../model/labels.js';
import type { Verdict } from '../model/verdict.js';
import type { DiffReport } from './check.js';

/** The labels that make a stream: builds that share them are releases of one line of kernels. */
export const STREAM_LABELS = ['distro', 'stream', 'arch', 'flavour'] as const;

const same = (a: EntryRecord, b: EntryRecord) =>
  STREAM_LABELS.every((k) => labelOf(a.labels, k) === labelOf(b.labels, k));

/**
 * The order of builds in a stream: the package version, then the release (an RPM's Version is the
 * upstream one, `6.1.0`, for every build; its release says `-50.el9`).
 */
function compareBuilds(a: EntryRecord, b: EntryRecord): number {
  const of = (e: EntryRecord, k: string) => labelOf(e.labels, k) ?? '';
  return (
    compareDebianVersions(of(a, 'version'), of(b, 'version')) ||
    compareDebianVersions(of(a, 'release'), of(b, 'release'))
  );
}

/**
 * The stream's last release before `build`: the stored kernel of the same distro, stream, architecture
 * and flavour that comes last among those before it (by version, then release; the latest stored of
 * equals). A build that orders equal (the image beside its headers) is not a baseline; null for a
 * stream's first build.
 */
export function streamBaseline(build: EntryRecord, stored: readonly EntryRecord[]): EntryRecord | null {
  let best: EntryRecord | null = null;
  for (const e of stored) {
    if (e.id === build.id || e.kind !== 'kernel' || !same(e, build)) continue;
    if (compareBuilds(e, build) >= 0) continue;
    const c = best === null ? 1 : compareBuilds(e, best);
    if (c > 0 || (c === 0 && e.id > best!.id)) best = e;
  }
  return best;
}

export type WatchEventType = 'build' | 'rejected' | 'download-failed' | 'source-failed';

export interface WatchPackage {
  name: string;
  version: string;
  key: string;
  /** The URL it came from, or the local path. */
  from: string;
}

export interface WatchEntry {
  id: number;
  kind: string;
  labels: Record<string, string>;
}

export interface WatchGate {
  policy: string;
  verdict: DiffReport['verdict'];
  exitCode: number;
  summary: DiffReport['summary'];
}

export interface WatchCompat {
  modules: number;
  loads: number;
  fails: number;
  /** The modules that do not load, each with the loader's first reason. */
  failing: { module: string; reason: string }[];
}

/** One line of `kabi watch --format json`. */
export interface WatchEvent {
  kabiWatchEvent: 1;
  type: WatchEventType;
  time: string;
  source: string;
  package: WatchPackage | null;
  /** The stored build (type `build`). */
  entry: WatchEntry | null;
  /** The stream's last release it was gated against; null for a stream's first build. */
  baseline: WatchEntry | null;
  gate: WatchGate | null;
  compat: WatchCompat | null;
  /** false when the artifact was already stored (by `kabi ingest`, or another source). */
  created: boolean | null;
  /** What went wrong (rejected, download-failed, source-failed; a build stored but not gated or judged). */
  message: string | null;
  /** The bitmask `kabi check` and `kabi compat` would exit with: 4 changed, 8 incompatible or a module fails. */
  exitCode: number;
}

const entryOf = (e: EntryRecord): WatchEntry => ({ id: e.id, kind: e.kind, labels: { ...e.labels } });

/** The event for a build ingested, gated (when it has a baseline) and judged for the corpus (when given). */
export function buildEvent(o: {
  source: string;
  pkg: WatchPackage;
  entry: EntryRecord;
  created: boolean;
  baseline: EntryRecord | null;
  report: DiffReport | null;
  verdicts: readonly Verdict[] | null;
  time?: Date;
}): WatchEvent {
  const gate =
    o.report === null
      ? null
      : {
          policy: o.report.policy,
          verdict: o.report.verdict,
          exitCode: o.report.exitCode,
          summary: o.report.summary,
        };
  const compat = o.verdicts === null ? null : compatOf(o.verdicts);
  const exitCode = (gate?.exitCode ?? 0) | (compat !== null && compat.fails > 0 ? 8 : 0);
  return {
    kabiWatchEvent: 1,
    type: 'build',
    time: (o.time ?? new Date()).toISOString(),
    source: o.source,
    package: o.pkg,
    entry: entryOf(o.entry),
    baseline: o.baseline === null ? null : entryOf(o.baseline),
    gate,
    compat,
    created: o.created,
    message: null,
    exitCode,
  };
}

function compatOf(verdicts: readonly Verdict[]): WatchCompat {
  const failing = verdicts
    .filter((v) => !v.loads)
    .map((v) => ({ module: v.module, reason: v.reasons[0]?.message ?? 'does not load' }));
  return {
    modules: verdicts.length,
    loads: verdicts.length - failing.length,
    fails: failing.length,
    failing,
  };
}

/** The event for a failure: a package rejected or not downloaded, a source that did not answer. */
export function failureEvent(
  type: Exclude<WatchEventType, 'build'>,
  source: string,
  pkg: WatchPackage | null,
  message: string,
  time = new Date(),
): WatchEvent {
  return {
    kabiWatchEvent: 1,
    type,
    time: time.toISOString(),
    source,
    package: pkg,
    entry: null,
    baseline: null,
    gate: null,
    compat: null,
    created: null,
    message,
    exitCode: 1,
  };
}
