// `kabi diff` of two Module.symvers tables, as JSON and as uncoloured text: byte for byte what diffToJson
// and diffToText write for the same report (tests hold them equal), written straight into a Buffer.
// Table fields are printable ASCII (module-symvers-table.ts), so they are copied as bytes: printable()
// leaves them as they are, and JSON needs only `"` and `\` escaped.

import type { DiffReport } from '../analysis/check.js';
import { SEVERITIES, type TableDiffReport } from '../analysis/exports-table-diff.js';
import { printable } from '../errors.js';
import { CHANGE_KINDS } from '../model/change.js';
import { EXPORT_TYPES, formatCrc } from '../model/export.js';
import { MODULE, NAMESPACE, type SymversTable, tableField } from '../model/symvers-table.js';
import { ByteWriter } from './byte-writer.js';
import { KIND_TITLE, verdictLine } from './messages.js';
import type { TextOptions } from './text.js';

const PLAIN = /^[A-Za-z0-9_.$/ ,:()+-]*$/;
const jsonString = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/** The JSON report's fields before its changes, in the order `kabi diff -f json` prints them. */
export function jsonHead(r: Omit<DiffReport, 'changes'>) {
  const { old, new: next, policy, verdict, exitCode, summary, warnings } = r;
  return { old, new: next, policy, verdict, exitCode, summary, warnings };
}

export function tableDiffToJson(r: TableDiffReport): Buffer {
  const { oldTable: a, newTable: b, changes: c } = r;
  const head = jsonHead(r);
  const w = new ByteWriter(c.count * 320 + 4096);
  w.text(JSON.stringify(head, null, 2).slice(0, -2));
  if (c.count === 0) {
    w.text(',\n  "changes": []\n}\n');
    return w.done();
  }
  const qa = quoting(a);
  const qb = quoting(b);
  if (qa === quoted && qb === quoted && c.rule === null && c.protected === null) {
    plainRows(w, r);
    return w.done();
  }
  w.text(',\n  "changes": [\n    ');
  for (let i = 0; i < c.count; i++) {
    const o = c.old[i]!;
    const n = c.new[i]!;
    const symbol = o >= 0 ? qa(a.symbols[o]!) : qb(b.symbols[n]!);
    const rule = c.rule === null ? '"default"' : jsonString(c.rule[i]!);
    const row =
      `${i > 0 ? ',\n    ' : ''}{"kind":"${CHANGE_KINDS[c.kind[i]!]}","symbol":${symbol},"old":${exportJson(a, o, qa)},"new":${exportJson(b, n, qb)},` +
      `"severity":"${SEVERITIES[c.severity[i]!]}","rule":${rule},"breaking":${c.breaking[i] === 1},"protected":${c.protected?.[i] ?? null}}`;
    w.line(row);
  }
  w.text('\n  ]\n}\n');
  return w.done();
}

const quoted = (s: string) => `"${s}"`;
const escaped = (s: string) => JSON.stringify(s);

/** How a table's fields become JSON strings: printable ASCII needs `"` and `\` escaped, if it has any. */
function quoting(t: SymversTable): (s: string) => string {
  // includes() is a memchr; the character class ran ~5× slower over a 1.7 MB file.
  return t.text.includes('"') || t.text.includes('\\') ? escaped : quoted;
}

// The constant parts of a change's JSON, for plainRows (and the WebAssembly writer, diff-table-wasm.ts).
export const OPEN = CHANGE_KINDS.map((k) => `{"kind":"${k}","symbol":"`);
export const TYPE = EXPORT_TYPES.map((t) => `","exportType":"${t}","namespace":"`);
export const CLOSE = SEVERITIES.flatMap((s) =>
  [false, true].map(
    (breaking) => `,"severity":"${s}","rule":"default","breaking":${breaking},"protected":null}`,
  ),
);

/**
 * The changes as the loop in tableDiffToJson writes them, when nothing needs escaping and no rule or
 * list decided a severity (the usual diff): each row one concatenation with its constant parts made
 * once, not a template of ~30 pieces and three calls per export. At a CLI's start this loop runs
 * unoptimised, where every piece and call costs.
 */
function plainRows(w: ByteWriter, r: TableDiffReport): void {
  const { oldTable: a, newTable: b, changes: c } = r;
  w.text(',\n  "changes": [');
  for (let i = 0; i < c.count; i++) {
    const o = c.old[i]!;
    const n = c.new[i]!;
    w.line(
      (i > 0 ? ',\n    ' : '\n    ') +
        OPEN[c.kind[i]!] +
        (o >= 0 ? a.symbols[o]! : b.symbols[n]!) +
        '","old":' +
        plainExport(a, o) +
        ',"new":' +
        plainExport(b, n) +
        CLOSE[c.severity[i]! * 2 + c.breaking[i]!],
    );
  }
  w.text('\n  ]\n}\n');
}

function plainExport(t: SymversTable, r: number): string {
  if (r < 0) return 'null';
  const f = r * 6;
  return `{"crc":"${formatCrc(t.crc[r]!)}","module":"${t.text.substring(t.fields[f + 2]!, t.fields[f + 3]!)}${TYPE[t.exportType[r]!]}${t.text.substring(t.fields[f + 4]!, t.fields[f + 5]!)}"}`;
}

function exportJson(t: SymversTable, r: number, q: (s: string) => string): string {
  if (r < 0) return 'null';
  return `{"crc":"${formatCrc(t.crc[r]!)}","module":${q(tableField(t, r, MODULE))},"exportType":"${EXPORT_TYPES[t.exportType[r]!]}","namespace":${q(tableField(t, r, NAMESPACE))}}`;
}

export const SEVERITY_TEXT = ['ign ', 'warn', 'FAIL'];

/** diffToText without colours. */
export function tableDiffToText(r: TableDiffReport, opts: TextOptions): Buffer {
  const { oldTable: a, newTable: b, changes: c } = r;
  const s = r.summary;
  const w = new ByteWriter(opts.limit === null ? c.count * 120 + 4096 : 65536);
  w.text(
    [
      `kABI diff  ${printable(a.source)} (${r.old.exports} exports) → ${printable(b.source)} (${r.new.exports} exports)`,
      `policy: ${r.policy}`,
      '',
      `  added ${s.added}   removed ${s.removed}   crc changed ${s.crcChanged}   export type changed ${s.exportTypeChanged}   namespace changed ${s.namespaceChanged}   moved ${s.moved}`,
      `  fail ${s.fail}   warn ${s.warn}   ignored ${s.ignore}`,
    ].join('\n'),
  );
  let width = 8;
  for (let i = 0; i < c.count; i++) {
    const o = c.old[i]!;
    width = Math.max(width, o >= 0 ? a.symbols[o]!.length : b.symbols[c.new[i]!]!.length);
  }
  width = Math.min(48, width);
  for (let kind = 0, i = 0; kind < CHANGE_KINDS.length; kind++) {
    const from = i;
    while (i < c.count && c.kind[i] === kind) i++;
    const total = i - from;
    if (total === 0) continue;
    w.text(`\n\n${KIND_TITLE[CHANGE_KINDS[kind]!]} (${total})`);
    const shown = opts.limit === null ? total : sliceLength(total, opts.limit);
    for (let k = from; k < from + shown; k++) {
      const o = c.old[k]!;
      const symbol = o >= 0 ? a.symbols[o]! : b.symbols[c.new[k]!]!;
      const rule = c.rule === null || c.rule[k] === 'default' ? '' : printable(`  [${c.rule[k]}]`);
      const line = `\n  ${SEVERITY_TEXT[c.severity[k]!]}  ${symbol.padEnd(width)}  ${describe(r, k)}${rule}`;
      w.line(line);
    }
    if (shown < total)
      w.text(`\n  … ${total - shown} more (--all lists every change, --format json for tools)`);
  }
  w.text(`\n\n${verdictLine(r.verdict, s.fail, s.warn)}\n`);
  return w.done();
}

/** How many `group.slice(0, limit)` keeps (a negative limit counts from the end, as slice does). */
export function sliceLength(total: number, limit: number): number {
  return limit >= 0 ? Math.min(total, limit) : Math.max(0, total + limit);
}

/** describeChange (messages.ts), from the tables. */
function describe(r: TableDiffReport, i: number): string {
  const { oldTable: a, newTable: b, changes: c } = r;
  const o = c.old[i]!;
  const n = c.new[i]!;
  switch (CHANGE_KINDS[c.kind[i]!]!) {
    case 'added':
      return `${formatCrc(b.crc[n]!)} in ${tableField(b, n, MODULE)} (${EXPORT_TYPES[b.exportType[n]!]})`;
    case 'removed':
      return `was ${formatCrc(a.crc[o]!)} in ${tableField(a, o, MODULE)}`;
    case 'crc-changed':
      return `${formatCrc(a.crc[o]!)} → ${formatCrc(b.crc[n]!)} in ${tableField(b, n, MODULE)}`;
    case 'export-type-changed':
      return `${EXPORT_TYPES[a.exportType[o]!]} → ${EXPORT_TYPES[b.exportType[n]!]}${c.breaking[i] ? ' (GPL-only now: non-GPL modules can no longer use it)' : ''}`;
    case 'namespace-changed':
      return `${namespace(a, o)} → ${namespace(b, n)}${c.breaking[i] ? ` (modules need MODULE_IMPORT_NS(${tableField(b, n, NAMESPACE)}))` : ''}`;
    case 'moved':
      return `${tableField(a, o, MODULE)} → ${tableField(b, n, MODULE)}`;
  }
}

function namespace(t: SymversTable, r: number): string {
  return tableField(t, r, NAMESPACE) || '(none)';
}
