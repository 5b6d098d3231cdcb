// `seriesReport` over builds as export rows (a store's loadExportIds): the same report, byte for byte,
// from merges of sorted integer arrays instead of Maps of Export objects. A row is one stored tuple, so
// equal rows are an unchanged export, as equal Export objects are in loadBuilds' builds.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { EXPORT_TYPES, formatCrc, isGplOnly } from '../model/export.js';
import type { ExportIdBuild, ExportIdSeries, ExportRows } from '../model/export-rows.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { type AbiEpoch, epochsOf, type SeriesOptions, type SeriesReport } from './series.js';
import { orderBuilds } from './series-order.js';
import { type BuildRef, type ChangeStats, emptyStats } from './series-stats.js';

export function seriesReportOfIds(series: ExportIdSeries, opts: SeriesOptions = {}): SeriesReport {
  const { builds, rows } = series;
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  const baseline = opts.baseline ?? 0;
  if (!Number.isInteger(baseline) || baseline < 0 || baseline >= ordered.length)
    // seriesDrift's message, for the same mistake.
    throw new UsageError(`baseline ${baseline} is not a build of the series (0..${ordered.length - 1})`);
  const base = ordered[baseline]!;
  return {
    ordering,
    builds: ordered.map(
      (b, index): BuildRef => ({
        index,
        name: b.labels.release ?? b.labels.version ?? b.source,
        source: b.source,
        format: b.format,
        exports: b.rows.length,
        labels: { ...b.labels },
      }),
    ),
    steps: ordered.slice(1).map((b, i) => ({ from: i, to: i + 1, ...compareRowStats(rows, ordered[i]!, b) })),
    drift: {
      baseline,
      points: ordered.map((b, build) => ({ build, ...compareRowStats(rows, base, b) })),
    },
    epochs: rowEpochs(rows, ordered),
  };
}

/** `compareBuildStats` over rows: a merge of two builds' rows, both in symbol order. */
export function compareRowStats(t: ExportRows, old: ExportIdBuild, next: ExportIdBuild): ChangeStats {
  const s = emptyStats(0);
  const a = old.rows;
  const b = next.rows;
  const sym = t.symbol;
  let oldChanged = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const o = a[i]!;
    const key = sym[o]!;
    while (j < b.length && sym[b[j]!]! < key) j++;
    if (j === b.length || sym[b[j]!] !== key) {
      s.removed++;
      s.breaking++;
      oldChanged++;
      continue;
    }
    const n = b[j++]!;
    if (n !== o && countRowChanges(t, o, n, s) > 0) oldChanged++;
  }
  s.added = b.length - (a.length - s.removed);
  s.changes = s.added + s.removed + s.crcChanged + s.exportTypeChanged + s.namespaceChanged + s.moved;
  s.symbols = oldChanged + s.added;
  s.share = a.length === 0 ? null : oldChanged / a.length;
  return s;
}

/** diffExports' field rules (a field is compared only when both sides know it), on columns. */
function countRowChanges(t: ExportRows, o: number, n: number, s: ChangeStats): number {
  let kinds = 0;
  if (t.hasCrc[o] && t.hasCrc[n] && t.crc[o] !== t.crc[n]) {
    s.crcChanged++;
    s.breaking++;
    kinds++;
  }
  const ot = t.exportType[o]!;
  const nt = t.exportType[n]!;
  if (ot !== 0 && nt !== 0 && ot !== nt) {
    s.exportTypeChanged++;
    if (isGplOnly(EXPORT_TYPES[nt - 1]!) && !isGplOnly(EXPORT_TYPES[ot - 1]!)) s.breaking++;
    kinds++;
  }
  const ons = t.namespace[o]!;
  const nns = t.namespace[n]!;
  if (ons !== -1 && nns !== -1 && ons !== nns) {
    s.namespaceChanged++;
    if (nns !== 0) s.breaking++;
    kinds++;
  }
  const om = t.module[o]!;
  const nm = t.module[n]!;
  if (om !== 0 && nm !== 0 && om !== nm) {
    s.moved++;
    kinds++;
  }
  return kinds;
}

function rowEpochs(t: ExportRows, ordered: readonly ExportIdBuild[]): AbiEpoch[] {
  const same = (a: ExportIdBuild, b: ExportIdBuild) => {
    if (a.rows.length !== b.rows.length) return false;
    for (let i = 0; i < a.rows.length; i++) {
      const x = a.rows[i]!;
      const y = b.rows[i]!;
      if (x === y) continue;
      if (t.symbol[x] !== t.symbol[y] || t.hasCrc[x] !== t.hasCrc[y] || t.crc[x] !== t.crc[y]) return false;
    }
    return true;
  };
  return epochsOf(
    ordered,
    same,
    (b) => rowsCrcDigest(t, b),
    (b) => b.rows.length,
  );
}

/** `crcDigest` of a build: its rows are already in name order. */
export function rowsCrcDigest(t: ExportRows, b: ExportIdBuild): string {
  let text = '';
  for (const r of b.rows)
    text += `${t.symbolName(t.symbol[r]!)}\t${formatCrc(t.hasCrc[r] ? t.crc[r]! : null)}\n`;
  return createHash('sha256').update(text).digest('hex');
}
