// Kernel builds as sorted arrays of row numbers into one shared table of export tuples, the columns typed
// arrays: what a series needs of a store (set differences of integers), without 25,000 Export objects a
// build. A store's loadExportIds returns it; `exportOf` makes the few Export objects a report prints.
import type { Export } from './export.js';
import type { ExportsFormat } from './kernel-build.js';

/**
 * Export tuples, one row each. Rows are ordered by symbol name (JavaScript string order, as `sort()` orders
 * names), so a build's rows in ascending order are its exports in name order.
 */
export interface ExportRows {
  /** A row's symbol as its rank in name order: rows of one symbol share it. */
  symbol: Uint32Array;
  crc: Uint32Array;
  /** 1 when the row's CRC is known, 0 when not (`crc` is then 0). */
  hasCrc: Uint8Array;
  /** Interned module name; 0 when unknown. Two rows name the same module when the numbers are equal. */
  module: Uint32Array;
  /** 0 when unknown, else the index in EXPORT_TYPES plus one. */
  exportType: Uint8Array;
  /** Interned namespace; -1 when unknown, 0 for none (''). */
  namespace: Int32Array;
  /** The symbol name of each rank. */
  symbolName(rank: number): string;
  /** The row as an Export, for the few a report prints. */
  exportOf(row: number): Export;
}

/** A kernel build as the rows of its exports: one row per exported symbol, ascending (in name order). */
export interface ExportIdBuild {
  source: string;
  format: ExportsFormat;
  /** As KernelBuild's, with the store entry's `id`. */
  labels: Record<string, string>;
  warnings: string[];
  rows: Uint32Array;
}

export interface ExportIdSeries {
  builds: ExportIdBuild[];
  rows: ExportRows;
}

/**
 * A kernel build's exports as typed columns of its own, one entry per exported symbol, ascending by
 * `symbol`: what a series compares, kept by a store beside the build (so a series reads one record per
 * build, not every export row and every name), with the build's `crcDigest` computed once at ingest.
 */
export interface ExportColumns {
  /** The symbol as a number, ascending: two builds loaded together give one name one number. */
  symbol: Uint32Array;
  crc: Uint32Array;
  /** 1 when the CRC is known, 0 when not (`crc` is then 0). */
  hasCrc: Uint8Array;
  /** Interned module name; 0 when unknown. */
  module: Uint32Array;
  /** 0 when unknown, else the index in EXPORT_TYPES plus one. */
  exportType: Uint8Array;
  /** Interned namespace; -1 when unknown, 0 for none (''). */
  namespace: Int32Array;
}

export interface ExportColumnBuild {
  source: string;
  format: ExportsFormat;
  /** As KernelBuild's, with the store entry's `id`. */
  labels: Record<string, string>;
  warnings: string[];
  exports: ExportColumns;
  /** sha256 of the sorted `symbol<TAB>0xcrc<LF>` lines (`crcDigest` in src/analysis/summary.ts). */
  crcDigest: string;
}
