// Tables of the HTML report: rendered on the server side as plain <table> rows (readable without script),
// sorted and filtered in the browser by the page's small script (script.ts) through data-* attributes.
import { formatCrc } from '../../model/export.js';
import { escapeXml as esc, formatCount, formatShare } from '../charts/svg.js';
import type { CellKind, DocTable } from '../series-document.js';

/** How a column shows, sorts and filters. `symbol` cells link to the symbol's history. */
export type HtmlCellKind = CellKind | 'symbol';

export interface HtmlColumn {
  key: string;
  title: string;
  kind: HtmlCellKind;
  /** `select`: a drop-down of the column's values (kind, severity); `text`: a substring box (module). */
  filter?: 'select' | 'text';
}

export type HtmlCell = string | number | null;

export interface HtmlTable {
  /** Unique in the page: the anchor `table-<id>`. */
  id: string;
  title: string;
  columns: HtmlColumn[];
  rows: HtmlCell[][];
  /** Said under the title (rows left out, what a column means). Plain text. */
  note?: string;
}

/** A series document table (series-tables.ts) as an HTML table: same rows as text, Markdown and CSV. */
export function fromDocTable(t: DocTable, id = t.view): HtmlTable {
  return {
    id,
    title: t.title,
    columns: t.columns.map((c) => ({ key: c.key, title: c.title, kind: c.kind })),
    rows: t.rows,
  };
}

function shown(kind: HtmlCellKind, v: HtmlCell): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    if (kind === 'share') return formatShare(v);
    if (kind === 'crc') return formatCrc(v);
    return formatCount(v);
  }
  if (kind === 'digest') return v.slice(0, 12);
  return v;
}

/** Characters past which a cell's text wraps (the page's CSS: `td.long`). */
const LONG_CELL = 48;

function cell(c: HtmlColumn, v: HtmlCell): string {
  const sort = typeof v === 'number' ? ` data-v="${v}"` : '';
  const text = esc(shown(c.kind, v));
  if (c.kind === 'symbol' && typeof v === 'string' && v !== '') {
    // A fragment link works from file:// without script (it lands on the history section); the
    // script fills that section with this symbol's rows. data-symbol is what the dashboard reads.
    return `<td><a class="sym" href="#history" data-symbol="${esc(v)}">${text}</a></td>`;
  }
  const title = c.kind === 'digest' && typeof v === 'string' ? ` title="${esc(v)}"` : '';
  // Long text (a path, a loader message) wraps, so the short columns after it stay in view.
  const long = typeof v === 'string' && v.length > LONG_CELL ? ' class="long"' : '';
  return `<td${sort}${title}${long}>${text}</td>`;
}

function filters(t: HtmlTable): string {
  const controls = t.columns.flatMap((c, i) => {
    if (c.filter === 'select') {
      const values = [...new Set(t.rows.map((r) => r[i]).filter((v) => v !== null && v !== ''))]
        .map(String)
        .sort();
      const options = values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
      return [
        `<label>${esc(c.title)} <select data-col="${i}"><option value="">all</option>${options}</select></label>`,
      ];
    }
    if (c.filter === 'text')
      return [`<label>${esc(c.title)} <input type="search" data-col="${i}" placeholder="contains…"></label>`];
    return [];
  });
  return controls.length ? `<div class="filters">${controls.join('')}</div>` : '';
}

export function tableHtml(t: HtmlTable): string {
  const head = t.columns
    .map(
      (c, i) =>
        `<th data-col="${i}" data-kind="${c.kind}" data-key="${esc(c.key)}"><button type="button">${esc(c.title)}</button></th>`,
    )
    .join('');
  const body = t.rows
    .map((r) => `<tr>${t.columns.map((c, i) => cell(c, r[i] ?? null)).join('')}</tr>`)
    .join('\n');
  const note = t.note ? `<p class="note">${esc(t.note)}</p>` : '';
  return (
    `<section class="table" id="table-${esc(t.id)}" data-table="${esc(t.id)}">` +
    `<h2>${esc(t.title)}</h2>${note}${filters(t)}` +
    `<p class="count" aria-live="polite"><span class="shown">${t.rows.length}</span> of ${t.rows.length} rows</p>` +
    `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div></section>`
  );
}
