// A kernel entry's modules' split .BTF in the PostgreSQL store: the same list and frames as SQLite's
// (sqlite-module-btf.ts, module-btf-pack.ts).
import { ModuleBtfList, packModuleBtf } from './module-btf-pack.js';
import type { PgTx } from './postgres-db.js';
import type { ModuleBtfBlob } from './store.js';

/** Call inside the ingest's transaction. */
export async function saveModuleBtf(tx: PgTx, entry: number, blobs: readonly ModuleBtfBlob[]): Promise<void> {
  const { modules, frames } = packModuleBtf(blobs);
  await tx`DELETE FROM entry_module_btf_frames WHERE entry = ${entry}`;
  await tx`
    INSERT INTO entry_module_btf (entry, modules) VALUES (${entry}, ${modules})
    ON CONFLICT (entry) DO UPDATE SET modules = excluded.modules`;
  if (frames.length)
    await tx`INSERT INTO entry_module_btf_frames ${tx(frames.map((pack, frame) => ({ entry, frame, pack })))}`;
}

export async function loadModuleBtf(
  tx: PgTx,
  entry: number,
  only?: ReadonlySet<string>,
): Promise<ModuleBtfBlob[] | null> {
  const rows = await tx`SELECT modules FROM entry_module_btf WHERE entry = ${entry}`;
  const row = rows[0] as { modules: string } | undefined;
  if (!row) return null;
  const list = new ModuleBtfList(row.modules, `store entry ${entry}`);
  const frames = await tx`
    SELECT frame, pack FROM entry_module_btf_frames WHERE entry = ${entry} AND frame = ANY(${list.frames(only)}::integer[])`;
  return list.blobs(new Map(frames.map((r) => [r.frame as number, r.pack as Buffer])), only);
}
