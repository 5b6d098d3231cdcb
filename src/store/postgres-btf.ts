// A kernel entry's type digest in the PostgreSQL store: as on SQLite (sqlite-btf.ts), the index one row
// per entry and each definition once by its def hash, in gzipped packs. Two writers adding one definition
// at once keep the first (ON CONFLICT): the second's copy stays in its pack, unread, and is pruned with it.
import { gunzipSync, gzipSync } from 'node:zlib';
import { hexOf, TYPE_HASH_BYTES, type TypeDef, type TypeDigest, TypeIndex } from '../model/type-digest.js';
import { copyRows, type PgTx } from './postgres-db.js';

/** Call inside the ingest's transaction. */
export async function saveTypeDigest(tx: PgTx, entry: number, digest: TypeDigest): Promise<void> {
  const all = [...digest.defs.keys()];
  const known = new Set(
    (await tx`SELECT hash FROM type_defs WHERE hash = ANY(${all}::text[])`).map((r) => r.hash as string),
  );
  const fresh = all.filter((hex) => !known.has(hex));
  if (fresh.length) {
    const texts = fresh.map((hex) => Buffer.from(digest.json.get(hex)!));
    const [pack] = await tx`
      INSERT INTO type_packs (defs) VALUES (${gzipSync(Buffer.concat(texts), { level: 6 })}) RETURNING id`;
    let at = 0;
    const rows = fresh.map((hex, i) => {
      const row = [hex, pack!.id as number, at, texts[i]!.length];
      at += texts[i]!.length;
      return row;
    });
    await tx`CREATE TEMP TABLE IF NOT EXISTS ingest_type_defs (hash text, pack integer, at integer, length integer) ON COMMIT DROP`;
    await copyRows(tx, 'ingest_type_defs', ['hash', 'pack', 'at', 'length'], rows);
    await tx`
      INSERT INTO type_defs (hash, pack, at, length) SELECT hash, pack, at, length FROM ingest_type_defs
      ORDER BY hash ON CONFLICT (hash) DO NOTHING`;
  }
  const { keys, hashes, declared } = digest.index;
  const added: number[] = [];
  for (let i = 0; i < declared.length; i++) if (declared[i]) added.push(i);
  const keyBlob = gzipSync(JSON.stringify({ keys, declared: added }), { level: 6 });
  await tx`
    INSERT INTO entry_types (entry, keys, hashes) VALUES (${entry}, ${keyBlob}, ${Buffer.from(hashes)})
    ON CONFLICT (entry) DO UPDATE SET keys = excluded.keys, hashes = excluded.hashes`;
}

export async function loadTypeIndex(tx: PgTx, entry: number): Promise<TypeIndex | null> {
  const [row] = await tx`SELECT keys, hashes FROM entry_types WHERE entry = ${entry}`;
  if (!row) return null;
  const { keys, declared } = JSON.parse(gunzipSync(row.keys as Buffer).toString('utf8')) as {
    keys: string[];
    declared: number[];
  };
  const flags = new Uint8Array(keys.length);
  for (const i of declared) flags[i] = 1;
  return new TypeIndex(keys, row.hashes as Buffer, flags);
}

/** Definitions by def hash, in one query; each pack they lie in is decompressed once. */
export async function loadTypeDefs(tx: PgTx, hashes: readonly string[]): Promise<Map<string, TypeDef>> {
  const rows = await tx`
    SELECT d.hash, d.pack, d.at, d.length FROM type_defs d WHERE d.hash = ANY(${hashes as string[]}::text[])
    ORDER BY d.pack`;
  const out = new Map<string, TypeDef>();
  const packIds = [...new Set(rows.map((r) => r.pack as number))];
  const packs = new Map<number, Buffer>();
  for (const p of await tx`SELECT id, defs FROM type_packs WHERE id = ANY(${packIds}::integer[])`)
    packs.set(p.id as number, gunzipSync(p.defs as Buffer));
  for (const r of rows) {
    const bytes = packs.get(r.pack as number)!;
    const [facts, refs, text] = JSON.parse(bytes.toString('utf8', r.at, r.at + r.length)) as [
      string[],
      string[],
      string | null,
    ];
    out.set(r.hash as string, { facts, refs, text });
  }
  return out;
}

/** After an entry is removed: the definitions no remaining index names, and the packs left empty. */
export async function pruneTypeDefs(tx: PgTx): Promise<void> {
  const step = 2 * TYPE_HASH_BYTES;
  const kept = new Set<string>();
  for (const r of await tx`SELECT hashes FROM entry_types`) {
    const h = r.hashes as Buffer;
    for (let at = 0; at < h.length; at += step) kept.add(hexOf(h, at));
  }
  await tx`DELETE FROM type_defs WHERE NOT (hash = ANY(${[...kept]}::text[]))`;
  await tx`DELETE FROM type_packs WHERE id NOT IN (SELECT pack FROM type_defs)`;
}
