// Migration 10's facts (module-loader-facts.ts) for the module images stored before it, made from their
// whole rows when the store is migrated. Without them `kabi compat` reads those images the long way until a
// package that holds them is ingested again; reading commands never write, so it is the migration's to do.
import { KabiError } from '../errors.js';
import { decodeIdSet } from './id-set.js';
import { encodeLoaderFacts, storedLoaderSource } from './module-loader-facts.js';
import type { Db } from './sqlite-db.js';

/** Images per round: their modinfo (a few KB each) and id sets in memory at once, not a store's all. */
const BATCH = 512;

interface Row {
  id: number;
  modinfo: string;
  needs: string | null;
  signed: number | null;
  import_ids: Buffer;
  import_count: number;
  export_ids: Buffer;
  export_count: number;
}

/** Writes the facts of every image that has none; the count written. The caller holds the write transaction. */
export function fillLoaderFacts(db: Db): number {
  const missing = db
    .prepare('SELECT id FROM module_images WHERE id NOT IN (SELECT image FROM module_loader) ORDER BY id')
    .pluck()
    .all() as number[];
  if (missing.length === 0) return 0;
  const rowsOf = db.prepare(
    `SELECT mi.id, mi.modinfo, mi.needs, mi.signed, si.ids AS import_ids, si.count AS import_count,
       se.ids AS export_ids, se.count AS export_count
     FROM module_images mi JOIN id_sets si ON si.id = mi.imports JOIN id_sets se ON se.id = mi.exports
     WHERE mi.id IN (SELECT value FROM json_each(?)) ORDER BY mi.id`,
  );
  const symbolsOf = db
    .prepare(
      'SELECT i.id, n.name FROM imports i JOIN names n ON n.id = i.symbol WHERE i.id IN (SELECT value FROM json_each(?))',
    )
    .raw();
  const insert = db.prepare('INSERT INTO module_loader (image, signed, facts) VALUES (?, ?, ?)');
  for (let at = 0; at < missing.length; at += BATCH) {
    const batch = missing.slice(at, at + BATCH);
    const rows = rowsOf.all(JSON.stringify(batch)) as Row[];
    if (rows.length !== batch.length)
      throw new KabiError(
        `module images ${batch[0]}..${batch.at(-1)}: ${batch.length - rows.length} without their id sets; the store is damaged`,
      );
    const sets = rows.map((r) => ({
      imports: decodeIdSet(r.import_ids, r.import_count),
      exports: decodeIdSet(r.export_ids, r.export_count),
    }));
    const wanted = new Set<number>();
    for (const s of sets) for (const x of s.imports) wanted.add(x);
    const symbol = new Map(symbolsOf.all(JSON.stringify([...wanted])) as [number, string][]);
    for (const [i, r] of rows.entries()) {
      const s = sets[i]!;
      const symbols = s.imports.map((x) => {
        const name = symbol.get(x);
        if (name === undefined)
          throw new KabiError(`module image ${r.id}: import id ${x} is not in the store's imports table`);
        return name;
      });
      insert.run(
        r.id,
        r.signed,
        encodeLoaderFacts(storedLoaderSource(r.modinfo, r.needs, symbols), s.imports, s.exports),
      );
    }
  }
  return missing.length;
}
