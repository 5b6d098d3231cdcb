// The SQLite store (better-sqlite3): one file, WAL journal, every ingest one IMMEDIATE transaction, a busy
// timeout so that concurrent `kabi ingest` processes wait for each other instead of failing.
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KabiError, UsageError } from '../errors.js';
import { EXPORT_TYPES, type Export, type ExportType } from '../model/export.js';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import type { Kfunc, KfuncList, KfuncMethod } from '../model/kfunc.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { decodeIdSet, encodeIdSet } from './id-set.js';
import { matchesQuery, parseLabelQuery } from './query.js';
import { MIGRATIONS } from './schema.js';
import type { EntryKind, EntryRecord, IngestInput, IngestResult, Store, StoreStats } from './store.js';

type Db = Database.Database;

export const BUSY_TIMEOUT_MS = 60_000;

export interface OpenStoreOptions {
  /** Read without writing anything (`kabi serve`): no directory or file is created, no migration runs. */
  readonly?: boolean;
}

export function openSqliteStore(path: string, opts: OpenStoreOptions = {}): SqliteStore {
  if (opts.readonly) return openReadonly(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openWal(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, path);
  return new SqliteStore(db, path);
}

/**
 * Opens the file in WAL mode. Switching a new file to WAL takes an exclusive lock for which SQLite does
 * not wait (SQLITE_BUSY at once, busy timeout or not), so two processes creating one store at the same
 * moment retry here, with a short backoff, up to the busy timeout.
 */
function openWal(path: string): Db {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    let db: Db | undefined;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      return db;
    } catch (cause) {
      db?.close();
      const busy = (cause as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() > deadline) {
        throw new KabiError(`${path}: cannot open the store (${(cause as Error).message})`, { cause });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 10 * 2 ** attempt));
    }
  }
}

/** A read-only connection still sees what other processes commit (WAL readers read the newest snapshot). */
function openReadonly(path: string): SqliteStore {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (cause) {
    throw new KabiError(`${path}: cannot open the store read-only (${(cause as Error).message})`, { cause });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== MIGRATIONS.length) {
    db.close();
    throw new KabiError(
      version > MIGRATIONS.length
        ? `${path}: store schema ${version} is newer than this kabi-tracker knows (${MIGRATIONS.length})`
        : `${path}: store schema ${version} is older than this kabi-tracker (${MIGRATIONS.length}); open it once with another command (kabi list) to migrate it`,
    );
  }
  return new SqliteStore(db, path);
}

function migrate(db: Db, path: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() > MIGRATIONS.length) {
    throw new KabiError(
      `${path}: store schema ${current()} is newer than this kabi-tracker knows (${MIGRATIONS.length})`,
    );
  }
  if (current() === MIGRATIONS.length) return;
  db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    for (let v = current(); v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}

const typeCode = (t: ExportType | null) => (t === null ? 0 : EXPORT_TYPES.indexOf(t) + 1);
const typeOf = (c: number): ExportType | null => (c === 0 ? null : (EXPORT_TYPES[c - 1] ?? null));

export class SqliteStore implements Store {
  private readonly names = new Map<string, number>();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  /** Prepared statements, compiled once: ingest runs them hundreds of thousands of times. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  close(): void {
    this.db.close();
  }

  ingest(input: IngestInput): IngestResult {
    const run = this.db.transaction((): IngestResult => {
      const artifact = this.artifactId(input.artifact);
      const existing = this.entriesOfArtifact(artifact).find((e) => sameLabels(e.labels, input.labels));
      if (existing) {
        // An entry stored before migration 2 gets its kfuncs when its artifact is ingested again.
        if (input.kfuncs && !this.hasKfuncs(existing.id)) this.saveKfuncs(existing.id, input.kfuncs);
        return { entry: existing, created: false };
      }
      const exportSet = this.idSet('exports', input.build.exports.values(), (e) => this.exportId(e));
      const id = Number(
        this.db
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
      const label = this.stmt('INSERT INTO labels (entry, key, value) VALUES (?, ?, ?)');
      for (const [k, v] of Object.entries(input.labels)) label.run(id, k, v);
      const mod = this.stmt(
        'INSERT OR REPLACE INTO entry_modules (entry, file, name, image) VALUES (?, ?, ?, ?)',
      );
      for (const m of input.modules)
        mod.run(id, m.file, m.image.name, m.keepImage ? this.moduleImageId(m.image, m.sha256) : null);
      const builtin = this.stmt('INSERT OR IGNORE INTO entry_builtin (entry, name) VALUES (?, ?)');
      for (const b of input.builtin) builtin.run(id, b);
      if (input.kfuncs) this.saveKfuncs(id, input.kfuncs);
      return { entry: this.record(id), created: true };
    });
    this.names.clear(); // ids from a rolled-back transaction must not survive
    try {
      return run.immediate();
    } catch (e) {
      this.names.clear();
      throw e;
    }
  }

  private artifactId(a: IngestInput['artifact']): number {
    const row = this.stmt('SELECT id FROM artifacts WHERE sha256 = ?').get(a.sha256) as
      | { id: number }
      | undefined;
    if (row) return row.id;
    return Number(
      this.stmt('INSERT INTO artifacts (sha256, path, size) VALUES (?, ?, ?)').run(a.sha256, a.path, a.size)
        .lastInsertRowid,
    );
  }

  private entriesOfArtifact(artifact: number): EntryRecord[] {
    const ids = this.stmt('SELECT id FROM entries WHERE artifact = ?').all(artifact) as { id: number }[];
    return ids.map((r) => this.record(r.id));
  }

  private nameId(name: string): number {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    this.stmt('INSERT OR IGNORE INTO names (name) VALUES (?)').run(name);
    const id = (this.stmt('SELECT id FROM names WHERE name = ?').get(name) as { id: number }).id;
    this.names.set(name, id);
    return id;
  }

  private exportId(e: Export): number {
    const key = [
      this.nameId(e.symbol),
      e.crc ?? -1,
      e.module === null ? 0 : this.nameId(e.module),
      typeCode(e.exportType),
      e.namespace === null ? -1 : this.nameId(e.namespace),
    ];
    this.stmt(
      'INSERT OR IGNORE INTO exports (symbol, crc, module, export_type, namespace) VALUES (?, ?, ?, ?, ?)',
    ).run(...key);
    return (
      this.stmt(
        'SELECT id FROM exports WHERE symbol = ? AND crc = ? AND module = ? AND export_type = ? AND namespace = ?',
      ).get(...key) as { id: number }
    ).id;
  }

  private importId(i: Import): number {
    const key = [this.nameId(i.symbol), i.crc];
    this.stmt('INSERT OR IGNORE INTO imports (symbol, crc) VALUES (?, ?)').run(...key);
    return (this.stmt('SELECT id FROM imports WHERE symbol = ? AND crc = ?').get(...key) as { id: number })
      .id;
  }

  private idSet<T>(kind: 'exports' | 'imports', items: Iterable<T>, idOf: (t: T) => number): number {
    const ids: number[] = [];
    for (const item of items) ids.push(idOf(item));
    const { blob, digest, count } = encodeIdSet(ids);
    this.stmt('INSERT OR IGNORE INTO id_sets (kind, digest, count, ids) VALUES (?, ?, ?, ?)').run(
      kind,
      digest,
      count,
      blob,
    );
    return (
      this.stmt('SELECT id FROM id_sets WHERE kind = ? AND digest = ?').get(kind, digest) as { id: number }
    ).id;
  }

  private moduleImageId(m: ModuleImage, sha256: string): number {
    const row = this.stmt('SELECT id FROM module_images WHERE sha256 = ?').get(sha256) as
      | { id: number }
      | undefined;
    if (row) return row.id;
    const imports = this.idSet('imports', m.imports, (i) => this.importId(i));
    const exports = this.idSet('exports', m.exports, (e) => this.exportId(e));
    return Number(
      this.db
        .prepare(
          `INSERT INTO module_images (sha256, name, path, vermagic, license, srcversion, modversions, has_btf, elf, modinfo, imports, exports)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        ).lastInsertRowid,
    );
  }

  private record(id: number): EntryRecord {
    const row = this.db
      .prepare(
        `SELECT e.id, e.kind, e.format, e.source, e.ingested_at, a.sha256, s.count,
                (SELECT count(*) FROM entry_modules m WHERE m.entry = e.id) AS modules
         FROM entries e JOIN artifacts a ON a.id = e.artifact JOIN id_sets s ON s.id = e.exports WHERE e.id = ?`,
      )
      .get(id) as
      | {
          id: number;
          kind: EntryKind;
          format: string;
          source: string;
          ingested_at: string;
          sha256: string;
          count: number;
          modules: number;
        }
      | undefined;
    if (!row) throw new UsageError(`no entry with id ${id} in ${this.path}`);
    const labels = this.stmt('SELECT key, value FROM labels WHERE entry = ? ORDER BY key').all(id) as {
      key: string;
      value: string;
    }[];
    return {
      id: row.id,
      kind: row.kind,
      format: row.format,
      source: row.source,
      sha256: row.sha256,
      ingestedAt: row.ingested_at,
      labels: Object.fromEntries(labels.map((l) => [l.key, l.value])),
      exports: row.count,
      modules: row.modules,
    };
  }

  list(query = ''): EntryRecord[] {
    const terms = parseLabelQuery(query);
    const kindTerm = terms.find((t) => t.key === 'kind');
    const labelTerms = terms.filter((t) => t.key !== 'kind');
    const ids = this.stmt('SELECT id, kind FROM entries ORDER BY id').all() as { id: number; kind: string }[];
    return ids
      .filter((r) => !kindTerm || kindTerm.matcher.test(r.kind))
      .map((r) => this.record(r.id))
      .filter((e) => matchesQuery(e.labels, labelTerms));
  }

  resolve(ref: string): EntryRecord {
    if (/^\d+$/.test(ref)) return this.record(Number(ref));
    const found = this.list(ref);
    if (found.length === 1) return found[0]!;
    if (found.length === 0) throw new UsageError(`no entry matches "${ref}" in ${this.path}`);
    const ids = found.map((e) => `${e.id} (${e.labels.release ?? e.source})`).join(', ');
    throw new UsageError(`"${ref}" matches ${found.length} entries: ${ids}; add labels or use an id`);
  }

  loadBuild(id: number): KernelBuild {
    return this.loadBuilds([id])[0]!;
  }

  /**
   * Several builds at once, as a series needs them: names and export rows are read once for all, and a
   * tuple shared by two builds becomes one Export object (so a diff can tell "unchanged" by identity).
   */
  loadBuilds(ids: number[]): KernelBuild[] {
    const sets = ids.map((id) => {
      const rec = this.record(id);
      const sql =
        'SELECT s.ids, s.count, e.warnings FROM entries e JOIN id_sets s ON s.id = e.exports WHERE e.id = ?';
      const row = this.stmt(sql).get(id) as { ids: Buffer; count: number; warnings: string };
      return {
        rec,
        exportIds: decodeIdSet(row.ids, row.count),
        warnings: JSON.parse(row.warnings) as string[],
      };
    });
    const byId = this.exportsById(new Set(sets.flatMap((s) => s.exportIds)));
    return sets.map(({ rec, exportIds, warnings }) => {
      const exports = new Map<string, Export>();
      for (const xid of exportIds) {
        const e = byId.get(xid)!;
        exports.set(e.symbol, e);
      }
      const labels = { ...rec.labels, id: String(rec.id) };
      return {
        source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
        format: rec.format as ExportsFormat,
        labels,
        exports,
        warnings,
      };
    });
  }

  private exportsById(ids: Set<number>): Map<number, Export> {
    const rows = this.exportRows(ids);
    const nameIds = new Set<number>();
    for (const r of rows) nameIds.add(r[1]).add(r[3]).add(r[5]);
    const names: string[] = []; // ids are dense: an array beats a Map for 170,000 lookups
    const many = nameIds.size > 2000; // a scan of the whole table beats json_each past a few thousand
    const nameSql = many
      ? 'SELECT id, name FROM names'
      : 'SELECT id, name FROM names WHERE id IN (SELECT value FROM json_each(?))';
    const nameRows = (
      many
        ? this.stmt(nameSql).raw().all()
        : this.stmt(nameSql)
            .raw()
            .all(JSON.stringify([...nameIds]))
    ) as [number, string][];
    for (const [id, name] of nameRows) names[id] = name;
    const out = new Map<number, Export>();
    for (const [id, symbol, crc, module, type, namespace] of rows) {
      out.set(id, {
        symbol: names[symbol]!,
        crc: crc === -1 ? null : crc,
        module: module === 0 ? null : names[module]!,
        exportType: typeOf(type),
        namespace: namespace === -1 ? null : (names[namespace] ?? ''),
      });
    }
    return out;
  }

  /** Rows by id: a scan when most of the table is wanted (a series), json_each for a few (one build). */
  private exportRows(ids: Set<number>): [number, number, number, number, number, number][] {
    type Row = [number, number, number, number, number, number];
    const cols = 'id, symbol, crc, module, export_type, namespace';
    const max = (this.stmt('SELECT max(id) AS m FROM exports').get() as { m: number | null }).m ?? 0;
    if (ids.size * 3 < max) {
      const sql = `SELECT ${cols} FROM exports WHERE id IN (SELECT value FROM json_each(?))`;
      return this.stmt(sql)
        .raw()
        .all(JSON.stringify([...ids])) as Row[];
    }
    return (this.stmt(`SELECT ${cols} FROM exports`).raw().all() as Row[]).filter((r) => ids.has(r[0]));
  }

  private exportsOf(ids: number[]): Export[] {
    const byId = this.exportsById(new Set(ids));
    return ids.map((id) => byId.get(id)!);
  }

  loadModules(id: number): ModuleImage[] {
    const rows = this.db
      .prepare(
        `SELECT em.file, mi.*, si.ids AS import_ids, si.count AS import_count, se.ids AS export_ids, se.count AS export_count
         FROM entry_modules em JOIN module_images mi ON mi.id = em.image
         JOIN id_sets si ON si.id = mi.imports JOIN id_sets se ON se.id = mi.exports
         WHERE em.entry = ? ORDER BY em.file`,
      )
      .all(id) as ModuleRow[];
    return rows.map((r) => this.moduleOf(r));
  }

  private moduleOf(r: ModuleRow): ModuleImage {
    const modinfo = JSON.parse(r.modinfo) as { key: string; value: string }[];
    const importIds = decodeIdSet(r.import_ids, r.import_count);
    const imports = this.db
      .prepare(
        'SELECT s.name AS symbol, i.crc FROM json_each(?) j JOIN imports i ON i.id = j.value JOIN names s ON s.id = i.symbol',
      )
      .all(JSON.stringify(importIds)) as Import[];
    const depends = modinfo.find((e) => e.key === 'depends')?.value ?? '';
    return {
      source: r.file,
      name: r.name,
      path: r.path,
      modinfo,
      vermagic: r.vermagic,
      license: r.license,
      depends: depends.split(',').filter(Boolean),
      importNs: modinfo.filter((e) => e.key === 'import_ns').map((e) => e.value),
      srcversion: r.srcversion,
      imports,
      modversions: r.modversions as ModuleImage['modversions'],
      exports: this.exportsOf(decodeIdSet(r.export_ids, r.export_count)),
      hasBtf: r.has_btf === 1,
      elf: JSON.parse(r.elf),
    };
  }

  loadModuleNames(id: number): { modules: string[]; builtin: string[] } {
    const modules = (
      this.stmt('SELECT name FROM entry_modules WHERE entry = ? ORDER BY name').all(id) as { name: string }[]
    ).map((r) => r.name);
    const builtin = (
      this.stmt('SELECT name FROM entry_builtin WHERE entry = ? ORDER BY name').all(id) as { name: string }[]
    ).map((r) => r.name);
    return { modules, builtin };
  }

  private hasKfuncs(entry: number): boolean {
    return this.stmt('SELECT 1 FROM entry_kfuncs WHERE entry = ?').get(entry) !== undefined;
  }

  private saveKfuncs(entry: number, list: KfuncList): void {
    const rows = list.kfuncs.map((k) => [
      k.module ?? '',
      k.name,
      k.prototype,
      k.signature,
      k.flags ?? -1,
      JSON.stringify(k.sets),
    ]);
    const digest = createHash('sha256')
      .update(rows.map((r) => r.join('\t')).join('\n'))
      .digest('hex');
    let listId = (
      this.stmt('SELECT id FROM kfunc_lists WHERE digest = ?').get(digest) as { id: number } | undefined
    )?.id;
    if (listId === undefined) {
      listId = Number(
        this.stmt('INSERT INTO kfunc_lists (digest, count) VALUES (?, ?)').run(digest, rows.length)
          .lastInsertRowid,
      );
      const row = this.stmt(
        'INSERT INTO kfuncs (list, module, name, prototype, signature, flags, sets) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of rows) row.run(listId, ...r);
    }
    this.stmt(
      `INSERT INTO entry_kfuncs (entry, list, method, symbol_source, set_flag, modules, release, warnings)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry,
      listId,
      list.method,
      list.symbolSource,
      list.setFlag ? 1 : 0,
      list.modules === null ? null : JSON.stringify(list.modules),
      list.release,
      JSON.stringify(list.warnings),
    );
  }

  loadKfuncs(id: number): KfuncList | null {
    const rec = this.record(id);
    const head = this.stmt('SELECT * FROM entry_kfuncs WHERE entry = ?').get(id) as KfuncHead | undefined;
    if (!head) return null;
    const rows = this.stmt(
      'SELECT module, name, prototype, signature, flags, sets FROM kfuncs WHERE list = ? ORDER BY module, name',
    ).all(head.list) as KfuncRow[];
    const kfuncs: Kfunc[] = rows.map((r) => ({
      name: r.name,
      prototype: r.prototype,
      signature: r.signature,
      flags: r.flags === -1 ? null : r.flags,
      sets: JSON.parse(r.sets) as string[],
      module: r.module === '' ? null : r.module,
      btfId: null,
    }));
    return {
      source: `${rec.labels.release ?? rec.source} (store entry ${id})`,
      release: head.release,
      method: head.method as KfuncMethod,
      symbolSource: head.symbol_source as KfuncList['symbolSource'],
      setFlag: head.set_flag === 1,
      modules: head.modules === null ? null : (JSON.parse(head.modules) as string[]),
      kfuncs,
      warnings: JSON.parse(head.warnings) as string[],
    };
  }

  remove(ref: string): EntryRecord {
    const rec = this.resolve(ref);
    this.db
      .transaction(() => {
        this.stmt('DELETE FROM entries WHERE id = ?').run(rec.id);
        // Sets, images and artifacts no entry uses any more go too; interned names and tuples stay (cheap, shared).
        this.db.exec(
          `DELETE FROM module_images WHERE id NOT IN (SELECT image FROM entry_modules WHERE image IS NOT NULL)`,
        );
        this.db.exec(
          `DELETE FROM id_sets WHERE id NOT IN (SELECT exports FROM entries UNION SELECT imports FROM module_images UNION SELECT exports FROM module_images)`,
        );
        this.db.exec('DELETE FROM artifacts WHERE id NOT IN (SELECT artifact FROM entries)');
        this.db.exec('DELETE FROM kfunc_lists WHERE id NOT IN (SELECT list FROM entry_kfuncs)');
      })
      .immediate();
    return rec;
  }

  stats(): StoreStats {
    const count = (table: string) =>
      (this.stmt(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      entries: count('entries'),
      exports: count('exports'),
      exportSets: count('id_sets'),
      names: count('names'),
      moduleImages: count('module_images'),
      bytes: this.path === ':memory:' ? 0 : statSync(this.path).size,
    };
  }
}

interface ModuleRow {
  file: string;
  name: string;
  path: string | null;
  vermagic: string | null;
  license: string | null;
  srcversion: string | null;
  modversions: string;
  has_btf: number;
  elf: string;
  modinfo: string;
  import_ids: Buffer;
  import_count: number;
  export_ids: Buffer;
  export_count: number;
}

interface KfuncHead {
  list: number;
  method: string;
  symbol_source: string | null;
  set_flag: number;
  modules: string | null;
  release: string | null;
  warnings: string;
}

interface KfuncRow {
  module: string;
  name: string;
  prototype: string;
  signature: string;
  flags: number;
  sets: string;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
