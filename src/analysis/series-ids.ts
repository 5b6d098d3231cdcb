// `seriesReport` over builds as export rows (a store's loadExportIds): the same report, byte for byte,
// from merges of sorted integer arrays instead of Maps of Export objects. A row is one stored tuple, so
// equal rows are an unchanged export, as equal Export objects are in loadBuilds' builds.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { EXPORT_TYPES, formatCrc, isGplOnly } from '../model/export.js';
import type {
  ExportColumnBuild,
  ExportColumns,
  ExportIdBuild,
  ExportIdSeries,
  ExportRows,
} from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { epochsOf, type SeriesOptions, type SeriesReport } from './series.js';
import { type OrderableBuild, orderBuilds } from './series-order.js';
import { type BuildRef, type ChangeStats, emptyStats } from './series-stats.js';

export function seriesReportOfIds(series: ExportIdSeries, opts: SeriesOptions = {}): SeriesReport {
  const { builds, rows } = series;
  return seriesReportOf(
    builds,
    {
      compare: (a, b) => compareRowStats(rows, a, b),
      same: (a, b) => sameCrcRows(rows, a, b),
      size: (b) => b.rows.length,
    },
    (b) => rowsCrcDigest(rows, b),
    opts,
  );
}

/**
 * The same report from each build's own export columns (a store's loadExportColumns), with the digests
 * the store kept: no shared table to build, no names to read.
 */
export function seriesReportOfColumns(
  builds: readonly ExportColumnBuild[],
  opts: SeriesOptions = {},
): SeriesReport {
  return seriesReportOf(
    builds,
    {
      compare: (a, b) => compareColumns(a.exports, b.exports),
      same: (a, b) => sameCrcColumns(a.exports, b.exports),
      size: (b) => b.exports.symbol.length,
    },
    (b) => b.crcDigest,
    opts,
  );
}

/** The columns a comparison reads. */
type Columns = Omit<ExportRows, 'symbolName' | 'exportOf'>;

/** How a series compares its builds: stats of one against another, equal (symbol, crc) sets, size. */
interface Comparer<B> {
  compare(old: B, next: B): ChangeStats;
  same(a: B, b: B): boolean;
  size(b: B): number;
}

interface SeriesBuild extends OrderableBuild {
  source: string;
  format: ExportsFormat;
}

function seriesReportOf<B extends SeriesBuild>(
  builds: readonly B[],
  by: Comparer<B>,
  digest: (b: B) => string,
  opts: SeriesOptions,
): SeriesReport {
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  const baseline = opts.baseline ?? 0;
  if (!Number.isInteger(baseline) || baseline < 0 || baseline >= ordered.length)
    // seriesDrift's message, for the same mistake.
    throw new UsageError(`baseline ${baseline} is not a build of the series (0..${ordered.length - 1})`);
  // The first step and the first drift point are one comparison when the baseline is the first build.
  const pairs = new Map<string, ChangeStats>();
  const compare = (i: number, j: number) => {
    const key = `${i}:${j}`;
    let stats = pairs.get(key);
    if (!stats) {
      stats = by.compare(ordered[i]!, ordered[j]!);
      pairs.set(key, stats);
    }
    return stats;
  };
  return {
    ordering,
    builds: ordered.map(
      (b, index): BuildRef => ({
        index,
        name: b.labels.release ?? b.labels.version ?? b.source,
        source: b.source,
        format: b.format,
        exports: by.size(b),
        labels: { ...b.labels },
      }),
    ),
    steps: ordered.slice(1).map((_, i) => ({ from: i, to: i + 1, ...compare(i, i + 1) })),
    drift: {
      baseline,
      points: ordered.map((_, build) => ({ build, ...compare(baseline, build) })),
    },
    epochs: epochsOf(ordered, by.same, digest, by.size),
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
    if (n !== o && countChanges(t, o, t, n, s) > 0) oldChanged++;
  }
  return finish(s, a.length, b.length, oldChanged);
}

/** The same merge over two builds' own columns: a row is unchanged when all its fields are equal. */
export function compareColumns(a: ExportColumns, b: ExportColumns): ChangeStats {
  const s = emptyStats(0);
  const na = a.symbol.length;
  const nb = b.symbol.length;
  // The baseline against itself, in every drift.
  if (a === b) return finish(s, na, nb, 0);
  // Columns in locals: a cold server runs this loop before the JIT has compiled it.
  const [symA, crcA, hasA, modA, typeA, nsA] = [
    a.symbol,
    a.crc,
    a.hasCrc,
    a.module,
    a.exportType,
    a.namespace,
  ];
  const [symB, crcB, hasB, modB, typeB, nsB] = [
    b.symbol,
    b.crc,
    b.hasCrc,
    b.module,
    b.exportType,
    b.namespace,
  ];
  let oldChanged = 0;
  let crcChanged = 0;
  let j = 0;
  for (let i = 0; i < na; i++) {
    const key = symA[i]!;
    while (j < nb && symB[j]! < key) j++;
    if (j === nb || symB[j] !== key) {
      s.removed++;
      s.breaking++;
      oldChanged++;
      continue;
    }
    const n = j++;
    if (hasA[i] === hasB[n] && modA[i] === modB[n] && typeA[i] === typeB[n] && nsA[i] === nsB[n]) {
      if (crcA[i] === crcB[n]) continue;
      // Only the CRC moved: what most rows of an ABI bump are, counted here without countChanges.
      if (hasA[i] === 1) {
        crcChanged++;
        oldChanged++;
        continue;
      }
    }
    if (countChanges(a, i, b, n, s) > 0) oldChanged++;
  }
  s.crcChanged += crcChanged;
  s.breaking += crcChanged;
  return finish(s, na, nb, oldChanged);
}

function finish(s: ChangeStats, oldSize: number, newSize: number, oldChanged: number): ChangeStats {
  s.added = newSize - (oldSize - s.removed);
  s.changes = s.added + s.removed + s.crcChanged + s.exportTypeChanged + s.namespaceChanged + s.moved;
  s.symbols = oldChanged + s.added;
  s.share = oldSize === 0 ? null : oldChanged / oldSize;
  return s;
}

/** diffExports' field rules (a field is compared only when both sides know it), on columns. */
function countChanges(t: Columns, o: number, u: Columns, n: number, s: ChangeStats): number {
  let kinds = 0;
  if (t.hasCrc[o] && u.hasCrc[n] && t.crc[o] !== u.crc[n]) {
    s.crcChanged++;
    s.breaking++;
    kinds++;
  }
  const ot = t.exportType[o]!;
  const nt = u.exportType[n]!;
  if (ot !== 0 && nt !== 0 && ot !== nt) {
    s.exportTypeChanged++;
    if (isGplOnly(EXPORT_TYPES[nt - 1]!) && !isGplOnly(EXPORT_TYPES[ot - 1]!)) s.breaking++;
    kinds++;
  }
  const ons = t.namespace[o]!;
  const nns = u.namespace[n]!;
  if (ons !== -1 && nns !== -1 && ons !== nns) {
    s.namespaceChanged++;
    if (nns !== 0) s.breaking++;
    kinds++;
  }
  const om = t.module[o]!;
  const nm = u.module[n]!;
  if (om !== 0 && nm !== 0 && om !== nm) {
    s.moved++;
    kinds++;
  }
  return kinds;
}

/** Whether two builds offer the same (symbol, crc) pairs. */
function sameCrcRows(t: ExportRows, a: ExportIdBuild, b: ExportIdBuild): boolean {
  if (a.rows.length !== b.rows.length) return false;
  for (let i = 0; i < a.rows.length; i++) {
    const x = a.rows[i]!;
    const y = b.rows[i]!;
    if (x === y) continue;
    if (t.symbol[x] !== t.symbol[y] || t.hasCrc[x] !== t.hasCrc[y] || t.crc[x] !== t.crc[y]) return false;
  }
  return true;
}

function sameCrcColumns(a: ExportColumns, b: ExportColumns): boolean {
  // memcmp of each column: the JIT may not have compiled a loop yet.
  const equal = (x: Uint32Array | Uint8Array, y: Uint32Array | Uint8Array) =>
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
      Buffer.from(y.buffer, y.byteOffset, y.byteLength),
    );
  return (
    a.symbol.length === b.symbol.length &&
    equal(a.symbol, b.symbol) &&
    equal(a.hasCrc, b.hasCrc) &&
    equal(a.crc, b.crc)
  );
}

/** `crcDigest` of a build: its rows are already in name order. */
export function rowsCrcDigest(t: ExportRows, b: ExportIdBuild): string {
  let text = '';
  for (const r of b.rows)
    text += `${t.symbolName(t.symbol[r]!)}\t${formatCrc(t.hasCrc[r] ? t.crc[r]! : null)}\n`;
  return createHash('sha256').update(text).digest('hex');
}
