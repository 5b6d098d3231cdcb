// Builds as export ids (loadExportIds) from the PostgreSQL store: every build's rows into one table of the
// export tuples they name. The union of the builds' id sets is taken in SQL (unnest, DISTINCT) and comes
// back as typed columns ordered by symbol name, then id; names are read once, in name order ("C"
// collation: bytes), so that a symbol's rank orders rows as JavaScript's `sort()` orders names.
import type { ExportType } from '../model/export.js';
import type { ExportIdBuild, ExportIdSeries, ExportRows } from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { typeOf } from './export-record.js';
import type { Pg, PgTx } from './postgres-db.js';
import { buildSets } from './postgres-query.js';

export async function loadExportIds(pg: Pg, tx: PgTx, ids: number[]): Promise<ExportIdSeries> {
  const sets = await buildSets(pg, tx, ids);
  const names = await namesInOrder(tx);
  const union = [...new Set(sets.flatMap((s) => s.exportIds))];
  const rows = await tx`
    SELECT x.id, x.symbol, x.crc, x.module, x.export_type, x.namespace
    FROM exports x WHERE x.id = ANY(${union}::integer[])`.values();
  if (rows.length !== union.length) throw new Error('an export id of a stored build is not in the store');
  // Rows by (symbol rank, id): the order SQLite's counting sort gives.
  rows.sort(
    (a, b) =>
      names.rank.get(a[1] as number)! - names.rank.get(b[1] as number)! ||
      (a[0] as number) - (b[0] as number),
  );
  const n = rows.length;
  const columns = {
    symbol: new Uint32Array(n),
    crc: new Uint32Array(n),
    hasCrc: new Uint8Array(n),
    module: new Uint32Array(n),
    exportType: new Uint8Array(n),
    namespace: new Int32Array(n),
  };
  const rowOf = new Map<number, number>();
  rows.forEach(([id, symbol, crc, module, type, namespace], row) => {
    rowOf.set(id as number, row);
    columns.symbol[row] = names.rank.get(symbol as number)!;
    columns.hasCrc[row] = crc === -1 ? 0 : 1;
    columns.crc[row] = crc === -1 ? 0 : (crc as number);
    columns.module[row] = module as number;
    columns.exportType[row] = type as number;
    columns.namespace[row] = namespace as number;
  });
  const builds = sets.map(
    ({ rec, exportIds, warnings }): ExportIdBuild => ({
      source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
      format: rec.format as ExportsFormat,
      labels: { ...rec.labels, id: String(rec.id) },
      warnings,
      rows: buildRows(rowOf, columns.symbol, exportIds),
    }),
  );
  const out: ExportRows = {
    ...columns,
    symbolName: (rank) => names.byRank[rank]!,
    exportOf: (row) => ({
      symbol: names.byRank[columns.symbol[row]!]!,
      crc: columns.hasCrc[row] ? columns.crc[row]! : null,
      module: columns.module[row] === 0 ? null : names.byId.get(columns.module[row]!)!,
      exportType: typeOf(columns.exportType[row]!) as ExportType | null,
      namespace: columns.namespace[row] === -1 ? null : (names.byId.get(columns.namespace[row]!) ?? ''),
    }),
  };
  return { builds, rows: out };
}

/** Every interned name, and each one's rank in JavaScript string order (the "C" order, checked). */
async function namesInOrder(
  tx: PgTx,
): Promise<{ rank: Map<number, number>; byRank: string[]; byId: Map<number, string> }> {
  const list = (await tx`SELECT id, name FROM names ORDER BY name COLLATE "C"`.values()) as unknown as [
    number,
    string,
  ][];
  // "C" compares UTF-8 bytes, JavaScript UTF-16 units: they differ past U+FFFF, so check the order.
  for (let i = 1; i < list.length; i++) {
    if (!(list[i - 1]![1] < list[i]![1])) {
      list.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      break;
    }
  }
  const rank = new Map<number, number>();
  const byId = new Map<number, string>();
  const byRank = list.map(([id, name], r) => {
    rank.set(id, r);
    byId.set(id, name);
    return name;
  });
  return { rank, byRank, byId };
}

/**
 * A build's rows ascending, so in name order. A symbol is exported once per build; were a set to hold two
 * tuples of one symbol, the later id wins, as it does in loadBuilds' Map.
 */
function buildRows(rowOf: Map<number, number>, symbol: Uint32Array, exportIds: number[]): Uint32Array {
  const rows = new Uint32Array(exportIds.length);
  for (let i = 0; i < exportIds.length; i++) rows[i] = rowOf.get(exportIds[i]!)!;
  rows.sort();
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    if (n > 0 && symbol[rows[n - 1]!] === symbol[rows[i]!]) rows[n - 1] = rows[i]!;
    else rows[n++] = rows[i]!;
  }
  return n === rows.length ? rows : rows.slice(0, n);
}
