// The series JSON shapes are a documented, stable interface (docs/series.md): objects are built field by
// field here, not dumped from the analysis types, so an internal rename cannot change them. CRCs are
// `0x%08x` strings; JSON.stringify escapes every string that came from an artifact.
import type { SeriesReport } from '../analysis/series.js';
import type { BuildRef, ChangeStats } from '../analysis/series-stats.js';
import type { StreamDrift } from '../analysis/series-stream.js';
import type { StablelistOverTime, SymbolHistory } from '../analysis/series-symbols.js';
import type { Change } from '../model/change.js';
import { type Export, formatCrc } from '../model/export.js';

function stats(s: ChangeStats) {
  return {
    added: s.added,
    removed: s.removed,
    crcChanged: s.crcChanged,
    exportTypeChanged: s.exportTypeChanged,
    namespaceChanged: s.namespaceChanged,
    moved: s.moved,
    changes: s.changes,
    symbols: s.symbols,
    breaking: s.breaking,
    share: s.share,
  };
}

/** How a series was ordered, as every series document's JSON gives it. */
export const orderingJson = <O extends { label: string | null; method: string; requested: boolean }>(
  o: O,
): Pick<O, 'label' | 'method' | 'requested'> => ({
  label: o.label,
  method: o.method,
  requested: o.requested,
});

/** A build of a series as every series document's JSON gives it. */
export function buildRefJson(b: BuildRef) {
  return {
    index: b.index,
    name: b.name,
    source: b.source,
    format: b.format,
    exports: b.exports,
    labels: b.labels,
  };
}

function exportJson(e: Export | null) {
  if (e === null) return null;
  return {
    crc: e.crc === null ? null : formatCrc(e.crc),
    module: e.module,
    exportType: e.exportType,
    namespace: e.namespace,
  };
}

function changeJson(c: Change) {
  return {
    kind: c.kind,
    symbol: c.symbol,
    old: exportJson(c.old),
    new: exportJson(c.new),
    breaking: c.breaking,
  };
}

const dump = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** `kabi series --format json`. */
export function seriesJson(r: SeriesReport) {
  return {
    ordering: orderingJson(r.ordering),
    builds: r.builds.map(buildRefJson),
    steps: r.steps.map((s) => ({ from: s.from, to: s.to, ...stats(s) })),
    drift: {
      baseline: r.drift.baseline,
      points: r.drift.points.map((p) => ({ build: p.build, ...stats(p) })),
    },
    epochs: r.epochs.map((e) => ({
      index: e.index,
      first: e.first,
      last: e.last,
      builds: e.builds,
      days: e.days,
      ongoing: e.ongoing,
      exports: e.exports,
      crcDigest: e.digest,
    })),
  };
}

/** `kabi series --streams A B --format json`. */
export function streamDriftJson(d: StreamDrift) {
  return {
    a: { name: d.a.name, builds: d.a.builds.map(buildRefJson) },
    b: { name: d.b.name, builds: d.b.builds.map(buildRefJson) },
    points: d.points.map((p) => ({
      date: p.date,
      a: p.a,
      b: p.b,
      stats: p.stats === null ? null : stats(p.stats),
      zero: p.zero,
      days: p.days,
    })),
    zeroRanges: d.zeroRanges.map((z) => ({ from: z.from, to: z.to, days: z.days })),
    zeroDays: d.zeroDays,
    observedDays: d.observedDays,
  };
}

/** `kabi history SYMBOL --format json`. */
export function symbolHistoryJson(h: SymbolHistory) {
  return {
    symbol: h.symbol,
    builds: h.builds.map(buildRefJson),
    entries: h.entries.map((e) => ({ build: e.build, export: exportJson(e.export), changes: e.changes })),
  };
}

/** `kabi series --stablelist FILE --format json`. */
export function stablelistJson(s: StablelistOverTime) {
  return {
    stablelists: s.stablelists,
    protected: s.protected,
    builds: s.builds.map(buildRefJson),
    perBuild: s.perBuild.map((b) => ({
      build: b.build,
      exported: b.exported,
      missing: b.missing,
      crcMismatch: b.crcMismatch,
    })),
    steps: s.steps.map((st) => ({ from: st.from, to: st.to, changes: st.changes.map(changeJson) })),
  };
}

export type SeriesJson = ReturnType<typeof seriesJson>;
export type StreamDriftJson = ReturnType<typeof streamDriftJson>;
export type SymbolHistoryJson = ReturnType<typeof symbolHistoryJson>;
export type StablelistJson = ReturnType<typeof stablelistJson>;

/** A query over several streams: one result per stream, each under its stream label (null: none). */
export interface StreamSectionsJson<T> {
  groupedBy: 'stream';
  streams: (T & { stream: string | null })[];
}
export type SeriesOutputJson = SeriesJson | StreamSectionsJson<SeriesJson>;
export type SymbolHistoryOutputJson = SymbolHistoryJson | StreamSectionsJson<SymbolHistoryJson>;
export type StablelistOutputJson = StablelistJson | StreamSectionsJson<StablelistJson>;

export const seriesToJson = (r: SeriesReport): string => dump(seriesJson(r));
export const streamDriftToJson = (d: StreamDrift): string => dump(streamDriftJson(d));
export const symbolHistoryToJson = (h: SymbolHistory): string => dump(symbolHistoryJson(h));
export const stablelistToJson = (s: StablelistOverTime): string => dump(stablelistJson(s));
