// Reading the SQLite store: entries (list, resolve), whole builds, a kmod's module images, a kernel's
// module names, and the store's size. Nothing here writes; the Store methods of sqlite.ts wrap these.
// A build is read as sets of ids (id-set.ts) resolved against the shared export tuples and names, in bulk:
// a series of 11 builds is ~170,000 lookups, so rows come in a few statements, never one per export.
import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { decodeIdSet } from './id-set.js';
import { decodeLoaderFacts, loaderFields, modinfoFields } from './module-loader-facts.js';
import { matchesQuery, parseLabelQuery } from './query.js';
import { type Sql, typeOf } from './sqlite-db.js';
import { allNamesById } from './sqlite-names.js';
import type { EntryKind, EntryRecord, LoadModulesOptions, StoreStats } from './store.js';

interface EntryRow {
  id: number;
  kind: EntryKind;
  format: string;
  source: string;
  ingested_at: string;
  sha256: string;
  count: number;
  modules: number;
}

export function entryRecord(sql: Sql, id: number): EntryRecord {
  const row = sql.db
    .prepare(
      `SELECT e.id, e.kind, e.format, e.source, e.ingested_at, a.sha256, s.count,
              (SELECT count(*) FROM entry_modules m WHERE m.entry = e.id) AS modules
       FROM entries e JOIN artifacts a ON a.id = e.artifact JOIN id_sets s ON s.id = e.exports WHERE e.id = ?`,
    )
    .get(id) as EntryRow | undefined;
  if (!row) throw new UsageError(`no entry with id ${id} in ${sql.path}`);
  const labels = sql.stmt('SELECT key, value FROM labels WHERE entry = ? ORDER BY key').all(id) as {
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

export function listEntries(sql: Sql, query: string): EntryRecord[] {
  const terms = parseLabelQuery(query);
  const kindTerm = terms.find((t) => t.key === 'kind');
  const labelTerms = terms.filter((t) => t.key !== 'kind');
  const ids = sql.stmt('SELECT id, kind FROM entries ORDER BY id').all() as { id: number; kind: string }[];
  return ids
    .filter((r) => !kindTerm || kindTerm.matcher.test(r.kind))
    .map((r) => entryRecord(sql, r.id))
    .filter((e) => matchesQuery(e.labels, labelTerms));
}

export function resolveEntry(sql: Sql, ref: string): EntryRecord {
  if (/^\d+$/.test(ref)) return entryRecord(sql, Number(ref));
  const found = listEntries(sql, ref);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new UsageError(`no entry matches "${ref}" in ${sql.path}`);
  const ids = found.map((e) => `${e.id} (${e.labels.release ?? e.source})`).join(', ');
  throw new UsageError(`"${ref}" matches ${found.length} entries: ${ids}; add labels or use an id`);
}

/** A stored build's record, its encoded export id set and its warnings: what every build loader starts from. */
export function buildExportSet(
  sql: Sql,
  id: number,
): { rec: ReturnType<typeof entryRecord>; ids: Buffer; count: number; warnings: string[] } {
  const q =
    'SELECT s.ids, s.count, e.warnings FROM entries e JOIN id_sets s ON s.id = e.exports WHERE e.id = ?';
  const row = sql.stmt(q).get(id) as { ids: Buffer; count: number; warnings: string };
  return { rec: entryRecord(sql, id), ids: row.ids, count: row.count, warnings: JSON.parse(row.warnings) };
}

/**
 * Several builds at once, as a series needs them: names and export rows are read once for all, and a
 * tuple shared by two builds becomes one Export object (so a diff can tell "unchanged" by identity).
 */
export function loadBuilds(sql: Sql, ids: number[], symbols?: readonly string[]): KernelBuild[] {
  const sets = ids.map((id) => {
    const b = buildExportSet(sql, id);
    return { rec: b.rec, exportIds: decodeIdSet(b.ids, b.count), warnings: b.warnings };
  });
  const all = new Set(sets.flatMap((s) => s.exportIds));
  const byId = symbols ? exportsOfSymbols(sql, all, symbols) : exportsById(sql, all);
  return sets.map(({ rec, exportIds, warnings }) => {
    const exports = new Map<string, Export>();
    for (const xid of exportIds) {
      const e = byId.get(xid);
      if (e) exports.set(e.symbol, e);
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

function exportsById(sql: Sql, ids: Set<number>, known?: string[]): Map<number, Export> {
  return exportsOfRows(sql, exportRows(sql, ids), known);
}

/** The tuples among `ids` of the names given, by the exports table's (symbol, …) index. */
function exportsOfSymbols(sql: Sql, ids: Set<number>, symbols: readonly string[]): Map<number, Export> {
  const rows = sql
    .stmt(
      `SELECT e.id, e.symbol, e.crc, e.module, e.export_type, e.namespace FROM names n JOIN exports e ON e.symbol = n.id
       WHERE n.name IN (SELECT value FROM json_each(?))`,
    )
    .raw()
    .all(JSON.stringify(symbols)) as ExportRow[];
  return exportsOfRows(
    sql,
    rows.filter((r) => ids.has(r[0])),
  );
}

function exportsOfRows(sql: Sql, rows: ExportRow[], known?: string[]): Map<number, Export> {
  let names = known;
  if (!names) {
    const nameIds = new Set<number>();
    for (const r of rows) nameIds.add(r[1]).add(r[3]).add(r[5]);
    names = namesById(sql, nameIds);
  }
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

/** Interned names by id: ids are dense, so an array beats a Map for 170,000 lookups. */
function namesById(sql: Sql, nameIds: ReadonlySet<number> | 'all'): string[] {
  const many = nameIds === 'all' || nameIds.size > 2000; // a scan of the whole table beats json_each past a few thousand
  if (many) return allNamesById(sql);
  const names: string[] = [];
  const nameRows = sql
    .stmt('SELECT id, name FROM names WHERE id IN (SELECT value FROM json_each(?))')
    .raw()
    .all(JSON.stringify([...(nameIds as ReadonlySet<number>)])) as [number, string][];
  for (const [id, name] of nameRows) names[id] = name;
  return names;
}

type ExportRow = [number, number, number, number, number, number];

/** Rows by id: a scan when most of the table is wanted (a series), json_each for a few (one build). */
function exportRows(sql: Sql, ids: Set<number>): ExportRow[] {
  const cols = 'id, symbol, crc, module, export_type, namespace';
  const max = (sql.stmt('SELECT max(id) AS m FROM exports').get() as { m: number | null }).m ?? 0;
  if (ids.size * 3 < max) {
    const q = `SELECT ${cols} FROM exports WHERE id IN (SELECT value FROM json_each(?))`;
    return sql
      .stmt(q)
      .raw()
      .all(JSON.stringify([...ids])) as ExportRow[];
  }
  return (sql.stmt(`SELECT ${cols} FROM exports`).raw().all() as ExportRow[]).filter((r) => ids.has(r[0]));
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
  /** Absent where the loader's facts are read instead (LoadModulesOptions.loader). */
  modinfo?: string;
  import_ids?: Buffer;
  import_count?: number;
  export_ids?: Buffer;
  export_count?: number;
  /** Migration 3; NULL for images stored before it. */
  needs?: string | null;
  signed: number | null;
  /** Migration 10 (module-loader-facts.ts): null for images stored before it; absent when not asked for. */
  loader?: Buffer | null;
}

const WHOLE_ROWS = `SELECT em.file, mi.*, si.ids AS import_ids, si.count AS import_count, se.ids AS export_ids, se.count AS export_count
  FROM entry_modules em JOIN module_images mi ON mi.id = em.image
  JOIN id_sets si ON si.id = mi.imports JOIN id_sets se ON se.id = mi.exports
  WHERE em.entry = ? ORDER BY em.file`;

// The columns of module_images before modinfo: reading past it would read its overflow pages.
const LOADER_ROWS = `SELECT em.file, mi.name, mi.path, mi.vermagic, mi.license, mi.srcversion, mi.modversions,
    mi.has_btf, mi.elf, l.signed, l.facts AS loader
  FROM entry_modules em JOIN module_images mi ON mi.id = em.image LEFT JOIN module_loader l ON l.image = mi.id
  WHERE em.entry = ? ORDER BY em.file`;

/** A module row's import and export ids, and its loader text when read from the loader's facts. */
interface RowSets {
  imports: ArrayLike<number> & Iterable<number>;
  exports: ArrayLike<number> & Iterable<number>;
  loader: string | null;
}

/**
 * A kmod entry's module rows: with `loader`, from the loader's facts (module_loader), the whole row
 * where an image has none (stored before migration 10).
 */
function moduleRows(sql: Sql, id: number, loader: boolean): ModuleRow[] {
  const whole = () => sql.stmt(WHOLE_ROWS).all(id) as ModuleRow[];
  if (!loader) return whole();
  const rows = sql.stmt(LOADER_ROWS).all(id) as ModuleRow[];
  if (rows.every((r) => r.loader)) return rows;
  const byFile = new Map(whole().map((r) => [r.file, r]));
  return rows.map((r) => (r.loader ? r : byFile.get(r.file)!));
}

/**
 * A kmod entry's modules, whole (imports, modinfo, exports), in file order; with `loader`, only what the
 * loader's verdicts read (see LoadModulesOptions). Read in bulk: the import and export rows of every
 * module in one statement each (a linux-image's 4,022 modules are 190,000 imports), and one Import object
 * per stored (symbol, crc) pair, shared by the modules that import it.
 */
export function loadModules(sql: Sql, id: number, options: LoadModulesOptions = {}): ModuleImage[] {
  const rows = moduleRows(sql, id, options.loader === true);
  const sets = rows.map((r): RowSets => {
    if (r.loader) {
      const f = decodeLoaderFacts(r.loader);
      return { imports: f.imports, exports: f.exports, loader: f.text };
    }
    return {
      imports: decodeIdSet(r.import_ids!, r.import_count!),
      exports: decodeIdSet(r.export_ids!, r.export_count!),
      loader: null,
    };
  });
  // A linux-image's modules name most of the store's names: read them all once, for imports and exports.
  const names = rows.length > 50 ? namesById(sql, 'all') : undefined;
  const imports = importsById(sql, sets, names);
  const exportIds = new Set<number>();
  // Index loops: a for-of over a typed array allocates a result per element until the loop is optimised.
  for (const s of sets) for (let k = 0; k < s.exports.length; k++) exportIds.add(s.exports[k]!);
  const exports = exportsById(sql, exportIds, names);
  // Modules of one kernel share one ELF header's facts: one object for them all.
  const elfs = new Map<string, ModuleImage['elf']>();
  return rows.map((r, i) => {
    const set = sets[i]!;
    const own: Import[] = new Array(set.imports.length);
    for (let k = 0; k < own.length; k++) own[k] = imports[set.imports[k]!]!;
    const theirs: Export[] = new Array(set.exports.length);
    for (let k = 0; k < theirs.length; k++) theirs[k] = exports.get(set.exports[k]!)!;
    if (set.loader === null)
      return moduleOf(
        r,
        own,
        theirs,
        modinfoFields(JSON.parse(r.modinfo!), r.needs == null ? null : (JSON.parse(r.needs) as string[])),
        JSON.parse(r.elf),
      );
    let elf = elfs.get(r.elf);
    if (!elf) {
      elf = JSON.parse(r.elf) as ModuleImage['elf'];
      elfs.set(r.elf, elf);
    }
    return moduleOf(r, own, theirs, loaderFields(set.loader), elf);
  });
}

/** The import rows the sets name, as shared Import objects by id (ids are dense: an array, not a Map). */
function importsById(sql: Sql, sets: readonly RowSets[], known?: string[]): Import[] {
  const max = (sql.stmt('SELECT max(id) AS m FROM imports').get() as { m: number | null }).m ?? 0;
  const wanted = new Uint8Array(max + 1);
  let count = 0;
  for (const s of sets)
    for (let k = 0; k < s.imports.length; k++) {
      const x = s.imports[k]!;
      if (x > max) throw new Error(`import id ${x} is not in the store's imports table`);
      if (wanted[x] === 0) count++;
      wanted[x] = 1;
    }
  const rows = (
    count * 3 < max
      ? sql
          .stmt('SELECT id, symbol, crc FROM imports WHERE id IN (SELECT value FROM json_each(?))')
          .raw()
          .all(JSON.stringify(idsOf(wanted)))
      : sql.stmt('SELECT id, symbol, crc FROM imports').raw().all()
  ) as [number, number, number][];
  let names = known;
  if (!names) {
    const nameIds = new Set<number>();
    for (const r of rows) if (wanted[r[0]] === 1) nameIds.add(r[1]);
    names = namesById(sql, nameIds);
  }
  const out: Import[] = new Array(max + 1);
  for (const [id, symbol, crc] of rows) if (wanted[id] === 1) out[id] = { symbol: names[symbol]!, crc };
  return out;
}

function idsOf(wanted: Uint8Array): number[] {
  const out: number[] = [];
  for (let id = 0; id < wanted.length; id++) if (wanted[id] === 1) out.push(id);
  return out;
}

/** A module from its row: modinfo and needs whole, or as the loader reads them (LoadModulesOptions). */
function moduleOf(
  r: ModuleRow,
  imports: Import[],
  exports: Export[],
  f: ReturnType<typeof modinfoFields>,
  elf: ModuleImage['elf'],
): ModuleImage {
  return {
    source: r.file,
    name: r.name,
    path: r.path,
    modinfo: f.modinfo,
    vermagic: r.vermagic,
    license: r.license,
    depends: f.depends,
    importNs: f.importNs,
    srcversion: r.srcversion,
    imports,
    modversions: r.modversions as ModuleImage['modversions'],
    exports,
    hasBtf: r.has_btf === 1,
    elf,
    ...(f.needs === null ? {} : { needs: f.needs }),
    ...(r.signed === null ? {} : { signed: r.signed === 1 }),
  };
}

export function loadModuleNames(sql: Sql, id: number): { modules: string[]; builtin: string[] } {
  const names = (table: string) =>
    (sql.stmt(`SELECT name FROM ${table} WHERE entry = ? ORDER BY name`).all(id) as { name: string }[]).map(
      (r) => r.name,
    );
  return { modules: names('entry_modules'), builtin: names('entry_builtin') };
}

export function storeStats(sql: Sql): StoreStats {
  const count = (table: string) => (sql.stmt(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  sql.db.pragma('wal_checkpoint(TRUNCATE)');
  return {
    entries: count('entries'),
    exports: count('exports'),
    exportSets: count('id_sets'),
    names: count('names'),
    moduleImages: count('module_images'),
    bytes: sql.path === ':memory:' ? 0 : statSync(sql.path).size,
  };
}
