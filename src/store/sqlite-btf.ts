// A kernel entry's type digest in the SQLite store (the last migration): what `kabi explain` needs of its
// BTF, without the BTF. Written inside an ingest's transaction; read back as an index (every node's key
// and hashes, one row per entry) and, for the nodes explain asks for, their definitions. Definitions are
// kept once per def hash, shared by every build that has them: most builds of a series share most types.
import { gunzipSync } from 'node:zlib';
import { hexOf, TYPE_HASH_BYTES, type TypeDef, type TypeDigest, TypeIndex } from '../model/type-digest.js';
import { compressBeside } from './compress-beside.js';
import type { Sql } from './sqlite-db.js';

/**
 * Call inside the ingest's transaction, before the entry's other rows: the definitions not kept yet are
 * found and their pack (and the index's keys) gzipped beside the rest of the transaction; the function
 * returned writes them for the entry, at the point in the transaction where it is called.
 */
export function beginTypeDigest(sql: Sql, digest: TypeDigest): (entry: number) => void {
  // Which are kept already, in one query (not one per definition: tens of thousands); none in a store
  // that keeps no definitions yet (a first kernel: 40,000 hashes not sent as JSON to be looked up).
  const kept = sql.stmt('SELECT 1 FROM type_defs LIMIT 1').get() !== undefined;
  const known = new Set(
    kept
      ? (sql
          .stmt('SELECT hash FROM type_defs WHERE hash IN (SELECT value FROM json_each(?))')
          .pluck()
          .all(JSON.stringify([...digest.defs.keys()])) as string[])
      : [],
  );
  const fresh = [...digest.defs.keys()].filter((hex) => !known.has(hex));
  // One JSON text per definition, concatenated: a reader parses only those it asks for.
  const texts = fresh.map((hex) => digest.json.get(hex)!);
  const { keys, hashes, declared } = digest.index;
  const added: number[] = [];
  for (let i = 0; i < declared.length; i++) if (declared[i]) added.push(i);
  const packed = compressBeside(
    () => {
      const keyJson = Buffer.from(JSON.stringify({ keys, declared: added }));
      return fresh.length ? [keyJson, Buffer.from(texts.join(''))] : [keyJson];
    },
    { gzip: 6 },
  );
  return (entry) => {
    // The pack's row first and its bytes last: its 40,000 definitions' rows are written while the gzip
    // still runs, not after waiting for it (what is stored is the same).
    let id: number | bigint | null = null;
    if (fresh.length) {
      id = sql.stmt('INSERT INTO type_packs (defs) VALUES (?)').run(Buffer.alloc(0)).lastInsertRowid;
      const def = sql.stmt('INSERT INTO type_defs (hash, pack, at, length) VALUES (?, ?, ?, ?)');
      let at = 0;
      for (const [i, hex] of fresh.entries()) {
        const length = Buffer.byteLength(texts[i]!);
        def.run(hex, id, at, length);
        at += length;
      }
    }
    const [keyBlob, pack] = packed();
    if (pack) sql.stmt('UPDATE type_packs SET defs = ? WHERE id = ?').run(pack, id);
    sql
      .stmt('INSERT OR REPLACE INTO entry_types (entry, keys, hashes) VALUES (?, ?, ?)')
      .run(entry, keyBlob, hashes);
  };
}

/** The entry's index; null when none was kept (no BTF, not a kernel, or stored before the migration). */
export function loadTypeIndex(sql: Sql, entry: number): TypeIndex | null {
  const row = sql.stmt('SELECT keys, hashes FROM entry_types WHERE entry = ?').get(entry) as
    | { keys: Buffer; hashes: Buffer }
    | undefined;
  if (!row) return null;
  const { keys, declared } = JSON.parse(gunzipSync(row.keys).toString('utf8')) as {
    keys: string[];
    declared: number[];
  };
  const flags = new Uint8Array(keys.length);
  for (const i of declared) flags[i] = 1;
  return new TypeIndex(keys, row.hashes, flags);
}

/** Definitions by def hash, in one query; each pack they lie in is decompressed once. */
export function loadTypeDefs(sql: Sql, hashes: readonly string[]): Map<string, TypeDef> {
  const rows = sql
    .stmt(
      'SELECT hash, pack, at, length FROM type_defs WHERE hash IN (SELECT value FROM json_each(?)) ORDER BY pack',
    )
    .all(JSON.stringify(hashes)) as { hash: string; pack: number; at: number; length: number }[];
  const out = new Map<string, TypeDef>();
  let pack = -1;
  let bytes = Buffer.alloc(0);
  for (const r of rows) {
    if (r.pack !== pack) {
      pack = r.pack;
      const row = sql.stmt('SELECT defs FROM type_packs WHERE id = ?').get(pack) as { defs: Buffer };
      bytes = gunzipSync(row.defs);
    }
    const [facts, refs, text] = JSON.parse(bytes.toString('utf8', r.at, r.at + r.length)) as [
      string[],
      string[],
      string | null,
    ];
    out.set(r.hash, { facts, refs, text });
  }
  return out;
}

/** After an entry is removed: the definitions no remaining index names, and the packs left empty. */
export function pruneTypeDefs(sql: Sql): void {
  sql.db.exec('CREATE TEMP TABLE IF NOT EXISTS kept_type_defs (hash TEXT PRIMARY KEY) WITHOUT ROWID');
  sql.db.exec('DELETE FROM kept_type_defs');
  const keep = sql.stmt('INSERT OR IGNORE INTO kept_type_defs (hash) VALUES (?)');
  const step = 2 * TYPE_HASH_BYTES;
  for (const r of sql.stmt('SELECT hashes FROM entry_types').all() as { hashes: Buffer }[])
    for (let at = 0; at < r.hashes.length; at += step) keep.run(hexOf(r.hashes, at));
  sql.db.exec('DELETE FROM type_defs WHERE hash NOT IN (SELECT hash FROM kept_type_defs)');
  sql.db.exec('DELETE FROM type_packs WHERE id NOT IN (SELECT pack FROM type_defs)');
  sql.db.exec('DELETE FROM kept_type_defs');
}
