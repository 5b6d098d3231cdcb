// Verdicts of modules on kernels: a matrix (modules × kernels) and one verdict in full (`kabi why`).
import { reasonAt, reasonCount } from '../analysis/module-compat-reasons.js';
import type { KernelVerdicts } from '../analysis/module-compat-table.js';
import { formatCrc } from '../model/export.js';
import { identityKey, identityLabel, type ModuleIdentity } from '../model/module-image.js';
import {
  type ConfigDependency,
  type Taint,
  taintLetters,
  type Verdict,
  verdictState,
} from '../model/verdict.js';
import { mdCode } from './markdown.js';
import { csvField, textSafe } from './series.js';

export type CompatFormat = 'text' | 'json' | 'markdown' | 'csv';

/** A row of the matrix: one module (by its identity, never by its name alone) on every kernel. */
export interface MatrixRow extends ModuleIdentity {
  cells: (Verdict | undefined)[];
}

/** Modules × kernels, modules and kernels in first-seen order; same-name modules that differ stay apart. */
export function verdictRows(verdicts: readonly Verdict[]): { kernels: string[]; rows: MatrixRow[] } {
  const kernels = [...new Set(verdicts.map((v) => v.kernel))];
  const rows = new Map<string, MatrixRow>();
  for (const v of verdicts) {
    const key = identityKey(v);
    let row = rows.get(key);
    if (!row) {
      row = { module: v.module, from: v.from, builtFor: v.builtFor, source: v.source, cells: [] };
      rows.set(key, row);
    }
    row.cells[kernels.indexOf(v.kernel)] = v;
  }
  return { kernels, rows: [...rows.values()] };
}

/** The identity columns every matrix starts with. */
export const IDENTITY_HEAD = ['module', 'from', 'built for'];
export const identityCells = (i: ModuleIdentity) => [i.module, i.from, i.builtFor ?? '?'];

/**
 * `FAIL n`: n reasons, as many as `kabi why` lists (those the loader stops at and those behind them).
 * `taints OE`: it loads, tainting the kernel with those flags (as /sys/module/X/taint shows them).
 */
const short = (v: Verdict | undefined) => {
  if (!v) return '';
  const state = verdictState(v);
  return state === 'fails'
    ? `FAIL ${reasonCount(v)}`
    : state === 'taints'
      ? `taints ${taintLetters(v.taints)}`
      : 'loads';
};

/** `FAIL n` cells by n: 44,000 cells of 4,022 modules on 11 kernels hold a few dozen distinct strings. */
const failCells: string[] = [];
const failCell = (n: number): string => {
  let cell = failCells[n];
  if (cell === undefined) {
    cell = `FAIL ${n}`;
    if (n < 4096) failCells[n] = cell;
  }
  return cell;
};

/** short() of a verdict given by its parts (a KernelVerdicts row). */
const shortOf = (loads: boolean, taints: readonly Taint[], reasons: number) =>
  !loads ? failCell(reasons) : taints.length ? `taints ${taintLetters(taints)}` : 'loads';

const LEGEND = 'FAIL n: n reasons it would not load; kabi why MODULE KERNEL lists them';
const TAINT_LEGEND =
  'taints XY: loads, tainting the kernel (P licence, F forced, C staging, O out-of-tree, E unsigned)';

/** What the legends need to know, gathered verdict by verdict. */
function legendsSeen() {
  let fails = false;
  let taints = false;
  const unknown = new Set<string>();
  const seeParts = (
    loads: boolean,
    taintList: readonly Taint[] | undefined,
    dependsOn?: readonly ConfigDependency[],
  ) => {
    if (!loads) fails = true;
    else if (!taints && taintList?.length) taints = true;
    for (const d of dependsOn ?? []) unknown.add(d.option);
  };
  return {
    see: (v: Verdict) => seeParts(v.loads, v.taints, v.dependsOn),
    seeParts,
    lines(): string[] {
      const out: string[] = [];
      if (fails) out.push(`(${LEGEND})`);
      if (taints) out.push(`(${TAINT_LEGEND})`);
      if (unknown.size)
        out.push(
          `(depend on what kabi does not know of the kernel: ${[...unknown].join(', ')}; --config FILE, kabi why)`,
        );
      return out;
    },
  };
}

function reasonLine(r: Verdict['reasons'][number]): string {
  let crc = '';
  // Only a reason with both CRCs can show them (40,000 first reasons are written: the rest skip this).
  if (r.wanted !== undefined && r.offered !== undefined) {
    const [wanted, offered] = [formatCrc(r.wanted), formatCrc(r.offered)];
    const said = r.message.includes(wanted) && r.message.includes(offered);
    if (!said) crc = ` [wanted ${wanted}, offered ${offered}]`;
  }
  const where = r.module && r.symbol ? ` (exported by ${r.module})` : '';
  return `${r.alsoFails ? 'would also fail: ' : ''}${r.message}${crc}${where}`;
}

/** Rows of cells as aligned columns, blanks trimmed at the end of each line. */
export function columns(rows: string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/** The matrix alone: identity columns, then `loads` or `FAIL n` per kernel. */
export function matrixLines(verdicts: readonly Verdict[]): string[] {
  const { kernels, rows } = verdictRows(verdicts);
  return columns([
    [...IDENTITY_HEAD, ...kernels].map(textSafe),
    ...rows.map((r) => [...identityCells(r).map(textSafe), ...r.cells.map(short)]),
  ]);
}

/**
 * matrixLines of the verdicts of n modules on each table's kernel, read from the tables, module by module
 * as `modules.flatMap((m) => m.verdicts)` gives them: rows by identity, kernels by name (the last verdict of
 * a cell stands, as there).
 */
export function matrixLinesOfTables(tables: readonly KernelVerdicts[], n: number): string[] {
  const kernels = [...new Set(tables.map((t) => t.kernel))];
  const column = tables.map((t) => kernels.indexOf(t.kernel));
  const rows = new Map<string, { identity: string[]; cells: string[] }>();
  for (let i = 0; i < n; i++) {
    for (const [k, t] of tables.entries()) {
      const id = t.identity(i);
      const key = identityKey(id);
      let row = rows.get(key);
      if (!row) {
        row = { identity: identityCells(id).map(textSafe), cells: [] };
        rows.set(key, row);
      }
      row.cells[column[k]!] = shortOf(t.loads(i), t.taints(i), t.reasonCount(i));
    }
  }
  return columns([
    [...IDENTITY_HEAD, ...kernels].map(textSafe),
    ...[...rows.values()].map((r) => [...r.identity, ...Array.from(r.cells, (c) => c ?? '')]),
  ]);
}

/**
 * `kabi compat`'s text: the matrix, its legends, then why each failing verdict fails. Fed one kernel's
 * verdicts at a time, it keeps a cell and a line per verdict, never the verdicts (4,022 modules on 11
 * kernels are 1.15 million reasons), and gives the text back in pieces of a thousand lines.
 */
export function matrixTextStream(): {
  kernel(verdicts: readonly Verdict[]): void;
  /** A kernel's verdicts as the judge keeps them: the same lines as kernel(table.verdicts()). */
  table(table: KernelVerdicts): void;
  end(): Iterable<string>;
} {
  const kernels: string[] = [];
  const kernelIndex = new Map<string, number>();
  type Row = { of: ModuleIdentity; identity: string[]; cells: string[]; label?: string };
  const rows = new Map<string, Row>();
  // Each kernel's verdicts come in the set's order: the row of the verdict at the same place for the last
  // kernel is tried first (its identity compared field by field), before a key is made and looked up.
  let last: Row[] = [];
  let lastOfTable: Row[] = [];
  const why: string[] = [];
  const seen = legendsSeen();
  const rowOf = (row: Row | undefined, id: ModuleIdentity): Row => {
    if (row && sameIdentity(row.of, id)) return row;
    const key = identityKey(id);
    let known = rows.get(key);
    if (!known) {
      known = { of: identityOf(id), identity: identityCells(id).map(textSafe), cells: [] };
      rows.set(key, known);
    }
    return known;
  };
  return {
    table(t) {
      if (t.length === 0) return;
      let k = kernelIndex.get(t.kernel);
      if (k === undefined) {
        k = kernels.push(t.kernel) - 1;
        kernelIndex.set(t.kernel, k);
      }
      const kernel = textSafe(t.kernel);
      const now: Row[] = new Array(t.length);
      // Joined into one string per kernel: 40,000 lines held to the end as strings of their parts were
      // copied by every young-generation collection on the way.
      const whyNow: string[] = [];
      for (let j = 0; j < t.length; j++) {
        const id = t.identity(j);
        const row = rowOf(lastOfTable[j], id);
        now[j] = row;
        const loads = t.loads(j);
        const taints = t.taints(j);
        const n = t.reasonCount(j);
        row.cells[k] = shortOf(loads, taints, n);
        seen.seeParts(loads, taints, t.dependsOn(j));
        if (!loads) {
          row.label ??= textSafe(identityLabel(id));
          whyNow.push(`  ${row.label} on ${kernel}: ${firstReasonOf(t.reasonAt(j, 0), n)}`);
        }
      }
      if (whyNow.length) why.push(whyNow.join('\n'));
      lastOfTable = now;
    },
    kernel(verdicts) {
      const now: Row[] = new Array(verdicts.length);
      const whyNow: string[] = [];
      for (let j = 0; j < verdicts.length; j++) {
        const v = verdicts[j]!;
        let k = kernelIndex.get(v.kernel);
        if (k === undefined) {
          k = kernels.push(v.kernel) - 1;
          kernelIndex.set(v.kernel, k);
        }
        let row = last[j];
        if (!row || !sameIdentity(row.of, v)) {
          const key = identityKey(v);
          row = rows.get(key);
          if (!row) {
            row = { of: identityOf(v), identity: identityCells(v).map(textSafe), cells: [] };
            rows.set(key, row);
          }
        }
        now[j] = row;
        row.cells[k] = short(v);
        seen.see(v);
        if (!v.loads)
          whyNow.push(`  ${textSafe(identityLabel(v))} on ${textSafe(v.kernel)}: ${firstReason(v)}`);
      }
      if (whyNow.length) why.push(whyNow.join('\n'));
      last = now;
    },
    *end() {
      const out = columns([
        [...IDENTITY_HEAD, ...kernels].map(textSafe),
        ...[...rows.values()].map((r) => [...r.identity, ...r.cells]),
      ]);
      out.push(...seen.lines());
      if (why.length) out.push('', 'Why not (first reasons; kabi why MODULE KERNEL for all):');
      for (let i = 0; i < out.length; i += 1000)
        yield `${i === 0 ? '' : '\n'}${out.slice(i, i + 1000).join('\n')}`;
      // A kernel's lines are one flat string already (10 MB for 11 kernels): given as they are, not
      // copied into a larger piece, and that flattened again by the writer's check.
      for (const lines of why) {
        yield '\n';
        yield lines;
      }
      yield '\n';
    },
  };
}

function matrixText(verdicts: Verdict[]): string {
  const s = matrixTextStream();
  s.kernel(verdicts);
  return [...s.end()].join('');
}

const identityOf = (i: ModuleIdentity): ModuleIdentity => ({
  module: i.module,
  from: i.from,
  builtFor: i.builtFor,
  source: i.source,
});

const sameIdentity = (a: ModuleIdentity, b: ModuleIdentity): boolean =>
  a.module === b.module && a.from === b.from && a.builtFor === b.builtFor && a.source === b.source;

/** The reason the loader meets first, and how many follow it. */
export function firstReason(v: Verdict): string {
  return firstReasonOf(reasonAt(v, 0)!, reasonCount(v));
}

/** firstReason of verdict i of a table, read from the table. */
export function firstReasonAt(t: KernelVerdicts, i: number): string {
  return firstReasonOf(t.reasonAt(i, 0), t.reasonCount(i));
}

function firstReasonOf(first: Verdict['reasons'][number], n: number): string {
  const more = n > 1 ? ` (+${n - 1} more)` : '';
  return `${textSafe(reasonLine(first))}${more}`;
}

/** `kabi why --format json`: every verdict in full, CRCs as `0x%08x`. */
export function verdictsDocument(verdicts: readonly Verdict[]) {
  const crc = (c: number | null | undefined) => (c === undefined ? undefined : formatCrc(c ?? null));
  return verdicts.map((v) => ({
    ...v,
    state: verdictState(v),
    reasons: v.reasons.map((r) => ({ ...r, wanted: crc(r.wanted), offered: crc(r.offered) })),
  }));
}

const verdictsJson = (verdicts: Verdict[]): string =>
  `${JSON.stringify(verdictsDocument(verdicts), null, 2)}\n`;

export const compatRenderers: Record<CompatFormat, (v: Verdict[]) => string> = {
  text: matrixText,
  json: verdictsJson,
  markdown: (verdicts) => {
    const { kernels, rows } = verdictRows(verdicts);
    return markdownTable(
      [...IDENTITY_HEAD, ...kernels.map(mdCode)],
      rows.map((r) => [...identityCells(r).map(mdCode), ...r.cells.map(short)]),
    );
  },
  csv: (verdicts) => {
    const { kernels, rows } = verdictRows(verdicts);
    return csvTable(
      ['module', 'from', 'built_for', ...kernels],
      rows.map((r) => [...identityCells(r), ...r.cells.map(short)]),
    );
  },
};

export const markdownTable = (head: string[], rows: string[][]): string =>
  `${[head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;

export const csvTable = (head: string[], rows: string[][]): string =>
  `${[head, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;

/** One verdict in full: every reason in the order the loader meets it, then the notes. */
export function whyText(v: Verdict): string {
  const out = [`${textSafe(v.module)} on ${textSafe(v.kernel)}: ${stateLine(v)}`];
  out.push(`  from ${textSafe(v.from)}${v.builtFor ? `, built for ${textSafe(v.builtFor)}` : ''}`);
  for (const [i, r] of v.reasons.entries()) out.push(`  ${i + 1}. ${textSafe(reasonLine(r))}`);
  for (const t of v.taints ?? []) out.push(`  taint ${t.flag}: ${textSafe(t.message)}`);
  for (const d of v.dependsOn ?? []) out.push(`  depends on ${d.option} (unknown): ${textSafe(d.message)}`);
  for (const n of v.notes) out.push(`  note: ${textSafe(n)}`);
  return `${out.join('\n')}\n`;
}

/** `LOADS`, `DOES NOT LOAD`, or `LOADS, TAINTS THE KERNEL: out-of-tree (O), unsigned (E)`. */
function stateLine(v: Verdict): string {
  const state = verdictState(v);
  if (state !== 'taints') return state === 'loads' ? 'LOADS' : 'DOES NOT LOAD';
  const why = [...new Map((v.taints ?? []).map((t) => [t.flag, `${t.code} (${t.flag})`])).values()];
  return `LOADS, TAINTS THE KERNEL: ${why.join(', ')}`;
}

/**
 * The weak-modules question for an installed set (`/lib/modules/<release>/updates`, `extra`, DKMS's
 * installed-abi): which modules each kernel can use as they are, and which need a rebuild, and why.
 */
export function usableText(verdicts: Verdict[]): string {
  const out: string[] = [];
  for (const kernel of [...new Set(verdicts.map((v) => v.kernel))]) {
    const on = verdicts.filter((v) => v.kernel === kernel);
    const usable = on
      .filter((v) => v.loads)
      .map(
        (v) => textSafe(identityLabel(v)) + (v.taints?.length ? ` (taints ${taintLetters(v.taints)})` : ''),
      );
    const rebuild = on.filter((v) => !v.loads);
    out.push(`${textSafe(kernel)}: ${usable.length} usable as they are, ${rebuild.length} need a rebuild`);
    if (usable.length) out.push(`  usable: ${usable.join(', ')}`);
    for (const v of rebuild) out.push(`  rebuild ${textSafe(identityLabel(v))}: ${firstReason(v)}`);
  }
  return `${out.join('\n')}\n`;
}
