// A kernel entry's BPF kfuncs in the PostgreSQL store: the same tables and dedup as SQLite's
// (sqlite-kfuncs.ts): a list is shared by every build with the same kfuncs, unique by digest, so two
// writers storing one list at once make one (the second waits on the unique digest, then reads it).
import { createHash } from 'node:crypto';
import type { KfuncList } from '../model/kfunc.js';
import { type KfuncHead, type KfuncRow, kfuncListOf } from './kfunc-rows.js';
import { copyRows, type Pg, type PgTx } from './postgres-db.js';
import { entryRecord } from './postgres-query.js';

export async function hasKfuncs(tx: PgTx, entry: number): Promise<boolean> {
  return (await tx`SELECT 1 FROM entry_kfuncs WHERE entry = ${entry}`).length > 0;
}

/** Call inside the ingest's transaction. */
export async function saveKfuncs(tx: PgTx, entry: number, list: KfuncList): Promise<void> {
  const listId = await kfuncListId(tx, list);
  await tx`
    INSERT INTO entry_kfuncs (entry, list, method, symbol_source, set_flag, modules, release, warnings)
    VALUES (${entry}, ${listId}, ${list.method}, ${list.symbolSource}, ${list.setFlag},
      ${list.modules === null ? null : JSON.stringify(list.modules)}, ${list.release},
      ${JSON.stringify(list.warnings)})`;
}

async function kfuncListId(tx: PgTx, list: KfuncList): Promise<number> {
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
  const added = await tx`
    INSERT INTO kfunc_lists (digest, count) VALUES (${digest}, ${rows.length})
    ON CONFLICT (digest) DO NOTHING RETURNING id`;
  if (added.length === 0) return (await tx`SELECT id FROM kfunc_lists WHERE digest = ${digest}`)[0]!.id;
  const listId = added[0]!.id as number;
  await copyRows(
    tx,
    'kfuncs',
    ['list', 'module', 'name', 'prototype', 'signature', 'flags', 'sets'],
    rows.map((r) => [listId, ...r]),
  );
  return listId;
}

export async function loadKfuncs(pg: Pg, tx: PgTx, id: number): Promise<KfuncList | null> {
  const rec = await entryRecord(pg, tx, id);
  const [head] = await tx`SELECT * FROM entry_kfuncs WHERE entry = ${id}`;
  if (!head) return null;
  const rows = await tx`
    SELECT module, name, prototype, signature, flags, sets FROM kfuncs WHERE list = ${head.list}
    ORDER BY module, name`;
  return kfuncListOf(rec, head as unknown as KfuncHead, rows as unknown as KfuncRow[]);
}
