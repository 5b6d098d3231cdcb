// compareBuilds over two Module.symvers tables (readers/module-symvers-table.ts): the same changes, the
// same order, severities and verdict, kept as columns (row numbers and codes) instead of one object per
// change. With ~20,000 changes the objects, not the comparison, were what cost.
// diffExports (exports-diff.ts) stays the definition; a test holds the two deep-equal.
import {
  CHANGE_KINDS,
  type Change,
  type ChangeKind,
  type JudgedChange,
  type Severity,
} from '../model/change.js';
import { EXPORT_TYPES, isGplOnly } from '../model/export.js';
import type { Policy } from '../model/policy.js';
import { type SymversTable, tableExport } from '../model/symvers-table.js';
import { type DiffReport, type DiffSummary, summarizeChanges, verdictOf } from './check.js';
import { DEFAULT_POLICY, judgeChange } from './severity.js';

export const SEVERITIES: readonly Severity[] = ['ignore', 'warn', 'fail'];

/** The changes, in report order (by kind as CHANGE_KINDS, then symbol): one slot per change. */
export interface TableChanges {
  count: number;
  /** Index into CHANGE_KINDS. */
  kind: Uint8Array;
  /** Row in the old table, -1 for added. */
  old: Int32Array;
  /** Row in the new table, -1 for removed. */
  new: Int32Array;
  breaking: Uint8Array;
  /** Index into SEVERITIES. */
  severity: Uint8Array;
  /** What decided each severity; null when every one is `default` (a policy without rules or lists). */
  rule: string[] | null;
  /** With stablelists: whether each symbol is on one; null otherwise (as JudgedChange.protected). */
  protected: boolean[] | null;
}

export interface TableDiffReport extends Omit<DiffReport, 'changes'> {
  oldTable: SymversTable;
  newTable: SymversTable;
  changes: TableChanges;
}

const KIND: Record<ChangeKind, number> = Object.fromEntries(CHANGE_KINDS.map((k, i) => [k, i])) as Record<
  ChangeKind,
  number
>;
const SEVERITY: Record<Severity, number> = { ignore: 0, warn: 1, fail: 2 };
const GPL_ONLY = EXPORT_TYPES.map((t) => isGplOnly(t));

/**
 * Whether compareBuilds would judge the pair (both export something, both kernels or both modules only);
 * when not, the caller takes the general path, which says why.
 */
export function tablesComparable(
  a: Pick<SymversTable, 'count' | 'vmlinux'>,
  b: Pick<SymversTable, 'count' | 'vmlinux'>,
): boolean {
  return a.count > 0 && b.count > 0 && a.vmlinux > 0 === b.vmlinux > 0;
}

/** What a report of two tables says before its changes; both paths (here and the WebAssembly core) share it. */
export function tableReportHead(
  a: { source: string; count: number },
  b: { source: string; count: number },
  policy: Policy,
  summary: DiffSummary,
): Omit<DiffReport, 'changes'> {
  const { verdict, exitCode } = verdictOf(summary);
  return {
    old: { source: a.source, format: 'module-symvers', exports: a.count },
    new: { source: b.source, format: 'module-symvers', exports: b.count },
    policy: policy.name,
    summary,
    verdict,
    exitCode,
    warnings: [],
  };
}

export function compareTables(
  a: SymversTable,
  b: SymversTable,
  policy: Policy = DEFAULT_POLICY,
): TableDiffReport {
  const byKind = diffRows(a, b);
  const changes = judgeRows(byKind, a, b, policy);
  return { ...tableReportHead(a, b, policy, summarize(changes)), oldTable: a, newTable: b, changes };
}

/** Per kind, [old row, new row] pairs, each kind sorted by symbol. */
function diffRows(a: SymversTable, b: SymversTable): number[][] {
  const out: number[][] = CHANGE_KINDS.map(() => []);
  const index = b.rows;
  const matched = new Uint8Array(b.count);
  // Each old row's new row (-1: removed), so that sortPairs finds a pair again with one lookup.
  const partner = new Int32Array(a.count);
  const fa = a.fields;
  const fb = b.fields;
  for (let i = 0; i < a.count; i++) {
    const j = index.get(a.symbols[i]!);
    if (j === undefined) {
      partner[i] = -1;
      out[KIND.removed]!.push(i, -1);
      continue;
    }
    partner[i] = j;
    matched[j] = 1;
    if (a.crc[i] !== b.crc[j]) out[KIND['crc-changed']]!.push(i, j);
    // Module, export type and namespace at once: the rest of the line (module to its end) is nearly
    // always the same text, and one builtin comparison costs less than three field comparisons.
    const ra = fa[i * 6 + 2]!;
    const rb = fb[j * 6 + 2]!;
    const length = fb[j * 6 + 5]! - rb;
    if (fa[i * 6 + 5]! - ra === length && a.text.startsWith(b.text.substring(rb, rb + length), ra)) continue;
    if (a.exportType[i] !== b.exportType[j]) out[KIND['export-type-changed']]!.push(i, j);
    if (!sameRange(a.text, fa[i * 6 + 4]!, fa[i * 6 + 5]!, b.text, fb[j * 6 + 4]!, fb[j * 6 + 5]!))
      out[KIND['namespace-changed']]!.push(i, j);
    if (!sameRange(a.text, fa[i * 6 + 2]!, fa[i * 6 + 3]!, b.text, fb[j * 6 + 2]!, fb[j * 6 + 3]!))
      out[KIND.moved]!.push(i, j);
  }
  for (let j = 0; j < b.count; j++) if (matched[j] === 0) out[KIND.added]!.push(-1, j);
  return out.map((pairs, k) => sortPairs(pairs, a, b, k, partner));
}

function sameRange(x: string, x0: number, x1: number, y: string, y0: number, y1: number): boolean {
  if (x1 - x0 !== y1 - y0) return false;
  for (let i = 0; i < x1 - x0; i++) if (x.charCodeAt(x0 + i) !== y.charCodeAt(y0 + i)) return false;
  return true;
}

/**
 * Pairs ordered by the symbol of their old row (their new row for additions), as `<` orders strings:
 * the symbols sorted by Array#sort's own string order (the same code-unit order, with no call into
 * JavaScript per comparison), then each found again by its row.
 */
function sortPairs(
  pairs: number[],
  a: SymversTable,
  b: SymversTable,
  kind: number,
  partner: Int32Array,
): number[] {
  const n = pairs.length / 2;
  if (n < 2) return pairs;
  const byNew = kind === KIND.added;
  const own = byNew ? b : a;
  const symbols = new Array<string>(n);
  for (let k = 0; k < n; k++) symbols[k] = own.symbols[pairs[2 * k + (byNew ? 1 : 0)]!]!;
  symbols.sort();
  const sorted = new Array<number>(pairs.length);
  for (let k = 0; k < n; k++) {
    const row = own.rows.get(symbols[k]!)!;
    sorted[2 * k] = byNew ? -1 : row;
    sorted[2 * k + 1] = byNew ? row : partner[row]!;
  }
  return sorted;
}

function judgeRows(byKind: number[][], a: SymversTable, b: SymversTable, policy: Policy): TableChanges {
  const count = byKind.reduce((n, p) => n + p.length / 2, 0);
  const c: TableChanges = {
    count,
    kind: new Uint8Array(count),
    old: new Int32Array(count),
    new: new Int32Array(count),
    breaking: new Uint8Array(count),
    severity: new Uint8Array(count),
    rule: null,
    protected: null,
  };
  let k = 0;
  for (let kind = 0; kind < byKind.length; kind++) {
    const pairs = byKind[kind]!;
    for (let p = 0; p < pairs.length; p += 2, k++) {
      c.kind[k] = kind;
      c.old[k] = pairs[p]!;
      c.new[k] = pairs[p + 1]!;
      c.breaking[k] = breaking(CHANGE_KINDS[kind]!, a, pairs[p]!, b, pairs[p + 1]!) ? 1 : 0;
    }
  }
  if (policy.rules.length === 0 && policy.stablelists.length === 0) {
    // judgeChange without a rule or a list: the defaults, by whether the change breaks.
    const broken = SEVERITY[policy.defaults.breaking];
    const harmless = SEVERITY[policy.defaults.harmless];
    for (let i = 0; i < count; i++) c.severity[i] = c.breaking[i] ? broken : harmless;
    return c;
  }
  c.rule = new Array<string>(count);
  c.protected = new Array<boolean>(count);
  for (let i = 0; i < count; i++) {
    const j = judgeChange(tableChange(c, i, a, b), policy);
    c.severity[i] = SEVERITY[j.severity];
    c.rule[i] = j.rule;
    c.protected[i] = j.protected as boolean;
  }
  if (policy.stablelists.length === 0) c.protected = null;
  return c;
}

/** As compareExport (exports-diff.ts) decides it. */
function breaking(kind: ChangeKind, a: SymversTable, i: number, b: SymversTable, j: number): boolean {
  switch (kind) {
    case 'removed':
    case 'crc-changed':
      return true;
    case 'export-type-changed':
      return GPL_ONLY[b.exportType[j]!]! && !GPL_ONLY[a.exportType[i]!]!;
    case 'namespace-changed':
      return b.fields[j * 6 + 5]! > b.fields[j * 6 + 4]!;
    default:
      return false;
  }
}

/** Change `i` as the model's object. */
export function tableChange(c: TableChanges, i: number, a: SymversTable, b: SymversTable): Change {
  const o = c.old[i]!;
  const n = c.new[i]!;
  const kind = CHANGE_KINDS[c.kind[i]!]!;
  return {
    kind,
    symbol: o >= 0 ? a.symbols[o]! : b.symbols[n]!,
    old: o >= 0 ? tableExport(a, o) : null,
    new: n >= 0 ? tableExport(b, n) : null,
    breaking: c.breaking[i] === 1,
  };
}

function summarize(c: TableChanges): DiffSummary {
  const s: DiffSummary = {
    added: 0,
    removed: 0,
    crcChanged: 0,
    exportTypeChanged: 0,
    namespaceChanged: 0,
    moved: 0,
    fail: 0,
    warn: 0,
    ignore: 0,
  };
  const byKind = [0, 0, 0, 0, 0, 0];
  const bySeverity = [0, 0, 0];
  for (let i = 0; i < c.count; i++) {
    byKind[c.kind[i]!]!++;
    bySeverity[c.severity[i]!]!++;
  }
  s.removed = byKind[KIND.removed]!;
  s.crcChanged = byKind[KIND['crc-changed']]!;
  s.exportTypeChanged = byKind[KIND['export-type-changed']]!;
  s.namespaceChanged = byKind[KIND['namespace-changed']]!;
  s.moved = byKind[KIND.moved]!;
  s.added = byKind[KIND.added]!;
  s.fail = bySeverity[2]!;
  s.warn = bySeverity[1]!;
  s.ignore = bySeverity[0]!;
  return s;
}

/** The report as compareBuilds builds it, objects and all: for renderers without a table path, and tests. */
export function tableReportToDiffReport(r: TableDiffReport): DiffReport {
  const { oldTable: a, newTable: b, changes: c, ...rest } = r;
  const changes: JudgedChange[] = [];
  for (let i = 0; i < c.count; i++) {
    changes.push({
      ...tableChange(c, i, a, b),
      severity: SEVERITIES[c.severity[i]!]!,
      rule: c.rule?.[i] ?? 'default',
      protected: c.protected?.[i] ?? null,
    });
  }
  const summary = summarizeChanges(changes);
  return { ...rest, summary, changes };
}
