// Human report for a terminal: a summary, then the changes grouped by kind, failures marked.
import { createColors } from 'picocolors';
import type { DiffReport } from '../analysis/check.js';
import type { ExportsSummary } from '../analysis/summary.js';
import { printable } from '../errors.js';
import { CHANGE_KINDS, type JudgedChange, type Severity } from '../model/change.js';
import { describeChange, KIND_TITLE, verdictLine } from './messages.js';

export interface TextOptions {
  color: boolean;
  /** Most changes listed per kind; null lists all. */
  limit: number | null;
}

export function diffToText(r: DiffReport, opts: TextOptions): string {
  const c = createColors(opts.color);
  const sev: Record<Severity, string> = {
    fail: c.red('FAIL'),
    warn: c.yellow('warn'),
    ignore: c.dim('ign '),
  };
  const s = r.summary;
  const out: string[] = [
    `${c.bold('kABI diff')}  ${printable(r.old.source)} (${r.old.exports} exports) → ${printable(r.new.source)} (${r.new.exports} exports)`,
    `policy: ${r.policy}`,
    '',
    `  added ${s.added}   removed ${s.removed}   crc changed ${s.crcChanged}   export type changed ${s.exportTypeChanged}   namespace changed ${s.namespaceChanged}   moved ${s.moved}`,
    `  fail ${s.fail}   warn ${s.warn}   ignored ${s.ignore}`,
  ];
  const width = Math.min(48, Math.max(8, ...r.changes.map((x) => x.symbol.length)));
  for (const kind of CHANGE_KINDS) {
    const group = r.changes.filter((x) => x.kind === kind);
    if (group.length === 0) continue;
    out.push('', c.bold(`${KIND_TITLE[kind]} (${group.length})`));
    const shown = opts.limit === null ? group : group.slice(0, opts.limit);
    for (const ch of shown)
      out.push(
        `  ${sev[ch.severity]}  ${printable(ch.symbol).padEnd(width)}  ${printable(describeChange(ch))}${printable(ruleNote(ch))}`,
      );
    if (shown.length < group.length) {
      out.push(
        c.dim(`  … ${group.length - shown.length} more (--all lists every change, --format json for tools)`),
      );
    }
  }
  for (const w of r.warnings) out.push(c.yellow(`warning: ${printable(w)}`));
  out.push('', c.bold(verdictLine(r.verdict, s.fail, s.warn)));
  if (r.abiVersion) {
    const a = r.abiVersion;
    out.push(
      a.mustBump ? `ABI version must be bumped: ${a.current} → ${a.next}` : `ABI version stays ${a.current}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function ruleNote(ch: JudgedChange): string {
  return ch.rule === 'default' ? '' : `  [${ch.rule}]`;
}

export function summaryToText(s: ExportsSummary, opts: TextOptions): string {
  const c = createColors(opts.color);
  const out = [
    `${c.bold('kABI summary')}  ${printable(s.source)} (${s.format})`,
    `  exports ${s.exports} in ${s.modules} modules${s.withoutCrc ? `, ${s.withoutCrc} without CRC` : ''}`,
    `  crc digest ${s.crcDigest}`,
    '',
    c.bold('By export type'),
    ...table(s.byExportType, null),
    '',
    c.bold('By namespace'),
    ...(Object.keys(s.byNamespace).length ? table(s.byNamespace, opts.limit) : ['  (no namespaced exports)']),
    '',
    c.bold('By module'),
    ...table(s.byModule, opts.limit),
  ];
  return `${out.join('\n')}\n`;
}

function table(counts: Record<string, number>, limit: number | null): string[] {
  const entries = Object.entries(counts);
  const shown = limit === null ? entries : entries.slice(0, limit);
  const w = Math.max(...shown.map(([k]) => printable(k).length));
  const rows = shown.map(([k, v]) => `  ${printable(k).padEnd(w)}  ${String(v).padStart(6)}`);
  if (shown.length < entries.length) rows.push(`  … ${entries.length - shown.length} more`);
  return rows;
}
