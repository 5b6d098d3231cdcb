// Series results as format-neutral documents: a title, notes and tables whose cells keep their type, so
// text, Markdown and CSV show the same rows and each escapes what came from an artifact its own way.
import { UsageError } from '../errors.js';

/** How a column's values are shown and escaped. */
export type CellKind =
  /** From an artifact or a caller's label (symbol, module, namespace, build name): always escaped. */
  | 'artifact'
  /** kabi-tracker's own words (change kinds, yes/no). */
  | 'word'
  | 'count'
  /** A fraction in [0, 1]: a percentage for people, the fraction in CSV. */
  | 'share'
  /** A u32 modversion CRC, `0x%08x`. */
  | 'crc'
  /** A sha256 in hex: shortened for people, whole in CSV. */
  | 'digest';

export interface Column {
  /** CSV header. */
  key: string;
  /** Header for people. */
  title: string;
  kind: CellKind;
}

/** null: nothing to show (no build yet, no CRC, no date). */
export type Cell = string | number | null;

export interface DocTable {
  /** What `--view` selects. */
  view: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** A list of changes that can run long: text and Markdown apply `limit` to it. */
  long?: boolean;
}

/** A run of text; `{ code }` came from an artifact or a label and is escaped by each format. */
export type Segment = string | { code: string };
export type Line = Segment[];

export interface SeriesDocument {
  title: Line;
  notes: Line[];
  tables: DocTable[];
}

export function col(key: string, title: string, kind: CellKind): Column {
  return { key, title, kind };
}

/** Selects the tables to show: all of them, or those `view` names (`steps` or `steps,epochs`), in its order. */
export function tablesFor(doc: SeriesDocument, view: string | undefined): DocTable[] {
  if (view === undefined) return doc.tables;
  return view.split(',').map((v) => {
    const t = doc.tables.find((x) => x.view === v.trim());
    if (t === undefined) {
      throw new UsageError(`no view ${v}; this report has ${doc.tables.map((x) => x.view).join(', ')}`);
    }
    return t;
  });
}

export function viewsOf(doc: SeriesDocument): string[] {
  return doc.tables.map((t) => t.view);
}
