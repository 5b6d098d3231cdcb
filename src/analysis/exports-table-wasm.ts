// compareTables (exports-table-diff.ts) over two tables in the WebAssembly core's memory
// (readers/module-symvers-wasm.ts): the join, the sort and the default severities done there, the
// summary and verdict here. Only under a policy without rules or stablelists (the module knows no
// rules); the caller takes the JavaScript path for any other. A test holds the two equal.
import type { Policy } from '../model/policy.js';
import { DIFF, symversWasm, type WasmSymversTable } from '../model/symvers-wasm.js';
import type { DiffReport, DiffSummary } from './check.js';
import { tableReportHead } from './exports-table-diff.js';
import { DEFAULT_POLICY } from './severity.js';

export interface WasmTableDiffReport extends Omit<DiffReport, 'changes'> {
  oldTable: WasmSymversTable;
  newTable: WasmSymversTable;
  /** The diff's address in the module's memory (DIFF in model/symvers-wasm.ts). */
  diff: number;
  count: number;
  /** The widest changed symbol, between 8 and 48 (the text report's column). */
  width: number;
}

const SEVERITY = { ignore: 0, warn: 1, fail: 2 } as const;

/** The report, or null for a policy with rules or stablelists. */
export function compareWasmTables(
  a: WasmSymversTable,
  b: WasmSymversTable,
  policy: Policy = DEFAULT_POLICY,
): WasmTableDiffReport | null {
  const wasm = symversWasm();
  if (wasm === null || policy.rules.length > 0 || policy.stablelists.length > 0) return null;
  const d = wasm.x.diff(a.ptr, b.ptr, SEVERITY[policy.defaults.breaking], SEVERITY[policy.defaults.harmless]);
  const kind = (k: number) => wasm.u32(d + DIFF.byKind + 4 * k);
  const severity = (s: number) => wasm.u32(d + DIFF.bySeverity + 4 * s);
  // The same keys in the same order as summarize() in exports-table-diff.ts: JSON prints them so.
  const summary: DiffSummary = {
    added: kind(5),
    removed: kind(0),
    crcChanged: kind(1),
    exportTypeChanged: kind(2),
    namespaceChanged: kind(3),
    moved: kind(4),
    fail: severity(2),
    warn: severity(1),
    ignore: severity(0),
  };
  return {
    ...tableReportHead(a, b, policy, summary),
    oldTable: a,
    newTable: b,
    diff: d,
    count: wasm.u32(d + DIFF.count),
    width: wasm.u32(d + DIFF.width),
  };
}

/** The changes as columns (as TableChanges' kind, old, new, breaking, severity): for tests. */
export function wasmChanges(r: WasmTableDiffReport): {
  kind: number[];
  old: number[];
  new: number[];
  breaking: number[];
  severity: number[];
} {
  const wasm = symversWasm()!;
  const at = wasm.u32(r.diff + DIFF.changes);
  const c = {
    kind: [] as number[],
    old: [] as number[],
    new: [] as number[],
    breaking: [] as number[],
    severity: [] as number[],
  };
  const view = new DataView(wasm.x.memory.buffer);
  for (let i = 0; i < r.count; i++) {
    const meta = view.getUint32(at + 12 * i, true);
    c.kind.push(meta & 0xff);
    c.breaking.push((meta >>> 8) & 0xff);
    c.severity.push((meta >>> 16) & 0xff);
    c.old.push(view.getInt32(at + 12 * i + 4, true));
    c.new.push(view.getInt32(at + 12 * i + 8, true));
  }
  return c;
}
