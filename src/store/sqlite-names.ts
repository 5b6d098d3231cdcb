// The store's interned names, all of them, as `compat` reads them twice (a linux-image's modules name most
// of them; a series' ranks need every one in order): one group_concat string split in one pass, instead of
// 30,000 row arrays (a third to a fifth of the CPU). A name holding the separator (NUL: never in an ELF
// string, possible in a hostile text file) makes the count disagree, and the rows are read instead.
import { parseNumbers } from './number-text.js';
import type { Sql } from './sqlite-db.js';

/**
 * Both concatenations step over the same rows in one pass, so the k-th id is the k-th name's whatever
 * order SQLite takes (no ORDER BY inside the aggregate: that sorts in a temporary b-tree, dearer than the
 * rows it replaces).
 */
function concatenated(sql: Sql, from: string): { ids: Float64Array; names: string[] } | undefined {
  const r = sql
    .stmt(
      `SELECT count(*) AS n, group_concat(id, ',') AS ids, group_concat(name, char(0)) AS text FROM ${from}`,
    )
    .get() as { n: number; ids: string | null; text: string | null };
  if (r.n === 0) return { ids: new Float64Array(0), names: [] };
  const names = r.text!.split('\0');
  return names.length === r.n ? { ids: parseNumbers(r.ids!, r.n), names } : undefined;
}

/** Every name by id (ids not in the table: holes). */
export function allNamesById(sql: Sql): string[] {
  const names: string[] = [];
  const all = concatenated(sql, 'names');
  if (all) {
    for (let k = 0; k < all.names.length; k++) names[all.ids[k]!] = all.names[k]!;
    return names;
  }
  for (const [id, name] of sql.stmt('SELECT id, name FROM names').raw().all() as [number, string][])
    names[id] = name;
  return names;
}

/**
 * Every name's id and name, in SQLite's name order (UTF-8 bytes): the index on names read in its order.
 * The caller checks the order (JavaScript's differs past U+FFFF) and sorts if it must.
 */
export function namesByName(sql: Sql): { ids: ArrayLike<number>; names: string[] } {
  const all = concatenated(sql, '(SELECT id, name FROM names ORDER BY name)');
  if (all) return all;
  const rows = sql.stmt('SELECT id, name FROM names ORDER BY name').raw().all() as [number, string][];
  return { ids: rows.map((x) => x[0]), names: rows.map((x) => x[1]) };
}
