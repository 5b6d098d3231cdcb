// A kernel entry's BPF kfuncs in the SQLite store (migration 2): written inside an ingest's transaction,
// read back by `kabi kfuncs` and `kabi show`. Apart from the other writes and queries because kfuncs
// have their own tables and their own dedup: a list is shared by every build with the same kfuncs
// (unique by digest), and BTF ids are not kept (they change with every build).
import { createHash } from 'node:crypto';
import type { KfuncList } from '../model/kfunc.js';
import { type KfuncHead as Head, type KfuncRow, kfuncListOf } from './kfunc-rows.js';
import type { Sql } from './sqlite-db.js';
import { entryRecord } from './sqlite-query.js';

interface KfuncHead extends Head {
  list: number;
  set_flag: number;
}

export function hasKfuncs(sql: Sql, entry: number): boolean {
  return sql.stmt('SELECT 1 FROM entry_kfuncs WHERE entry = ?').get(entry) !== undefined;
}

/** Call inside the ingest's transaction. */
export function saveKfuncs(sql: Sql, entry: number, list: KfuncList): void {
  sql
    .stmt(
      `INSERT INTO entry_kfuncs (entry, list, method, symbol_source, set_flag, modules, release, warnings)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      entry,
      kfuncListId(sql, list),
      list.method,
      list.symbolSource,
      list.setFlag ? 1 : 0,
      list.modules === null ? null : JSON.stringify(list.modules),
      list.release,
      JSON.stringify(list.warnings),
    );
}

/** The stored list with these kfuncs, written if no build had it yet. */
function kfuncListId(sql: Sql, list: KfuncList): number {
  const rows = list.kfuncs.map((k) => [
    k.module ?? '',
    k.name,
    k.prototype,
    k.signature,
    k.flags ?? -1,
    JSON.stringify(k.sets),
  ]);
  const digest = createHash('sha256')
    .update(rows.map((r) => r.join('\t')).join('\n'))
    .digest('hex');
  const found = sql.stmt('SELECT id FROM kfunc_lists WHERE digest = ?').get(digest) as
    | { id: number }
    | undefined;
  if (found) return found.id;
  const listId = Number(
    sql.stmt('INSERT INTO kfunc_lists (digest, count) VALUES (?, ?)').run(digest, rows.length)
      .lastInsertRowid,
  );
  const row = sql.stmt(
    'INSERT INTO kfuncs (list, module, name, prototype, signature, flags, sets) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const r of rows) row.run(listId, ...r);
  return listId;
}

export function loadKfuncs(sql: Sql, id: number): KfuncList | null {
  const rec = entryRecord(sql, id);
  const head = sql.stmt('SELECT * FROM entry_kfuncs WHERE entry = ?').get(id) as KfuncHead | undefined;
  if (!head) return null;
  const rows = sql
    .stmt(
      'SELECT module, name, prototype, signature, flags, sets FROM kfuncs WHERE list = ? ORDER BY module, name',
    )
    .all(head.list) as KfuncRow[];
  return kfuncListOf(rec, head, rows);
}
