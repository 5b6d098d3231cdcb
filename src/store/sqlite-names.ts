// The store's interned names, all of them, as `compat` reads them twice (a linux-image's modules name most
// of them; a series' ranks need every one in order): one group_concat string split in one pass, instead of
// 30,000 row arrays (a third to a fifth of the CPU). A name holding the separator (NUL: never in an ELF
// string, possible in a hostile text file) makes the count disagree, and the rows are read instead.
import { parseNumbers } from './number-text.js';
import type { Sql } from './sqlite-db.js';

/** Every name by id (ids not in the table: holes). */
export function allNamesById(sql: Sql): string[] {
  const r = sql
    .stmt(
      `SELECT count(*) AS n, min(id) AS lo, max(id) AS hi,
         group_concat(name, char(0) ORDER BY id) AS text FROM names`,
    )
    .get() as { n: number; lo: number | null; hi: number | null; text: string | null };
  // Dense ids from 0 or 1 (SQLite's rowids) are the names' places in the string; else ids are read too.
  if (r.n > 0 && r.text !== null && r.hi! - r.lo! + 1 === r.n && r.lo! <= 1) {
    const parts = r.text.split('\0');
    if (parts.length === r.n) {
      if (r.lo === 0) return parts;
      const names: string[] = new Array(r.hi! + 1);
      for (let k = 0; k < parts.length; k++) names[k + r.lo!] = parts[k]!;
      return names;
    }
  }
  const names: string[] = [];
  for (const [id, name] of sql.stmt('SELECT id, name FROM names').raw().all() as [number, string][])
    names[id] = name;
  return names;
}

/** Every name's id and name, in SQLite's name order (UTF-8 bytes). */
export function namesByName(sql: Sql): { ids: ArrayLike<number>; names: string[] } {
  const r = sql
    .stmt(
      `SELECT count(*) AS n, group_concat(id, ',' ORDER BY name) AS ids,
         group_concat(name, char(0) ORDER BY name) AS text FROM names`,
    )
    .get() as { n: number; ids: string | null; text: string | null };
  if (r.n === 0) return { ids: [], names: [] };
  const names = r.text!.split('\0');
  if (names.length === r.n) return { ids: parseNumbers(r.ids!, r.n), names };
  const rows = sql.stmt('SELECT id, name FROM names ORDER BY name').raw().all() as [number, string][];
  return { ids: rows.map((x) => x[0]), names: rows.map((x) => x[1]) };
}
