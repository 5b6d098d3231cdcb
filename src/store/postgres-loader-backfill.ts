// PostgreSQL's `loader` column (postgres-schema.ts 4; module-loader-facts.ts) for the module images stored
// before it, made from their whole rows by `kabi db migrate`, the one command that migrates a PostgreSQL
// store. Without it `kabi compat` reads those images the long way until a package that holds them is
// ingested again.
import { KabiError } from '../errors.js';
import { loaderText, storedLoaderSource } from './module-loader-facts.js';
import type { PgTx } from './postgres-db.js';

/** Images per round: their modinfo (a few KB each) in memory at once, not a store's all. */
const BATCH = 512;

/** Writes the loader text of every image that has none; the count written. Within the caller's transaction. */
export async function fillLoaderFactsPg(tx: PgTx): Promise<number> {
  const missing = (await tx`SELECT id FROM module_images WHERE loader IS NULL ORDER BY id`.values()).map(
    ([id]) => id as number,
  );
  for (let at = 0; at < missing.length; at += BATCH) {
    const batch = missing.slice(at, at + BATCH);
    const rows = await tx`
      SELECT mi.id, mi.modinfo, mi.needs, si.ids AS import_ids
      FROM module_images mi JOIN id_sets si ON si.id = mi.imports
      WHERE mi.id = ANY(${batch}::integer[]) ORDER BY mi.id`;
    if (rows.length !== batch.length)
      throw new KabiError(
        `module images ${batch[0]}..${batch.at(-1)}: ${batch.length - rows.length} without their id sets; the store is damaged`,
      );
    const wanted = [...new Set(rows.flatMap((r) => r.import_ids as number[]))];
    const symbol = new Map<number, string>();
    for (const [id, name] of await tx`
        SELECT i.id, n.name FROM imports i JOIN names n ON n.id = i.symbol
        WHERE i.id = ANY(${wanted}::integer[])`.values())
      symbol.set(id as number, name as string);
    const texts = rows.map((r) => {
      const symbols = (r.import_ids as number[]).map((x) => {
        const name = symbol.get(x);
        if (name === undefined)
          throw new KabiError(`module image ${r.id}: import id ${x} is not in the store's imports table`);
        return name;
      });
      return loaderText(storedLoaderSource(r.modinfo as string, r.needs as string | null, symbols));
    });
    await tx`
      UPDATE module_images AS mi SET loader = v.loader
      FROM (SELECT unnest(${rows.map((r) => r.id as number)}::integer[]) AS id,
                   unnest(${texts}::text[]) AS loader) AS v
      WHERE mi.id = v.id`;
  }
  return missing.length;
}
