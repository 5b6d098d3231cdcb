// `kabi impact --by-arch`: per architecture, each affected module and the changed interfaces it uses,
// in oEEP-0009's shape ("Affected driver modules in ... (AArch64)": | Name | Affecting Functions |), as
// text, Markdown, JSON (ImpactByArchJson) and HTML.
import type { ArchImpactReport } from '../analysis/impact.js';
import { escapeXml as esc } from './charts/svg.js';
import { type ImpactJson, impactJson } from './impact.js';
import { textSafe } from './series-format.js';

export interface ImpactByArchJson {
  arches: {
    arch: string;
    old: string;
    new: string;
    inTree: number;
    corpus: number;
    impact: ImpactJson;
  }[];
}

export function impactByArchJson(rs: readonly ArchImpactReport[]): ImpactByArchJson {
  return {
    arches: rs.map((a) => ({
      arch: a.arch,
      old: a.old,
      new: a.new,
      inTree: a.inTree,
      corpus: a.corpus,
      impact: impactJson(a.report),
    })),
  };
}

/** Affected modules of one arch, by name, each with its affecting functions in name order. */
function rows(a: ArchImpactReport): [string, string][] {
  return [...a.report.affected]
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.source < y.source ? -1 : 1))
    .map((m) => [m.name, m.uses.map((u) => u.symbol).join(', ')]);
}

const heading = (a: ArchImpactReport) =>
  `Affected driver modules, ${a.old} → ${a.new} (${a.arch}): ${a.report.affected.length} of ${a.inTree + a.corpus} modules (${a.inTree} in-tree, ${a.corpus} corpus), ${a.report.changed} changed interfaces`;

export function impactByArchToText(rs: readonly ArchImpactReport[]): string {
  return rs
    .map((a) => {
      const r = rows(a).map(([n, f]) => [textSafe(n), textSafe(f)] as const);
      const w = Math.max(4, ...r.map(([n]) => n.length));
      return `${textSafe(heading(a))}\n\n  ${'Name'.padEnd(w)}  Affecting functions\n${r.map(([n, f]) => `  ${n.padEnd(w)}  ${f}\n`).join('')}`;
    })
    .join('\n');
}

const md = (s: string) => textSafe(s).replace(/\|/g, '\\|');

export function impactByArchToMarkdown(rs: readonly ArchImpactReport[]): string {
  return rs
    .map(
      (a) =>
        `${md(heading(a))}\n\n| Name | Affecting Functions |\n| --- | --- |\n${rows(a)
          .map(([n, f]) => `| ${md(n)} | ${md(f)} |\n`)
          .join('')}`,
    )
    .join('\n');
}

export function impactByArchToHtml(rs: readonly ArchImpactReport[]): string {
  const sections = rs
    .map(
      (a) => `<h2>${esc(textSafe(heading(a)))}</h2>
<table><thead><tr><th>Name</th><th>Affecting Functions</th></tr></thead><tbody>
${rows(a)
  .map(([n, f]) => `<tr><td>${esc(textSafe(n))}</td><td>${esc(textSafe(f))}</td></tr>`)
  .join('\n')}
</tbody></table>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Affected driver modules</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}</style>
</head><body>
<h1>Affected driver modules per architecture</h1>
${sections}
</body></html>
`;
}

export const impactByArchRenderers = {
  text: impactByArchToText,
  markdown: impactByArchToMarkdown,
  json: (rs: readonly ArchImpactReport[]) => `${JSON.stringify(impactByArchJson(rs), null, 2)}\n`,
  html: impactByArchToHtml,
} as const;
