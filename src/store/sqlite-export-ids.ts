// Builds as export ids (loadExportIds): what a series needs, read without one JavaScript object per row.
// A build's exports are its id set (id-set.ts) decoded into a Uint32Array; the tuples those ids name are
// read with one group_concat (one string, parsed here) instead of 170,000 row arrays, and kept as typed
// columns. Names are read once, in name order, so that a symbol's rank orders rows as `sort()` orders names.
// Builds whose export columns ingest kept (sqlite-export-columns.ts) are read from those instead: 11 small
// records rather than a scan of every export row of the store.
import type { ExportType } from '../model/export.js';
import type { ExportColumns, ExportIdBuild, ExportIdSeries, ExportRows } from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { decodeExportRecord } from './export-record.js';
import { decodeIdArray } from './id-set.js';
import { parseNumbers } from './number-text.js';
import { type Sql, typeOf } from './sqlite-db.js';
import { namesByName } from './sqlite-names.js';
import { buildExportSet, entryRecord } from './sqlite-query.js';

const FIELDS = 6; // id, symbol, crc, module, export_type, namespace

export function loadExportIds(sql: Sql, ids: number[]): ExportIdSeries {
  const names = namesInOrder(sql);
  const kept = keptColumns(sql, ids);
  let table: Pick<ExportTable, 'columns'>;
  let builds: { rec: ReturnType<typeof entryRecord>; warnings: string[]; rows: Uint32Array }[];
  if (kept) {
    const t = tableOfColumns(
      kept.map((k) => k.columns),
      names.rank,
    );
    table = t;
    builds = kept.map((k, i) => ({ rec: k.rec, warnings: k.warnings, rows: t.buildRows[i]! }));
  } else {
    const sets = ids.map((id) => {
      const b = buildExportSet(sql, id);
      return { rec: b.rec, exportIds: decodeIdArray(b.ids, b.count), warnings: b.warnings };
    });
    const t = exportTable(
      sql,
      sets.map((s) => s.exportIds),
      names.rank,
    );
    table = t;
    builds = sets.map((s) => ({
      rec: s.rec,
      warnings: s.warnings,
      rows: buildRows(t.rowOf, t.columns.symbol, s.exportIds),
    }));
  }
  const { columns } = table;
  const rows: ExportRows = {
    ...columns,
    symbolName: (rank) => names.byRank[rank]!,
    exportOf: (row) => ({
      symbol: names.byRank[columns.symbol[row]!]!,
      crc: columns.hasCrc[row] ? columns.crc[row]! : null,
      module: columns.module[row] === 0 ? null : names.byId[columns.module[row]!]!,
      exportType: typeOf(columns.exportType[row]!) as ExportType | null,
      namespace: columns.namespace[row] === -1 ? null : (names.byId[columns.namespace[row]!] ?? ''),
    }),
  };
  return {
    builds: builds.map(
      ({ rec, warnings, rows }): ExportIdBuild => ({
        source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
        format: rec.format as ExportsFormat,
        labels: { ...rec.labels, id: String(rec.id) },
        warnings,
        rows,
      }),
    ),
    rows,
  };
}

/**
 * Each build's export columns as ingest kept them (sqlite-export-columns.ts): a few small records instead
 * of a scan of every export row. Undefined unless every build has them (a store ingested before them).
 */
function keptColumns(
  sql: Sql,
  ids: number[],
): { rec: ReturnType<typeof entryRecord>; warnings: string[]; columns: ExportColumns }[] | undefined {
  const q = `SELECT e.warnings, c.count, c.columns
    FROM entries e LEFT JOIN export_columns c ON c.id_set = e.exports WHERE e.id = ?`;
  const rows = ids.map(
    (id) => sql.stmt(q).get(id) as { warnings: string; count: number | null; columns: Buffer } | undefined,
  );
  if (rows.some((r) => r === undefined || r.count === null)) return undefined;
  return rows.map((r, i) => ({
    rec: entryRecord(sql, ids[i]!),
    warnings: JSON.parse(r!.warnings),
    columns: decodeExportRecord(r!.columns, r!.count!),
  }));
}

/**
 * The table exportTable makes, from the builds' columns (symbols as name ids): one row per distinct tuple
 * (symbol, CRC, module, export type, namespace), as the exports table has one id per tuple, rows ordered
 * by symbol rank; each build's rows ascending.
 */
function tableOfColumns(
  builds: ExportColumns[],
  rank: Uint32Array,
): { columns: ExportTable['columns']; buildRows: Uint32Array[] } {
  let total = 0;
  for (const b of builds) total += b.symbol.length;
  // A counting sort of every (build, index) by symbol rank, builds in order.
  const starts = new Uint32Array(rank.length + 1);
  // Index loops: a for-of over a typed array allocates a result per element until the loop is optimised.
  for (const b of builds) for (let i = 0; i < b.symbol.length; i++) starts[rank[b.symbol[i]!]! + 1]!++;
  for (let r = 1; r < starts.length; r++) starts[r]! += starts[r - 1]!;
  const at = starts.slice();
  const fromBuild = new Uint16Array(total);
  const fromIndex = new Uint32Array(total);
  for (let k = 0; k < builds.length; k++) {
    const b = builds[k]!;
    for (let i = 0; i < b.symbol.length; i++) {
      const p = at[rank[b.symbol[i]!]!]!++;
      fromBuild[p] = k;
      fromIndex[p] = i;
    }
  }
  const wide = {
    symbol: new Uint32Array(total),
    crc: new Uint32Array(total),
    hasCrc: new Uint8Array(total),
    module: new Uint32Array(total),
    exportType: new Uint8Array(total),
    namespace: new Int32Array(total),
  };
  const buildRows = builds.map((b) => new Uint32Array(b.symbol.length));
  let n = 0;
  for (let r = 0; r + 1 < starts.length; r++) {
    const first = n;
    for (let p = starts[r]!; p < starts[r + 1]!; p++) {
      const b = builds[fromBuild[p]!]!;
      const i = fromIndex[p]!;
      // The builds of a series mostly share a symbol's tuple: the few rows of this rank so far are compared.
      let row = first;
      while (
        row < n &&
        !(
          wide.crc[row] === b.crc[i] &&
          wide.hasCrc[row] === b.hasCrc[i] &&
          wide.module[row] === b.module[i] &&
          wide.exportType[row] === b.exportType[i] &&
          wide.namespace[row] === b.namespace[i]
        )
      )
        row++;
      if (row === n) {
        wide.symbol[n] = r;
        wide.crc[n] = b.crc[i]!;
        wide.hasCrc[n] = b.hasCrc[i]!;
        wide.module[n] = b.module[i]!;
        wide.exportType[n] = b.exportType[i]!;
        wide.namespace[n] = b.namespace[i]!;
        n++;
      }
      buildRows[fromBuild[p]!]![i] = row;
    }
  }
  const columns = {
    symbol: wide.symbol.slice(0, n),
    crc: wide.crc.slice(0, n),
    hasCrc: wide.hasCrc.slice(0, n),
    module: wide.module.slice(0, n),
    exportType: wide.exportType.slice(0, n),
    namespace: wide.namespace.slice(0, n),
  };
  return { columns, buildRows: buildRows.map((rows) => rows.sort()) };
}

/** Every interned name, and each one's rank in JavaScript string order (SQLite's order, checked). */
function namesInOrder(sql: Sql): { rank: Uint32Array; byRank: string[]; byId: string[] } {
  const { ids, names } = namesByName(sql);
  let order: number[] | undefined;
  // SQLite compares UTF-8 bytes, JavaScript UTF-16 units: they differ past U+FFFF, so check the order.
  for (let i = 1; i < names.length; i++) {
    if (!(names[i - 1]! < names[i]!)) {
      order = Array.from(names.keys()).sort((a, b) =>
        names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0,
      );
      break;
    }
  }
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  const rank = new Uint32Array(maxId + 1);
  const byRank: string[] = new Array(names.length);
  const byId: string[] = new Array(maxId + 1);
  for (let r = 0; r < names.length; r++) {
    const k = order ? order[r]! : r;
    const id = ids[k]!;
    rank[id] = r;
    byRank[r] = names[k]!;
    byId[id] = names[k]!;
  }
  return { rank, byRank, byId };
}

interface ExportTable {
  columns: Omit<ExportRows, 'symbolName' | 'exportOf'>;
  /** Export id → row; -1 for an id no build of the series has. */
  rowOf: Int32Array;
}

/** The tuples of every id the sets name, as typed columns, rows ordered by symbol rank, then id. */
function exportTable(sql: Sql, sets: Uint32Array[], rank: Uint32Array): ExportTable {
  const maxId = (sql.stmt('SELECT max(id) AS m FROM exports').get() as { m: number | null }).m ?? 0;
  const wanted = new Uint8Array(maxId + 1);
  let union = 0;
  for (const set of sets)
    for (const id of set) {
      if (id > maxId) throw new Error(`export id ${id} is not in the store's exports table`);
      if (wanted[id] === 0) union++;
      wanted[id] = 1;
    }
  const flat = exportFields(sql, wanted, union, maxId);
  // Parsed index of each wanted id, then a counting sort by symbol rank that walks ids ascending.
  const at = new Int32Array(maxId + 1).fill(-1);
  for (let k = 0; k < flat.length; k += FIELDS) {
    const id = flat[k]!;
    if (wanted[id] === 1) at[id] = k;
  }
  const starts = new Uint32Array(rank.length + 1);
  for (let id = 0; id <= maxId; id++) {
    if (wanted[id] === 0) continue;
    if (at[id] === -1) throw new Error(`export id ${id} is not in the store's exports table`);
    starts[rank[flat[at[id]! + 1]!]! + 1]!++;
  }
  for (let r = 1; r < starts.length; r++) starts[r]! += starts[r - 1]!;
  const columns = {
    symbol: new Uint32Array(union),
    crc: new Uint32Array(union),
    hasCrc: new Uint8Array(union),
    module: new Uint32Array(union),
    exportType: new Uint8Array(union),
    namespace: new Int32Array(union),
  };
  const rowOf = new Int32Array(maxId + 1).fill(-1);
  for (let id = 0; id <= maxId; id++) {
    const k = at[id]!;
    if (k === -1 || wanted[id] === 0) continue;
    const symbolRank = rank[flat[k + 1]!]!;
    const row = starts[symbolRank]!++;
    rowOf[id] = row;
    columns.symbol[row] = symbolRank;
    const crc = flat[k + 2]!;
    columns.hasCrc[row] = crc === -1 ? 0 : 1;
    columns.crc[row] = crc === -1 ? 0 : crc;
    columns.module[row] = flat[k + 3]!;
    columns.exportType[row] = flat[k + 4]!;
    columns.namespace[row] = flat[k + 5]!;
  }
  return { columns, rowOf };
}

/**
 * The six fields of the wanted export rows, flat: one group_concat string parsed in one pass costs a
 * fraction of one array per row. A scan when most of the table is wanted, json_each for a few.
 */
function exportFields(sql: Sql, wanted: Uint8Array, union: number, maxId: number): Float64Array {
  const cols = "id||','||symbol||','||crc||','||module||','||export_type||','||namespace";
  const few = union * 3 < maxId;
  const q = `SELECT count(*) AS n, group_concat(${cols}, ',') AS text FROM exports${
    few ? ' WHERE id IN (SELECT value FROM json_each(?))' : ''
  }`;
  const args = few ? [JSON.stringify(idsOf(wanted))] : [];
  const { n, text } = sql.stmt(q).get(...args) as { n: number; text: string | null };
  return text === null ? new Float64Array(n * FIELDS) : parseNumbers(text, n * FIELDS);
}

function idsOf(wanted: Uint8Array): number[] {
  const out: number[] = [];
  for (let id = 0; id < wanted.length; id++) if (wanted[id] === 1) out.push(id);
  return out;
}

/**
 * A build's rows ascending, so in name order. A symbol is exported once per build; were a set to hold two
 * tuples of one symbol, the later id wins, as it does in loadBuilds' Map.
 */
function buildRows(rowOf: Int32Array, symbol: Uint32Array, exportIds: Uint32Array): Uint32Array {
  const rows = new Uint32Array(exportIds.length);
  for (let i = 0; i < exportIds.length; i++) rows[i] = rowOf[exportIds[i]!]!;
  rows.sort();
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    if (n > 0 && symbol[rows[n - 1]!] === symbol[rows[i]!]) rows[n - 1] = rows[i]!;
    else rows[n++] = rows[i]!;
  }
  return n === rows.length ? rows : rows.slice(0, n);
}
