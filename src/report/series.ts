// Renderers of the series analyses, one name→function map per result, as for `kabi diff`.
// text, Markdown and CSV share the rows (series-tables.ts); JSON has its own documented shape.
import type { SeriesReport } from '../analysis/series.js';
import type { StreamDrift } from '../analysis/series-stream.js';
import type { StablelistOverTime, SymbolHistory } from '../analysis/series-symbols.js';
import type { SeriesDocument } from './series-document.js';
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

function renderers<T>(
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
