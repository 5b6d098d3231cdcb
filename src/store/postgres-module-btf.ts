// A kernel entry's modules' split .BTF in the PostgreSQL store: the same pack as SQLite's
// (sqlite-module-btf.ts, module-btf-pack.ts).
import { packModuleBtf, unpackModuleBtf } from './module-btf-pack.js';
import type { PgTx } from './postgres-db.js';
import type { ModuleBtfBlob } from './store.js';

/** Call inside the ingest's transaction. */
export async function saveModuleBtf(tx: PgTx, entry: number, blobs: readonly ModuleBtfBlob[]): Promise<void> {
  const { modules, pack } = packModuleBtf(blobs);
  await tx`
    INSERT INTO entry_module_btf (entry, modules, pack) VALUES (${entry}, ${modules}, ${pack})
    ON CONFLICT (entry) DO UPDATE SET modules = excluded.modules, pack = excluded.pack`;
}

export async function loadModuleBtf(tx: PgTx, entry: number): Promise<ModuleBtfBlob[] | null> {
  const rows = await tx`SELECT modules, pack FROM entry_module_btf WHERE entry = ${entry}`;
  const row = rows[0] as { modules: string; pack: Buffer } | undefined;
  return row ? unpackModuleBtf(row, `store entry ${entry}`) : null;
}
