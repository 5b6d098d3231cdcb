// A kernel entry's modules' split .BTF in the SQLite store (migration 11), one pack per entry
// (module-btf-pack.ts): what `kabi explain` of a store ref reads beside vmlinux's (sqlite-kernel-btf.ts).
import { packModuleBtf, unpackModuleBtf } from './module-btf-pack.js';
import type { Sql } from './sqlite-db.js';
import type { ModuleBtfBlob } from './store.js';

/** Call inside the ingest's transaction. */
export function saveModuleBtf(sql: Sql, entry: number, blobs: readonly ModuleBtfBlob[]): void {
  const { modules, pack } = packModuleBtf(blobs);
  sql
    .stmt('INSERT OR REPLACE INTO entry_module_btf (entry, modules, pack) VALUES (?, ?, ?)')
    .run(entry, modules, pack);
}

/** Null when none was kept (no BTF, not a kernel, or stored before migration 11). */
export function loadModuleBtf(sql: Sql, entry: number): ModuleBtfBlob[] | null {
  const row = sql.stmt('SELECT modules, pack FROM entry_module_btf WHERE entry = ?').get(entry) as
    | { modules: string; pack: Buffer }
    | undefined;
  return row ? unpackModuleBtf(row, `store entry ${entry}`) : null;
}
