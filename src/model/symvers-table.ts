// A kernel's exports as columns (one row per export, typed arrays, offsets into the file's bytes): what
// readers/module-symvers-table.ts reads from a plain Module.symvers, and analysis/exports-table-diff.ts
// compares without an object per export.
import { EXPORT_TYPES, type Export, type ExportType } from './export.js';

export interface SymversTable {
  source: string;
  /** The file's text (ASCII); the offsets below point into it. */
  text: string;
  count: number;
  /** Symbol names, row by row (sliced from `text`: the diff keys on them). */
  symbols: string[];
  /** Row by symbol. */
  rows: Map<string, number>;
  crc: Uint32Array;
  /** Index into EXPORT_TYPES. */
  exportType: Uint8Array;
  /** Symbol, module and namespace as [start, end) offsets: 6 numbers per row, in that order. */
  fields: Uint32Array;
  /** Rows whose module is `vmlinux`. */
  vmlinux: number;
}

/** Which pair of `fields` a row's symbol, module and namespace are. */
export const SYMBOL = 0;
export const MODULE = 2;
export const NAMESPACE = 4;

/** Row `r`'s symbol, module or namespace as a string. */
export function tableField(t: SymversTable, r: number, m: number): string {
  return t.text.slice(t.fields[r * 6 + m]!, t.fields[r * 6 + m + 1]!);
}

/** Row `r` as the model's Export: for the rare consumer (policy rules, stablelists) and for tests. */
export function tableExport(t: SymversTable, r: number): Export {
  return {
    symbol: t.symbols[r]!,
    crc: t.crc[r]!,
    module: tableField(t, r, MODULE),
    exportType: EXPORT_TYPES[t.exportType[r]!] as ExportType,
    namespace: tableField(t, r, NAMESPACE),
  };
}
