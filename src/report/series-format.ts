// A series document as aligned text, Markdown or CSV. Cells from artifacts are escaped per format:
// control and bidi characters made visible on a terminal, code spans in Markdown, RFC 4180 quoting in CSV.
import { createColors } from 'picocolors';
import { printable, UsageError } from '../errors.js';
import { formatCrc } from '../model/export.js';
import { mdCode } from './markdown.js';
import {
  type Cell,
  type Column,
  type DocTable,
  type Line,
  type SeriesDocument,
  tablesFor,
} from './series-document.js';

export interface DocumentOptions {
  color: boolean;
  /** Most rows of a change list; null shows all. */
  limit: number | null;
  /** Only these tables (`--view steps` or `steps,epochs`); CSV holds one table, the first when unset. */
  view?: string;
}

/** Artifact text for a terminal: errors.ts's printable, the one escaping helper. */
export const textSafe = printable;

/** A code span that also makes control characters visible: mdCode only flattens line breaks. */
function mdArtifact(s: string): string {
  return mdCode(textSafe(s));
}

function mdText(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|#]/g, '\\$&').replace(/[\r\n]/g, ' ');
}

/** A cell for people; `code` escapes what came from an artifact. */
function show(v: Cell, c: Column, code: (s: string) => string, plain: (s: string) => string): string {
  if (v === null) return '-';
  switch (c.kind) {
    case 'share':
      return `${((v as number) * 100).toFixed(2)}%`;
    case 'crc':
      return formatCrc(v as number);
    case 'digest':
      return String(v).slice(0, 16);
    case 'artifact':
      return v === '' ? '' : code(String(v));
    default:
      return plain(String(v));
  }
}

function limited(t: DocTable, limit: number | null): { rows: Cell[][]; more: number } {
  if (!t.long || limit === null || t.rows.length <= limit) return { rows: t.rows, more: 0 };
  return { rows: t.rows.slice(0, limit), more: t.rows.length - limit };
}

function lineText(line: Line, code: (s: string) => string, plain: (s: string) => string): string {
  return line.map((seg) => (typeof seg === 'string' ? plain(seg) : code(seg.code))).join('');
}

const numeric = (c: Column) => c.kind === 'count' || c.kind === 'share';

export function documentToText(doc: SeriesDocument, opts: DocumentOptions): string {
  const c = createColors(opts.color);
  // Plain text is escaped too: a label or a kernel's name in a note is artifact text as well.
  const same = textSafe;
  const out = [
    c.bold(lineText(doc.title, textSafe, same)),
    ...doc.notes.map((n) => `  ${lineText(n, textSafe, same)}`),
  ];
  for (const t of tablesFor(doc, opts.view)) {
    const { rows, more } = limited(t, opts.limit);
    const cells = [
      t.columns.map((col) => textSafe(col.title)),
      ...rows.map((r) => r.map((v, i) => show(v, t.columns[i]!, textSafe, same))),
    ];
    const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    out.push('', c.bold(textSafe(t.title)));
    if (rows.length === 0) out.push('  (none)');
    else {
      for (const r of cells) {
        const padded = r.map((s, i) =>
          numeric(t.columns[i]!) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!),
        );
        out.push(`  ${padded.join('  ').trimEnd()}`);
      }
    }
    if (more > 0) out.push(c.dim(`  … ${more} more (--all lists every row, --format csv for tools)`));
  }
  return `${out.join('\n')}\n`;
}

export function documentToMarkdown(doc: SeriesDocument, opts: DocumentOptions): string {
  const out = [
    `## ${lineText(doc.title, mdArtifact, mdText)}`,
    ...doc.notes.flatMap((n) => ['', lineText(n, mdArtifact, mdText)]),
  ];
  for (const t of tablesFor(doc, opts.view)) {
    const { rows, more } = limited(t, opts.limit);
    out.push('', `### ${mdText(t.title)}`, '');
    if (rows.length === 0) {
      out.push('(none)');
      continue;
    }
    out.push(
      `| ${t.columns.map((col) => mdText(col.title)).join(' | ')} |`,
      `|${t.columns.map((col) => (numeric(col) ? '---:' : '---')).join('|')}|`,
      ...rows.map((r) => `| ${r.map((v, i) => show(v, t.columns[i]!, mdArtifact, mdText)).join(' | ')} |`),
    );
    if (more > 0) out.push('', `… ${more} more`);
  }
  return `${out.join('\n')}\n`;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvValue(v: Cell, c: Column): string {
  if (v === null) return '';
  switch (c.kind) {
    case 'share':
      return (v as number).toFixed(6);
    case 'crc':
      return formatCrc(v as number);
    default:
      return csvField(String(v));
  }
}

/** One table (the `view`, else the first), header row of keys, CRLF line ends as RFC 4180 says. */
export function documentToCsv(doc: SeriesDocument, opts: DocumentOptions): string {
  const [t, ...more] = tablesFor(doc, opts.view ?? doc.tables[0]?.view);
  if (more.length) throw new UsageError('CSV holds one table: --view names one');
  if (t === undefined) return '';
  const lines = [
    t.columns.map((c) => csvField(c.key)),
    ...t.rows.map((r) => r.map((v, i) => csvValue(v, t.columns[i]!))),
  ];
  return lines.map((l) => `${l.join(',')}\r\n`).join('');
}
