// Markdown for merge requests and issue comments. Symbol names and modules come from artifacts: they
// are put in code spans with backticks and pipes neutralised, so a hostile name cannot break the table.
import type { DiffReport } from '../analysis/check.js';
import type { ExportsSummary } from '../analysis/summary.js';
import { printable } from '../errors.js';
import { CHANGE_KINDS } from '../model/change.js';
import { describeChange, KIND_TITLE, verdictLine } from './messages.js';

export function mdCode(s: string): string {
  const flat = printable(s.replace(/[\r\n]/g, ' '))
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
  return `\`${flat}\``;
}

function mdText(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|#]/g, '\\$&').replace(/[\r\n]/g, ' ');
}

export function diffToMarkdown(r: DiffReport, opts: { limit: number | null }): string {
  const s = r.summary;
  const out = [
    `## kABI diff: ${mdCode(r.old.source)} → ${mdCode(r.new.source)}`,
    '',
    `**${mdText(verdictLine(r.verdict, s.fail, s.warn))}** (policy: ${mdCode(r.policy)})`,
    '',
    '| added | removed | CRC changed | export type changed | namespace changed | moved | fail | warn |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${s.added} | ${s.removed} | ${s.crcChanged} | ${s.exportTypeChanged} | ${s.namespaceChanged} | ${s.moved} | ${s.fail} | ${s.warn} |`,
  ];
  if (r.abiVersion) {
    const a = r.abiVersion;
    out.push(
      '',
      a.mustBump ? `ABI version must be bumped: ${a.current} → ${a.next}` : `ABI version stays ${a.current}`,
    );
  }
  for (const kind of CHANGE_KINDS) {
    const group = r.changes.filter((x) => x.kind === kind);
    if (group.length === 0) continue;
    out.push(
      '',
      `### ${KIND_TITLE[kind]} (${group.length})`,
      '',
      '| severity | symbol | change | rule |',
      '|---|---|---|---|',
    );
    const shown = opts.limit === null ? group : group.slice(0, opts.limit);
    for (const c of shown)
      out.push(`| ${c.severity} | ${mdCode(c.symbol)} | ${mdText(describeChange(c))} | ${mdText(c.rule)} |`);
    if (shown.length < group.length) out.push('', `… ${group.length - shown.length} more`);
  }
  return `${out.join('\n')}\n`;
}

export function summaryToMarkdown(s: ExportsSummary, opts: { limit: number | null }): string {
  const rows = (counts: Record<string, number>) => {
    const e = Object.entries(counts);
    return (opts.limit === null ? e : e.slice(0, opts.limit)).map(([k, v]) => `| ${mdCode(k)} | ${v} |`);
  };
  return `${[
    `## kABI summary: ${mdCode(s.source)}`,
    '',
    `${s.exports} exports in ${s.modules} modules; CRC digest ${mdCode(s.crcDigest)}`,
    '',
    '| export type | exports |',
    '|---|---:|',
    ...rows(s.byExportType),
    '',
    '| namespace | exports |',
    '|---|---:|',
    ...rows(s.byNamespace),
    '',
    '| module | exports |',
    '|---|---:|',
    ...rows(s.byModule),
  ].join('\n')}\n`;
}
