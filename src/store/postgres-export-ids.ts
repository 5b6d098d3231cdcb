// Builds as export ids (loadExportIds) from the PostgreSQL store: every build's rows into one table of the
// export tuples they name. The tuples come back as one text of numbers, made typed columns ordered by
// symbol name, then id; names are read once, in name order ("C"
// collation: bytes), so that a symbol's rank orders rows as JavaScript's `sort()` orders names.
import type { ExportType } from '../model/export.js';
import type { ExportIdBuild, ExportIdSeries, ExportRows } from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { typeOf } from './export-record.js';
import { parseNumbers } from './number-text.js';
import type { Pg, PgTx } from './postgres-db.js';
import { buildSets } from './postgres-query.js';

const FIELDS = 6; // id, symbol, crc, module, export_type, namespace

export async function loadExportIds(pg: Pg, tx: PgTx, ids: number[]): Promise<ExportIdSeries> {
  const sets = await buildSets(pg, tx, ids);
  const names = await namesInOrder(tx);
  const flat = await exportFields(
    tx,
    sets.map((s) => s.exportIds),
  );
  const n = flat.length / FIELDS;
  // Rows by (symbol rank, id): k (the tuple's place, ascending by id) breaks ties, so one native sort of
  // rank × 2^21 + k orders them (k < 2^21); past that, a comparator.
  const SPAN = 2 ** 21;
  const order = new Float64Array(n);
  for (let k = 0; k < n; k++) order[k] = names.rank.get(flat[k * FIELDS + 1]!)! * SPAN + k;
  if (n < SPAN) order.sort();
  else order.sort((x, y) => Math.floor(x / SPAN) - Math.floor(y / SPAN) || (x % SPAN) - (y % SPAN));
  const columns = {
    symbol: new Uint32Array(n),
    crc: new Uint32Array(n),
    hasCrc: new Uint8Array(n),
    module: new Uint32Array(n),
    exportType: new Uint8Array(n),
    namespace: new Int32Array(n),
  };
  const maxId = n ? flat[(n - 1) * FIELDS]! : 0;
  const rowOf = new Int32Array(maxId + 1).fill(-1);
  for (let row = 0; row < n; row++) {
    const k = order[row]! % SPAN;
    const at = k * FIELDS;
    rowOf[flat[at]!] = row;
    columns.symbol[row] = names.rank.get(flat[at + 1]!)!;
    const crc = flat[at + 2]!;
    columns.hasCrc[row] = crc === -1 ? 0 : 1;
    columns.crc[row] = crc === -1 ? 0 : crc;
    columns.module[row] = flat[at + 3]!;
    columns.exportType[row] = flat[at + 4]!;
    columns.namespace[row] = flat[at + 5]!;
  }
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

/**
 * The six fields of the tuples the builds' sets name, flat, ascending by id. The union is taken here, from
 * the sets' packed ids: in SQL (unnest and a hash join) it cost 6.8 s for 200 builds, 5 million ids. A
 * scan of the whole table when most of it is wanted (a series), the ids as a parameter for a few; either
 * way one text of numbers, parsed in one pass (a fraction of the cost of 200,000 rows through the client).
 */
async function exportFields(tx: PgTx, sets: number[][]): Promise<Float64Array> {
  const [{ m }] = (await tx`SELECT coalesce(max(id), 0) AS m FROM exports`) as unknown as [{ m: number }];
  const wanted = new Uint8Array(m + 1);
  let union = 0;
  for (const set of sets)
    for (const id of set) {
      if (id > m) throw new Error(`export id ${id} is not in the store's exports table`);
      if (wanted[id] === 0) union++;
      wanted[id] = 1;
    }
  const select = `SELECT count(*)::integer AS n, string_agg(concat_ws(',', x.id, x.symbol, x.crc, x.module,
    x.export_type, x.namespace), ',' ORDER BY x.id) AS text FROM exports x`;
  const few = union * 3 < m;
  const ids: number[] = [];
  if (few) for (let id = 0; id <= m; id++) if (wanted[id] === 1) ids.push(id);
  const [row] = few
    ? await tx.unsafe(`${select} WHERE x.id = ANY($1::integer[])`, [ids])
    : await tx.unsafe(select);
  const all = parseNumbers((row!.text as string | null) ?? '', (row!.n as number) * FIELDS);
  if (!few) return keepWanted(all, wanted, union);
  if (all.length !== union * FIELDS) throw new Error('an export id of a stored build is not in the store');
  return all;
}

/** The rows of `all` whose id is wanted, in order; every wanted id must be there. */
function keepWanted(all: Float64Array, wanted: Uint8Array, union: number): Float64Array {
  const out = new Float64Array(union * FIELDS);
  let j = 0;
  for (let k = 0; k < all.length; k += FIELDS) {
    if (wanted[all[k]!] !== 1) continue;
    if (j === out.length) break;
    out.set(all.subarray(k, k + FIELDS), j);
    j += FIELDS;
  }
  if (j !== out.length) throw new Error('an export id of a stored build is not in the store');
  return out;
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
function buildRows(rowOf: Int32Array, symbol: Uint32Array, exportIds: number[]): Uint32Array {
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
