// A kernel entry's modules' split .BTF in the SQLite store (migration 11): its list in entry_module_btf,
// its zstd frames a row each in entry_module_btf_frames (module-btf-pack.ts), so that explain reads only
// the frames of the modules it needs. Beside vmlinux's (sqlite-kernel-btf.ts).
import { ModuleBtfList, type ModuleBtfPack } from './module-btf-pack.js';
import type { Sql } from './sqlite-db.js';
import type { ModuleBtfBlob } from './store.js';

/** Call inside the ingest's transaction, with the pack begun at its start (beginModuleBtfPack). */
export function saveModuleBtf(sql: Sql, entry: number, pack: () => ModuleBtfPack): void {
  const { modules, frames } = pack();
  sql.stmt('DELETE FROM entry_module_btf_frames WHERE entry = ?').run(entry);
  sql.stmt('INSERT OR REPLACE INTO entry_module_btf (entry, modules) VALUES (?, ?)').run(entry, modules);
  const put = sql.stmt('INSERT INTO entry_module_btf_frames (entry, frame, pack) VALUES (?, ?, ?)');
  for (const [i, f] of frames.entries()) put.run(entry, i, f);
}

/** Null when none was kept (no BTF, not a kernel, or stored before migration 11). `only`: these modules. */
export function loadModuleBtf(sql: Sql, entry: number, only?: ReadonlySet<string>): ModuleBtfBlob[] | null {
  const row = sql.stmt('SELECT modules FROM entry_module_btf WHERE entry = ?').get(entry) as
    | { modules: string }
    | undefined;
  if (!row) return null;
  const list = new ModuleBtfList(row.modules, `store entry ${entry}`);
  const wanted = list.frames(only);
  const rows = sql
    .stmt(
      'SELECT frame, pack FROM entry_module_btf_frames WHERE entry = ? AND frame IN (SELECT value FROM json_each(?))',
    )
    .raw()
    .all(entry, JSON.stringify(wanted)) as [number, Buffer][];
  return list.blobs(new Map(rows), only);
}
