// Renderers of the series analyses, one name→function map per result, as for `kabi diff`.
// text, Markdown and CSV share the rows (series-tables.ts); JSON has its own documented shape.
import type { SeriesReport } from '../analysis/series.js';
import type { StreamDrift } from '../analysis/series-stream.js';
import type { StablelistOverTime, SymbolHistory } from '../analysis/series-symbols.js';
import { UsageError } from '../errors.js';
import { type Cell, type Column, type DocTable, type SeriesDocument, tablesFor } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';
import { seriesToJson, stablelistToJson, streamDriftToJson, symbolHistoryToJson } from './series-json.js';
import {
  seriesDocument,
  stablelistDocument,
  streamDriftDocument,
  symbolHistoryDocument,
} from './series-tables.js';

export { csvField, type DocumentOptions as SeriesRenderOptions, textSafe } from './series-format.js';

export const SERIES_FORMATS = ['text', 'json', 'markdown', 'csv'] as const;
export type SeriesFormat = (typeof SERIES_FORMATS)[number];

/** The tables each result has, for `--view`; CSV shows the first unless told. JSON always holds all. */
export const SERIES_VIEWS = {
  series: ['steps', 'drift', 'epochs', 'builds'],
  streamDrift: ['points', 'zero'],
  symbolHistory: ['history'],
  stablelist: ['builds', 'changes'],
} as const;

type Renderer<T> = (result: T, opts: DocumentOptions) => string;

export function renderers<T>(
  toDoc: (r: T) => SeriesDocument,
  json: (r: T) => string,
): Record<SeriesFormat, Renderer<T>> {
  return {
    text: (r, o) => documentToText(toDoc(r), o),
    json: (r) => json(r),
    markdown: (r, o) => documentToMarkdown(toDoc(r), o),
    csv: (r, o) => documentToCsv(toDoc(r), o),
  };
}

export const seriesRenderers = renderers<SeriesReport>(seriesDocument, seriesToJson);
export const streamDriftRenderers = renderers<StreamDrift>(streamDriftDocument, streamDriftToJson);
export const symbolHistoryRenderers = renderers<SymbolHistory>(symbolHistoryDocument, symbolHistoryToJson);
export const stablelistRenderers = renderers<StablelistOverTime>(stablelistDocument, stablelistToJson);

/** One stream's result, when a query selects builds of several streams (`groupByStream`). */
export interface StreamSection<T> {
  /** The `stream` label; null for builds without one. */
  stream: string | null;
  builds: number;
  result: T;
}

type SectionsRenderer<T> = (sections: StreamSection<T>[], opts: DocumentOptions) => string;

const streamName = (s: string | null) => s ?? '(no stream label)';

/** What is said first: that the builds were grouped, by what, and how to ask for one stream. */
function groupedDoc(sections: StreamSection<unknown>[]): SeriesDocument {
  const list = sections.flatMap((s, i) => [
    ...(i ? [', '] : []),
    { code: streamName(s.stream) },
    ` (${s.builds} build${s.builds === 1 ? '' : 's'})`,
  ]);
  return {
    title: [`${sections.length} streams, one series each (grouped by the stream label)`],
    notes: [list, ['one stream at a time: a query with stream=NAME']],
    tables: [],
  };
}

const sectionDoc = (s: StreamSection<unknown>): SeriesDocument => ({
  title: ['Stream ', { code: streamName(s.stream) }],
  notes: [],
  tables: [],
});

/** One CSV table: the chosen table of every stream, a `stream` column first, columns united by key. */
function sectionsCsv<T>(
  sections: StreamSection<T>[],
  toDoc: (r: T) => SeriesDocument,
  opts: DocumentOptions,
): string {
  const tables: { stream: string | null; table: DocTable }[] = sections.map((s) => {
    const doc = toDoc(s.result);
    const [table, ...more] = tablesFor(doc, opts.view ?? doc.tables[0]?.view);
    if (more.length || table === undefined) throw new UsageError('CSV holds one table: --view names one');
    return { stream: s.stream, table };
  });
  if (tables.length === 0) return '';
  const columns: Column[] = [{ key: 'stream', title: 'stream', kind: 'artifact' }];
  for (const { table } of tables)
    for (const c of table.columns) if (!columns.some((x) => x.key === c.key)) columns.push(c);
  const rows: Cell[][] = tables.flatMap(({ stream, table }) =>
    table.rows.map((r) =>
      columns.map((c) =>
        c.key === 'stream' ? stream : (r[table.columns.findIndex((x) => x.key === c.key)] ?? null),
      ),
    ),
  );
  const merged: SeriesDocument = {
    title: [],
    notes: [],
    tables: [{ ...tables[0]!.table, columns, rows }],
  };
  return documentToCsv(merged, { ...opts, view: undefined });
}

export function sectionRenderers<T>(
  toDoc: (r: T) => SeriesDocument,
  json: (r: T) => string,
): Record<SeriesFormat, SectionsRenderer<T>> {
  const head = { view: undefined };
  return {
    text: (ss, o) =>
      [
        documentToText(groupedDoc(ss), { ...o, ...head }),
        ...ss.map(
          (s) => `${documentToText(sectionDoc(s), { ...o, ...head })}${documentToText(toDoc(s.result), o)}`,
        ),
      ].join('\n'),
    json: (ss) =>
      `${JSON.stringify(
        {
          groupedBy: 'stream',
          streams: ss.map((s) => ({ stream: s.stream, ...JSON.parse(json(s.result)) })),
        },
        null,
        2,
      )}\n`,
    markdown: (ss, o) =>
      [
        documentToMarkdown(groupedDoc(ss), { ...o, ...head }),
        ...ss.map(
          (s) =>
            `${documentToMarkdown(sectionDoc(s), { ...o, ...head })}\n${documentToMarkdown(toDoc(s.result), o)}`,
        ),
      ].join('\n'),
    csv: (ss, o) => sectionsCsv(ss, toDoc, o),
  };
}

/** The same results, one per stream, each said under its stream's name. */
export const seriesSectionRenderers = sectionRenderers<SeriesReport>(seriesDocument, seriesToJson);
export const symbolHistorySectionRenderers = sectionRenderers<SymbolHistory>(
  symbolHistoryDocument,
  symbolHistoryToJson,
);
export const stablelistSectionRenderers = sectionRenderers<StablelistOverTime>(
  stablelistDocument,
  stablelistToJson,
);
