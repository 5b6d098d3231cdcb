// A kernel entry's type digest in the SQLite store (the last migration): what `kabi explain` needs of its
// BTF, without the BTF. Written inside an ingest's transaction; read back as an index (every node's key
// and hashes, one row per entry) and, for the nodes explain asks for, their definitions. Definitions are
// kept once per def hash, shared by every build that has them: most builds of a series share most types.
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  hashHex,
  TYPE_HASH_BYTES,
  type TypeDef,
  type TypeDigest,
  type TypeIndex,
} from '../model/type-digest.js';
import type { Sql } from './sqlite-db.js';

/** Call inside the ingest's transaction. */
export function saveTypeDigest(sql: Sql, entry: number, digest: TypeDigest): void {
  const known = sql.stmt('SELECT 1 FROM type_defs WHERE hash = ?');
  const fresh = [...digest.defs].filter(([hex]) => known.get(hex) === undefined);
  if (fresh.length) {
    const json = JSON.stringify(fresh.map(([, d]) => [d.def.facts, d.def.refs, d.def.text]));
    const pack = sql
      .stmt('INSERT INTO type_packs (defs) VALUES (?)')
      .run(gzipSync(json, { level: 6 })).lastInsertRowid;
    const def = sql.stmt('INSERT INTO type_defs (hash, pack, at) VALUES (?, ?, ?)');
    for (const [at, [hex]] of fresh.entries()) def.run(hex, pack, at);
  }
  const keys: string[] = [];
  const declared: number[] = [];
  const hashes = Buffer.alloc(digest.index.size * 2 * TYPE_HASH_BYTES);
  let at = 0;
  for (const [key, n] of digest.index) {
    if (n.declared) declared.push(keys.length);
    keys.push(key);
    hashes.set(n.def, at);
    hashes.set(n.reach, at + TYPE_HASH_BYTES);
    at += 2 * TYPE_HASH_BYTES;
  }
  sql
    .stmt('INSERT OR REPLACE INTO entry_types (entry, keys, hashes) VALUES (?, ?, ?)')
    .run(entry, gzipSync(JSON.stringify({ keys, declared }), { level: 6 }), hashes);
}

export function hasTypeDigest(sql: Sql, entry: number): boolean {
  return sql.stmt('SELECT 1 FROM entry_types WHERE entry = ?').get(entry) !== undefined;
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
  const added = new Set(declared);
  const index: TypeIndex = new Map();
  const step = 2 * TYPE_HASH_BYTES;
  for (const [i, key] of keys.entries())
    index.set(key, {
      def: row.hashes.subarray(i * step, i * step + TYPE_HASH_BYTES),
      reach: row.hashes.subarray(i * step + TYPE_HASH_BYTES, (i + 1) * step),
      declared: added.has(i),
    });
  return index;
}

/** Definitions by def hash, in one query; each pack they lie in is decompressed once. */
export function loadTypeDefs(sql: Sql, hashes: readonly Uint8Array[]): Map<string, TypeDef> {
  const rows = sql
    .stmt('SELECT hash, pack, at FROM type_defs WHERE hash IN (SELECT value FROM json_each(?)) ORDER BY pack')
    .all(JSON.stringify(hashes.map(hashHex))) as { hash: string; pack: number; at: number }[];
  const out = new Map<string, TypeDef>();
  let pack = -1;
  let defs: [string[], string[], string | null][] = [];
  for (const r of rows) {
    if (r.pack !== pack) {
      pack = r.pack;
      const row = sql.stmt('SELECT defs FROM type_packs WHERE id = ?').get(pack) as { defs: Buffer };
      defs = JSON.parse(gunzipSync(row.defs).toString('utf8'));
    }
    const [facts, refs, text] = defs[r.at]!;
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
    for (let at = 0; at < r.hashes.length; at += step) keep.run(hashHex(r.hashes.subarray(at, at + TYPE_HASH_BYTES)));
  sql.db.exec('DELETE FROM type_defs WHERE hash NOT IN (SELECT hash FROM kept_type_defs)');
  sql.db.exec('DELETE FROM type_packs WHERE id NOT IN (SELECT pack FROM type_defs)');
  sql.db.exec('DELETE FROM kept_type_defs');
}
