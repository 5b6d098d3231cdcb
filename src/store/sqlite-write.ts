// Writing the SQLite store: an ingest (artifact, entry, labels, module lists, kfuncs) as one IMMEDIATE
// transaction, so that a crash or kill leaves the store as it was; and removal, which takes with the entry
// whatever no other entry uses. Names, export and import tuples and id sets are interned (stored once,
// shared by every build that has them); see schema.ts.
import type { Export } from '../model/export.js';
import { labelOf } from '../model/labels.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { encodeIdSet } from './id-set.js';
import { type Sql, typeCode } from './sqlite-db.js';
import { hasKfuncs, saveKfuncs } from './sqlite-kfuncs.js';
import { entryRecord } from './sqlite-query.js';
import type { EntryRecord, IngestInput, IngestResult } from './store.js';

export function ingest(sql: Sql, input: IngestInput): IngestResult {
  // A new interner per transaction: ids from a rolled-back transaction must not survive.
  const ids = new Interner(sql);
  const run = sql.db.transaction((): IngestResult => {
    const artifact = artifactId(sql, input.artifact);
    const existing = entriesOfArtifact(sql, artifact).find((e) => sameLabels(e.labels, input.labels));
    if (existing) {
      // An entry stored before migration 2 gets its kfuncs when its artifact is ingested again.
      if (input.kfuncs && !hasKfuncs(sql, existing.id)) saveKfuncs(sql, existing.id, input.kfuncs);
      return { entry: existing, created: false };
    }
    const id = insertEntry(sql, ids, artifact, input);
    const mod = sql.stmt(
      'INSERT OR REPLACE INTO entry_modules (entry, file, name, image) VALUES (?, ?, ?, ?)',
    );
    for (const m of input.modules)
      mod.run(id, m.file, m.image.name, m.keepImage ? moduleImageId(sql, ids, m.image, m.sha256) : null);
    const builtin = sql.stmt('INSERT OR IGNORE INTO entry_builtin (entry, name) VALUES (?, ?)');
    for (const b of input.builtin) builtin.run(id, b);
    if (input.kfuncs) saveKfuncs(sql, id, input.kfuncs);
    return { entry: entryRecord(sql, id), created: true };
  });
  return run.immediate();
}

/** The entry row and its labels; returns the entry's id. */
function insertEntry(sql: Sql, ids: Interner, artifact: number, input: IngestInput): number {
  const exportSet = ids.idSet('exports', input.build.exports.values(), (e) => ids.exportId(e));
  const id = Number(
    sql.db
      .prepare(
        'INSERT INTO entries (kind, artifact, exports, format, source, ingested_at, warnings) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        input.kind,
        artifact,
        exportSet,
        input.build.format,
        input.build.source,
        new Date().toISOString(),
        JSON.stringify(input.build.warnings),
      ).lastInsertRowid,
  );
  const label = sql.stmt('INSERT INTO labels (entry, key, value) VALUES (?, ?, ?)');
  for (const [k, v] of Object.entries(input.labels)) label.run(id, k, v);
  return id;
}

function artifactId(sql: Sql, a: IngestInput['artifact']): number {
  const row = sql.stmt('SELECT id FROM artifacts WHERE sha256 = ?').get(a.sha256) as
    | { id: number }
    | undefined;
  if (row) return row.id;
  return Number(
    sql.stmt('INSERT INTO artifacts (sha256, path, size) VALUES (?, ?, ?)').run(a.sha256, a.path, a.size)
      .lastInsertRowid,
  );
}

function entriesOfArtifact(sql: Sql, artifact: number): EntryRecord[] {
  const rows = sql.stmt('SELECT id FROM entries WHERE artifact = ?').all(artifact) as { id: number }[];
  return rows.map((r) => entryRecord(sql, r.id));
}

function moduleImageId(sql: Sql, ids: Interner, m: ModuleImage, sha256: string): number {
  const row = sql.stmt('SELECT id FROM module_images WHERE sha256 = ?').get(sha256) as
    | { id: number }
    | undefined;
  if (row) return row.id;
  const imports = ids.idSet('imports', m.imports, (i) => ids.importId(i));
  const exports = ids.idSet('exports', m.exports, (e) => ids.exportId(e));
  return Number(
    sql.db
      .prepare(
        `INSERT INTO module_images (sha256, name, path, vermagic, license, srcversion, modversions, has_btf, elf, modinfo, imports, exports, needs, signed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sha256,
        m.name,
        m.path,
        m.vermagic,
        m.license,
        m.srcversion,
        m.modversions,
        m.hasBtf ? 1 : 0,
        JSON.stringify(m.elf),
        JSON.stringify(m.modinfo),
        imports,
        exports,
        m.needs ? JSON.stringify(m.needs) : null,
        m.signed === undefined ? null : m.signed ? 1 : 0,
      ).lastInsertRowid,
  );
}

/** Stores each name, tuple and id set once; remembers the names it has seen (a build repeats them). */
class Interner {
  private readonly names = new Map<string, number>();

  constructor(private readonly sql: Sql) {}

  nameId(name: string): number {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    this.sql.stmt('INSERT OR IGNORE INTO names (name) VALUES (?)').run(name);
    const id = (this.sql.stmt('SELECT id FROM names WHERE name = ?').get(name) as { id: number }).id;
    this.names.set(name, id);
    return id;
  }

  /** Unknowns as sentinels (crc -1, module 0, namespace -1), because UNIQUE treats NULLs as distinct. */
  exportId(e: Export): number {
    const key = [
      this.nameId(e.symbol),
      e.crc ?? -1,
      e.module === null ? 0 : this.nameId(e.module),
      typeCode(e.exportType),
      e.namespace === null ? -1 : this.nameId(e.namespace),
    ];
    this.sql
      .stmt(
        'INSERT OR IGNORE INTO exports (symbol, crc, module, export_type, namespace) VALUES (?, ?, ?, ?, ?)',
      )
      .run(...key);
    const q =
      'SELECT id FROM exports WHERE symbol = ? AND crc = ? AND module = ? AND export_type = ? AND namespace = ?';
    return (this.sql.stmt(q).get(...key) as { id: number }).id;
  }

  importId(i: Import): number {
    const key = [this.nameId(i.symbol), i.crc];
    this.sql.stmt('INSERT OR IGNORE INTO imports (symbol, crc) VALUES (?, ?)').run(...key);
    return (
      this.sql.stmt('SELECT id FROM imports WHERE symbol = ? AND crc = ?').get(...key) as { id: number }
    ).id;
  }

  idSet<T>(kind: 'exports' | 'imports', items: Iterable<T>, idOf: (t: T) => number): number {
    const ids: number[] = [];
    for (const item of items) ids.push(idOf(item));
    const { blob, digest, count } = encodeIdSet(ids);
    this.sql
      .stmt('INSERT OR IGNORE INTO id_sets (kind, digest, count, ids) VALUES (?, ?, ?, ?)')
      .run(kind, digest, count, blob);
    const q = 'SELECT id FROM id_sets WHERE kind = ? AND digest = ?';
    return (this.sql.stmt(q).get(kind, digest) as { id: number }).id;
  }
}

/** Deletes an entry (labels and module lists go with it) and every set, image and list no entry uses. */
export function removeEntry(sql: Sql, id: number): void {
  sql.db
    .transaction(() => {
      sql.stmt('DELETE FROM entries WHERE id = ?').run(id);
      // Interned names and tuples stay (cheap, shared).
      sql.db.exec(
        `DELETE FROM module_images WHERE id NOT IN (SELECT image FROM entry_modules WHERE image IS NOT NULL)`,
      );
      sql.db.exec(
        `DELETE FROM id_sets WHERE id NOT IN (SELECT exports FROM entries UNION SELECT imports FROM module_images UNION SELECT exports FROM module_images)`,
      );
      sql.db.exec('DELETE FROM artifacts WHERE id NOT IN (SELECT artifact FROM entries)');
      sql.db.exec('DELETE FROM kfunc_lists WHERE id NOT IN (SELECT list FROM entry_kfuncs)');
    })
    .immediate();
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => labelOf(a, k) === labelOf(b, k));
}
