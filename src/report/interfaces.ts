// `kabi interfaces`: the interface table as text, Markdown in oEEP-0009's own shape (| interface |
// Change |), JSON (InterfacesJson) and a self-contained HTML page.
import { documentChange, type InterfaceRow, type InterfacesReport } from '../analysis/interfaces.js';
import { escapeXml as esc } from './charts/svg.js';
import { textSafe } from './series-format.js';

export type InterfacesJson = InterfacesReport;

/** The reason in words: which types, or that the prototype itself changed. */
function why(r: InterfaceRow): string {
  if (r.status !== 'crc-changed') return '';
  const types = r.types.join(', ');
  switch (r.reason) {
    case 'prototype':
      return 'its prototype changed';
    case 'prototype-and-types':
      return `its prototype changed; reaches ${types}`;
    case 'types':
      return `reaches ${types}`;
    case 'no-type-change':
      return 'BTF shows no type change it reaches';
    case 'no-declaration':
      return 'no declaration in BTF';
    default:
      return 'no BTF: reason unknown';
  }
}

function header(r: InterfacesReport): string {
  const c = r.counts;
  return `${r.rows.length} interfaces: ${c.unchanged} not changed, ${c['crc-changed']} CRC changed, ${c.removed} removed, ${c.added} added, ${c['not-exported']} not exported in OLD`;
}

export function interfacesToText(r: InterfacesReport): string {
  const rows = r.rows.map((x) => [textSafe(x.symbol), documentChange(x), textSafe(why(x))]);
  const w = [9, 6].map((min, i) => Math.max(min, ...rows.map((row) => row[i]!.length)));
  let out = `Interfaces ${textSafe(r.old)} → ${textSafe(r.new)}${r.withTypes ? '' : ' (no BTF: reasons unknown)'}\n${header(r)}\n\n`;
  out += `  ${'interface'.padEnd(w[0]!)}  ${'change'.padEnd(w[1]!)}  reason\n`;
  for (const row of rows)
    out += `${`  ${row[0]!.padEnd(w[0]!)}  ${row[1]!.padEnd(w[1]!)}  ${row[2]}`.trimEnd()}\n`;
  return out;
}

const md = (s: string) => textSafe(s).replace(/\|/g, '\\|');

/** The document's words, then which types (or why none are named): one cell, as the document has two columns. */
function changeCell(r: InterfaceRow): string {
  const words = documentChange(r);
  if (r.status !== 'crc-changed') return words;
  switch (r.reason) {
    case 'types':
    case 'prototype-and-types':
      return `${words}: ${r.types.join(', ')}`;
    case 'prototype':
      return words;
    case 'no-type-change':
      return `${words}: BTF shows no type change`;
    case 'no-declaration':
      return `${words}: no declaration in BTF`;
    default:
      return `${words}: no BTF, reason unknown`;
  }
}

export function interfacesToMarkdown(r: InterfacesReport): string {
  const title = r.modulePaths.length ? `${r.modulePaths.join(', ')} interface` : 'Interface';
  let out = `Interfaces of \`${md(r.old)}\` → \`${md(r.new)}\`: ${header(r)}\n\n`;
  out += `| ${md(title)} | Change |\n| --- | --- |\n`;
  for (const x of r.rows) out += `| ${md(x.symbol)} | ${md(changeCell(x))} |\n`;
  return out;
}

export function interfacesToJson(r: InterfacesReport): string {
  const doc: InterfacesJson = r;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function interfacesToHtml(r: InterfacesReport): string {
  const rows = r.rows
    .map(
      (x) =>
        `<tr class="${x.status}"><td><code>${esc(textSafe(x.symbol))}</code></td><td>${esc(documentChange(x))}</td><td>${esc(textSafe(why(x)))}</td><td>${esc(x.oldCrc ?? '')}</td><td>${esc(x.newCrc ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Interfaces</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}tr.removed td:nth-child(2){color:#b00}tr.crc-changed td:nth-child(2){color:#a60}</style>
</head><body>
<h1>Interfaces of ${esc(textSafe(r.old))} → ${esc(textSafe(r.new))}</h1>
<p>${esc(header(r))}</p>
<table><thead><tr><th>Interface</th><th>Change</th><th>Why</th><th>Old CRC</th><th>New CRC</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

export const interfacesRenderers = {
  text: interfacesToText,
  markdown: interfacesToMarkdown,
  json: interfacesToJson,
  html: interfacesToHtml,
} as const;
