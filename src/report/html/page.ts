// One self-contained HTML document: inline CSS, inline SVG charts, tables, and one inline script. Nothing
// refers outside the file (no URL in src, href or url()), so it opens from disk, mails, and archives.
// A Content-Security-Policy allows only this page's own script (by hash) and style: should a string ever
// slip past the escaper, the browser still runs no handler and fetches nothing.
import { createHash } from 'node:crypto';
import type { SvgChart } from '../charts/chart.js';
import { escapeXml as esc } from '../charts/svg.js';
import { PAGE_SCRIPT } from './script.js';
import { type HtmlTable, tableHtml } from './table.js';

export interface HtmlReport {
  /** Plain text; escaped here. */
  title: string;
  /** Lines under the title (inputs, counts). Plain text. */
  lines: string[];
  charts: SvgChart[];
  tables: HtmlTable[];
  /** The label query of a series: the history hint becomes `kabi history SYMBOL QUERY`. */
  query?: string;
  /** What made the page, e.g. `kabi report series stream=debian-6.1`. */
  generator?: string;
}

const CSS = `
:root{color-scheme:light;--ink:#222;--muted:#666;--line:#ddd;--bg:#fafafa;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",DejaVu Sans,sans-serif;color:var(--ink);background:#fff}
header,main{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:16px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:24px 0 6px}
h3{font-size:14px;margin:14px 0 4px}
header p{margin:2px 0;color:var(--muted)}
nav{margin:10px 0 12px;display:flex;flex-wrap:wrap;gap:4px 14px}
nav a{color:var(--accent);text-decoration:none}
figure{margin:18px 0;overflow-x:auto}
figure svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:12px}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0}
.filters label{font-size:13px;color:var(--muted)}
.filters select,.filters input{font:inherit;padding:2px 4px;max-width:24em}
.count,.note{margin:4px 0;color:var(--muted);font-size:13px}
.scroll{max-height:640px;overflow:auto;border:1px solid var(--line)}
table{border-collapse:collapse;font-size:13px;width:100%}
th{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);text-align:left}
th button{font:inherit;font-weight:600;background:none;border:0;padding:4px 8px;cursor:pointer;width:100%;text-align:left}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
td{padding:3px 8px;border-bottom:1px solid #eee;white-space:nowrap;font-variant-numeric:tabular-nums}
td.long{white-space:normal;overflow-wrap:anywhere;min-width:16em}
tr:hover td{background:#f3f7fb}
a.sym{color:var(--accent)}
code,.command{font-family:ui-monospace,DejaVu Sans Mono,monospace}
#history{border-left:3px solid var(--accent);padding:2px 12px;margin:24px 0}
`;

function csp(script: string): string {
  const hash = createHash('sha256').update(script).digest('base64');
  return `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

function figure(c: SvgChart): string {
  return `<figure id="chart-${esc(c.id)}" data-chart="${esc(c.id)}">${c.svg}<figcaption>Hover a mark for its figures.</figcaption></figure>`;
}

function historySection(query: string | undefined): string {
  const cmd = `kabi history SYMBOL${query ? ` ${query}` : ''}`;
  return (
    `<section id="history"><h2>History of <span class="symbol">a symbol</span></h2>` +
    `<p class="note">Click a symbol in a table: its rows from every table of this report show here. ` +
    `Every build, from a shell: <code class="command">${esc(cmd)}</code></p><div class="rows"></div></section>`
  );
}

export function renderHtmlReport(r: HtmlReport): string {
  const nav = [
    ...r.charts.map((c) => `<a href="#chart-${esc(c.id)}">${esc(c.title)}</a>`),
    ...r.tables.map((t) => `<a href="#table-${esc(t.id)}">${esc(t.title)}</a>`),
  ].join('');
  const body = [
    '<header>',
    `<h1>${esc(r.title)}</h1>`,
    ...r.lines.map((l) => `<p>${esc(l)}</p>`),
    `<nav>${nav}</nav>`,
    '</header><main>',
    ...r.charts.map(figure),
    ...r.tables.map(tableHtml),
    historySection(r.query),
    r.generator ? `<p class="note">Made by <code>${esc(r.generator)}</code>.</p>` : '',
    '</main>',
  ].join('\n');
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${csp(PAGE_SCRIPT)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(r.title)}</title><style>${CSS}</style></head>\n` +
    `<body${r.query !== undefined ? ` data-query="${esc(r.query)}"` : ''}>\n${body}\n<script>${PAGE_SCRIPT}</script>\n</body></html>\n`
  );
}
