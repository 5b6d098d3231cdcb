// Writing the SQLite store: an ingest (artifact, entry, labels, module lists, kfuncs) as one IMMEDIATE
// transaction, so that a crash or kill leaves the store as it was; and removal, which takes with the entry
// whatever no other entry uses. Names, export and import tuples and id sets are interned (stored once,
// shared by every build that has them); see schema.ts.
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import { labelOf } from '../model/labels.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { encodeIdSet } from './id-set.js';
import { beginModuleBtfPack } from './module-btf-pack.js';
import { encodeLoaderFacts } from './module-loader-facts.js';
import { beginTypeDigest, pruneTypeDefs } from './sqlite-btf.js';
import { type Sql, typeCode } from './sqlite-db.js';
import { saveExportColumns } from './sqlite-export-columns.js';
import { pruneKernelBtf, saveKernelBtf } from './sqlite-kernel-btf.js';
import { hasKfuncs, saveKfuncs } from './sqlite-kfuncs.js';
import { saveModuleBtf } from './sqlite-module-btf.js';
import { entryRecord } from './sqlite-query.js';
import type { EntryRecord, IngestInput, IngestResult } from './store.js';

export function ingest(sql: Sql, input: IngestInput): IngestResult {
  // A new interner per transaction: ids from a rolled-back transaction must not survive.
  const ids = new Interner(sql);
  const run = sql.db.transaction((): IngestResult => {
    const artifact = artifactId(sql, input.artifact);
    const again = storedAgain(sql, artifact, input.update ?? input.labels, input.labels.release);
    if (again) {
      // An entry stored before migration 2 gets its kfuncs when its artifact is ingested again.
      if (input.kfuncs && !hasKfuncs(sql, again.entry.id)) saveKfuncs(sql, again.entry.id, input.kfuncs);
      return again;
    }
    // Their gzip and zstd run beside the entry's other rows (compress-beside.ts), which are written first.
    const saveTypes = input.types ? beginTypeDigest(sql, input.types) : null;
    const moduleBtf = input.moduleBtf ? beginModuleBtfPack(input.moduleBtf) : null;
    const id = insertEntry(sql, ids, artifact, input);
    const mod = sql.stmt(
      'INSERT OR REPLACE INTO entry_modules (entry, file, name, image) VALUES (?, ?, ?, ?)',
    );
    for (const m of input.modules)
      mod.run(id, m.file, m.image.name, m.keepImage ? moduleImageId(sql, ids, m.image, m.sha256) : null);
    const builtin = sql.stmt('INSERT OR IGNORE INTO entry_builtin (entry, name) VALUES (?, ?)');
    for (const b of input.builtin) builtin.run(id, b);
    if (input.kfuncs) saveKfuncs(sql, id, input.kfuncs);
    // The kernel's BTF before the types: written while the types' gzip still runs.
    if (input.btf) saveKernelBtf(sql, id, input.btf);
    if (moduleBtf) saveModuleBtf(sql, id, moduleBtf);
    saveTypes?.(id);
    return { entry: entryRecord(sql, id), created: true };
  });
  return run.immediate();
}

/** The entry row and its labels; returns the entry's id. */
function insertEntry(sql: Sql, ids: Interner, artifact: number, input: IngestInput): number {
  const exportSet = ids.idSet('exports', input.build.exports.values(), (e) => ids.exportId(e));
  if (input.kind === 'kernel')
    saveExportColumns(sql, exportSet, input.build.exports.values(), (name) => ids.nameId(name));
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

/**
 * An artifact ingested again is the entry it already made, with `update`'s labels set on it; null when
 * it was never stored as this `release`. Two builds can ship the very same bytes (Debian's 6.1.0-55 and
 * -56 have one Module.symvers): a file named for another release is another build, a new entry. A store
 * from before may hold one artifact under several entries (each ingest with other labels made one): the
 * one that already has `update`'s labels is it, else the caller must say which (`kabi label`).
 */
function storedAgain(
  sql: Sql,
  artifact: number,
  update: Record<string, string>,
  release: string | undefined,
): IngestResult | null {
  const entries = entriesOfArtifact(sql, artifact).filter(
    (e) => release === undefined || e.labels.release === undefined || e.labels.release === release,
  );
  if (entries.length === 0) return null;
  const has = (e: EntryRecord) => Object.entries(update).every(([k, v]) => labelOf(e.labels, k) === v);
  const entry = entries.length === 1 ? entries[0]! : entries.find(has);
  if (entry === undefined) {
    const ids = entries.map((e) => e.id).join(', ');
    throw new UsageError(
      `this artifact is stored as entries ${ids}; set labels on one of them with kabi label REF key=value`,
    );
  }
  const changed = Object.keys(update).filter((k) => labelOf(entry.labels, k) !== update[k]);
  if (changed.length === 0) return { entry, created: false, labelsChanged: [] };
  return { entry: setLabels(sql, entry.id, update, []), created: false, labelsChanged: changed };
}

/** The entry an artifact (by sha256) made as `release`, with `update`'s labels set: ingesting it again. */
export function reingest(
  sql: Sql,
  sha256: string,
  update: Record<string, string>,
  release?: string,
): IngestResult | null {
  const row = sql.stmt('SELECT id FROM artifacts WHERE sha256 = ?').get(sha256) as { id: number } | undefined;
  if (!row) return null;
  return sql.db.transaction(() => storedAgain(sql, row.id, update, release)).immediate();
}

/** Sets and removes labels of one entry in one transaction; a key to unset must be there. */
export function setLabels(sql: Sql, id: number, set: Record<string, string>, unset: string[]): EntryRecord {
  return sql.db
    .transaction(() => {
      const before = entryRecord(sql, id);
      for (const key of unset) {
        if (labelOf(before.labels, key) === undefined)
          throw new UsageError(`entry ${id} has no label ${key} to unset`);
        sql.stmt('DELETE FROM labels WHERE entry = ? AND key = ?').run(id, key);
      }
      const put = sql.stmt('INSERT OR REPLACE INTO labels (entry, key, value) VALUES (?, ?, ?)');
      for (const [k, v] of Object.entries(set)) put.run(id, k, v);
      return entryRecord(sql, id);
    })
    .immediate();
}

function moduleImageId(sql: Sql, ids: Interner, m: ModuleImage, sha256: string): number {
  const row = sql.stmt('SELECT id FROM module_images WHERE sha256 = ?').get(sha256) as
    | { id: number }
    | undefined;
  const signed = m.signed === undefined ? null : m.signed ? 1 : 0;
  const saveLoader = (image: number, importIds: number[], exportIds: number[]) =>
    sql
      .stmt('INSERT INTO module_loader (image, signed, facts) VALUES (?, ?, ?)')
      .run(image, signed, encodeLoaderFacts(m, importIds, exportIds));
  const importIds = () => m.imports.map((i) => ids.importId(i));
  const exportIds = () => m.exports.map((e) => ids.exportId(e));
  if (row) {
    // An image stored before migration 10 gets its facts when a package that has it is ingested again.
    if (!sql.stmt('SELECT 1 FROM module_loader WHERE image = ?').get(row.id))
      saveLoader(row.id, importIds(), exportIds());
    return row.id;
  }
  const ownImports = importIds();
  const ownExports = exportIds();
  const imports = ids.idSet('imports', ownImports, (x) => x);
  const exports = ids.idSet('exports', ownExports, (x) => x);
  const image = Number(
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
        signed,
      ).lastInsertRowid,
  );
  saveLoader(image, ownImports, ownExports);
  return image;
}

/** Stores each name, tuple and id set once; remembers the names it has seen (a build repeats them). */
class Interner {
  private readonly names = new Map<string, number>();

  constructor(private readonly sql: Sql) {}

  nameId(name: string): number {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    // A new row says its id (RETURNING); one already there is looked up: one statement in a fresh store.
    const added = this.sql.stmt('INSERT OR IGNORE INTO names (name) VALUES (?) RETURNING id').get(name) as
      | { id: number }
      | undefined;
    const id =
      added?.id ?? (this.sql.stmt('SELECT id FROM names WHERE name = ?').get(name) as { id: number }).id;
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
    const added = this.sql
      .stmt(
        'INSERT OR IGNORE INTO exports (symbol, crc, module, export_type, namespace) VALUES (?, ?, ?, ?, ?) RETURNING id',
      )
      .get(...key) as { id: number } | undefined;
    if (added) return added.id;
    const q =
      'SELECT id FROM exports WHERE symbol = ? AND crc = ? AND module = ? AND export_type = ? AND namespace = ?';
    return (this.sql.stmt(q).get(...key) as { id: number }).id;
  }

  importId(i: Import): number {
    const key = [this.nameId(i.symbol), i.crc];
    const added = this.sql
      .stmt('INSERT OR IGNORE INTO imports (symbol, crc) VALUES (?, ?) RETURNING id')
      .get(...key) as { id: number } | undefined;
    if (added) return added.id;
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
      pruneTypeDefs(sql);
      pruneKernelBtf(sql);
    })
    .immediate();
}
