// Lists of stored entries (kabi list / show).

import { printable } from '../errors.js';
import type { EntryRecord } from '../model/entry.js';
import { mdCode } from './markdown.js';

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${printable(k)}=${printable(v)}`)
    .join(',');
}

/** `kabi list --format json` and `kabi show --format json`: the stored entries. */
export type EntryListJson = EntryRecord[];

function text(entries: EntryRecord[]): string {
  if (entries.length === 0) return 'no entries\n';
  const rows = entries.map((e) => [
    String(e.id),
    e.kind,
    String(e.exports),
    String(e.modules),
    printable(e.labels.date ?? ''),
    formatLabels(e.labels),
  ]);
  const head = ['id', 'kind', 'exports', 'modules', 'date', 'labels'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

export const entryListRenderers: Record<'text' | 'json' | 'markdown', (e: EntryRecord[]) => string> = {
  text,
  json: (e) => `${JSON.stringify(e, null, 2)}\n`,
  markdown: (e) =>
    [
      '| id | kind | exports | modules | labels |',
      '|---:|---|---:|---:|---|',
      ...e.map(
        (x) => `| ${x.id} | ${x.kind} | ${x.exports} | ${x.modules} | ${mdCode(formatLabels(x.labels))} |`,
      ),
      '',
    ].join('\n'),
};
