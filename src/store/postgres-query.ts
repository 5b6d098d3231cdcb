// Reading the PostgreSQL store: entries (list, resolve), whole builds, a kmod's module images, a kernel's
// module names, and the store's size. Entries come with their labels aggregated in SQL (one statement for
// a list); a build's tuples with their names joined in SQL, one statement for every build a question names,
// by the ids of its packed set. Label queries are matched with query.ts, as on SQLite, so both stores
// resolve a REF the same way.
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import type { Import, ModuleImage } from '../model/module-image.js';
import { typeOf } from './export-record.js';
import { decodeIdSet } from './id-set.js';
import { loaderFields, modinfoFields } from './module-loader-facts.js';
import type { Pg, PgTx } from './postgres-db.js';
import { matchesQuery, parseLabelQuery } from './query.js';
import type { EntryKind, EntryRecord, LoadModulesOptions, StoreStats } from './store.js';

const ENTRY_SELECT = `
  SELECT e.id, e.kind, e.format, e.source, e.ingested_at, a.sha256, s.count,
    (SELECT count(*) FROM entry_modules m WHERE m.entry = e.id)::integer AS modules,
    coalesce((SELECT json_agg(json_build_array(l.key, l.value) ORDER BY l.key) FROM labels l
      WHERE l.entry = e.id), '[]'::json) AS labels
  FROM entries e JOIN artifacts a ON a.id = e.artifact JOIN id_sets s ON s.id = e.exports`;

interface EntryRow {
  id: number;
  kind: EntryKind;
  format: string;
  source: string;
  ingested_at: string;
  sha256: string;
  count: number;
  modules: number;
  labels: [string, string][];
}

const recordOf = (r: EntryRow): EntryRecord => ({
  id: r.id,
  kind: r.kind,
  format: r.format,
  source: r.source,
  sha256: r.sha256,
  ingestedAt: r.ingested_at,
  labels: Object.fromEntries(r.labels),
  exports: r.count,
  modules: r.modules,
});

/** Entries by id, in the order asked; an id not stored is an error naming it. */
export async function entryRecords(pg: Pg, tx: PgTx, ids: readonly number[]): Promise<EntryRecord[]> {
  const rows = (await tx.unsafe(`${ENTRY_SELECT} WHERE e.id = ANY($1::integer[])`, [
    ids as number[],
  ])) as unknown as EntryRow[];
  const byId = new Map(rows.map((r) => [r.id, recordOf(r)]));
  return ids.map((id) => {
    const rec = byId.get(id);
    if (!rec) throw new UsageError(`no entry with id ${id} in ${pg.path}`);
    return rec;
  });
}

export async function entryRecord(pg: Pg, tx: PgTx, id: number): Promise<EntryRecord> {
  return (await entryRecords(pg, tx, [id]))[0]!;
}

export async function listEntries(_pg: Pg, tx: PgTx, query: string): Promise<EntryRecord[]> {
  const terms = parseLabelQuery(query);
  const kindTerm = terms.find((t) => t.key === 'kind');
  const labelTerms = terms.filter((t) => t.key !== 'kind');
  const rows = (await tx.unsafe(`${ENTRY_SELECT} ORDER BY e.id`)) as unknown as EntryRow[];
  return rows
    .filter((r) => !kindTerm || kindTerm.matcher.test(r.kind))
    .map(recordOf)
    .filter((e) => matchesQuery(e.labels, labelTerms));
}

export async function resolveEntry(pg: Pg, tx: PgTx, ref: string): Promise<EntryRecord> {
  if (/^\d+$/.test(ref)) {
    if (Number(ref) > 2 ** 31 - 1) throw new UsageError(`no entry with id ${ref} in ${pg.path}`);
    return entryRecord(pg, tx, Number(ref));
  }
  const found = await listEntries(pg, tx, ref);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new UsageError(`no entry matches "${ref}" in ${pg.path}`);
  const ids = found.map((e) => `${e.id} (${e.labels.release ?? e.source})`).join(', ');
  throw new UsageError(`"${ref}" matches ${found.length} entries: ${ids}; add labels or use an id`);
}

/** Entries with their export id sets (ascending ids) and warnings: what every build loader starts from. */
export async function buildSets(
  pg: Pg,
  tx: PgTx,
  ids: readonly number[],
): Promise<{ rec: EntryRecord; exportIds: number[]; warnings: string[] }[]> {
  const recs = await entryRecords(pg, tx, ids);
  // The packed ids (a few KB a build), not the array: 200 builds' arrays are 35 MB of text.
  const rows = await tx`
    SELECT e.id, s.count, s.packed, e.warnings FROM entries e
    JOIN id_sets s ON s.id = e.exports WHERE e.id = ANY(${ids as number[]}::integer[])`;
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  return recs.map((rec) => {
    const r = byId.get(rec.id)!;
    return {
      rec,
      exportIds: decodeIdSet(r.packed as Buffer, r.count as number),
      warnings: JSON.parse(r.warnings as string),
    };
  });
}

/**
 * Export tuples by id, as shared Export objects: one join in SQL over the names they use. The ids as a
 * parameter when they are few; when they are most of the table (a series), a scan of it, filtered here.
 * With `symbols`, only the tuples of those names (by the exports' (symbol, …) index), filtered the same.
 */
async function exportsById(
  tx: PgTx,
  ids: number[],
  symbols?: readonly string[],
): Promise<Map<number, Export>> {
  const cols = `SELECT x.id, sn.name AS symbol, x.crc, x.module, mn.name AS module_name, x.export_type,
      x.namespace, nn.name AS namespace_name
    FROM exports x JOIN names sn ON sn.id = x.symbol
    LEFT JOIN names mn ON mn.id = x.module LEFT JOIN names nn ON nn.id = x.namespace`;
  const [{ m }] = (await tx`SELECT coalesce(max(id), 0) AS m FROM exports`) as unknown as [{ m: number }];
  const few = ids.length * 3 < m;
  let rows = symbols
    ? await tx.unsafe(`${cols} WHERE sn.name = ANY($1::text[])`, [symbols as string[]]).values()
    : few
      ? await tx.unsafe(`${cols} WHERE x.id = ANY($1::integer[])`, [ids]).values()
      : await tx.unsafe(cols).values();
  if (symbols || !few) {
    const wanted = new Set(ids);
    rows = rows.filter((r) => wanted.has(r[0] as number)) as typeof rows;
  }
  const out = new Map<number, Export>();
  for (const [id, symbol, crc, module, moduleName, type, namespace, namespaceName] of rows)
    out.set(id as number, {
      symbol: symbol as string,
      crc: crc === -1 ? null : (crc as number),
      module: module === 0 ? null : (moduleName as string),
      exportType: typeOf(type as number),
      namespace: namespace === -1 ? null : ((namespaceName as string | null) ?? ''),
    });
  return out;
}

/**
 * Several builds at once, as a series needs them: a tuple shared by two builds becomes one Export object
 * (so a diff can tell "unchanged" by identity).
 */
export async function loadBuilds(
  pg: Pg,
  tx: PgTx,
  ids: number[],
  symbols?: readonly string[],
): Promise<KernelBuild[]> {
  const sets = await buildSets(pg, tx, ids);
  const byId = await exportsById(tx, [...new Set(sets.flatMap((s) => s.exportIds))], symbols);
  return sets.map(({ rec, exportIds, warnings }) => {
    const exports = new Map<string, Export>();
    for (const xid of exportIds) {
      const e = byId.get(xid);
      if (e) exports.set(e.symbol, e);
    }
    return {
      source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
      format: rec.format as ExportsFormat,
      labels: { ...rec.labels, id: String(rec.id) },
      exports,
      warnings,
    };
  });
}

/**
 * A kmod entry's modules, whole (imports, modinfo, exports), in file order; with `loader`, only what the
 * loader's verdicts read (LoadModulesOptions): the `loader` text kept at ingest (postgres-schema.ts 4)
 * instead of the whole modinfo and needs, where there is one.
 */
export async function loadModules(
  _pg: Pg,
  tx: PgTx,
  id: number,
  options: LoadModulesOptions = {},
): Promise<ModuleImage[]> {
  const rows = options.loader
    ? await tx`
    SELECT em.file, mi.name, mi.path, mi.vermagic, mi.license, mi.srcversion, mi.modversions, mi.has_btf,
      mi.elf, mi.signed, mi.loader,
      CASE WHEN mi.loader IS NULL THEN mi.modinfo END AS modinfo,
      CASE WHEN mi.loader IS NULL THEN mi.needs END AS needs,
      si.ids AS import_ids, se.ids AS export_ids
    FROM entry_modules em JOIN module_images mi ON mi.id = em.image
    JOIN id_sets si ON si.id = mi.imports JOIN id_sets se ON se.id = mi.exports
    WHERE em.entry = ${id} ORDER BY em.file`
    : await tx`
    SELECT em.file, mi.*, si.ids AS import_ids, se.ids AS export_ids
    FROM entry_modules em JOIN module_images mi ON mi.id = em.image
    JOIN id_sets si ON si.id = mi.imports JOIN id_sets se ON se.id = mi.exports
    WHERE em.entry = ${id} ORDER BY em.file`;
  const importIds = [...new Set(rows.flatMap((r) => r.import_ids as number[]))];
  const imports = new Map<number, Import>();
  for (const [iid, symbol, crc] of await tx`
      SELECT i.id, n.name, i.crc FROM imports i JOIN names n ON n.id = i.symbol
      WHERE i.id = ANY(${importIds}::integer[])`.values())
    imports.set(iid as number, { symbol: symbol as string, crc: crc as number });
  const exports = await exportsById(tx, [...new Set(rows.flatMap((r) => r.export_ids as number[]))]);
  return rows.map((r) => {
    const own = {
      imports: (r.import_ids as number[]).map((x) => imports.get(x)!),
      exports: (r.export_ids as number[]).map((x) => exports.get(x)!),
    };
    if (options.loader && typeof r.loader === 'string') return moduleOfRow(r, own, loaderFields(r.loader));
    return moduleOfRow(
      r,
      own,
      modinfoFields(
        JSON.parse(r.modinfo as string) as ModuleImage['modinfo'],
        r.needs === null ? null : (JSON.parse(r.needs as string) as string[]),
      ),
    );
  });
}

/** A module from its row: modinfo and needs whole, or as the loader reads them (its loader text). */
function moduleOfRow(
  r: Record<string, unknown>,
  own: { imports: Import[]; exports: Export[] },
  f: ReturnType<typeof modinfoFields>,
): ModuleImage {
  return {
    source: r.file as string,
    name: r.name as string,
    path: r.path as string | null,
    modinfo: f.modinfo,
    vermagic: r.vermagic as string | null,
    license: r.license as string | null,
    depends: f.depends,
    importNs: f.importNs,
    srcversion: r.srcversion as string | null,
    imports: own.imports,
    modversions: r.modversions as ModuleImage['modversions'],
    exports: own.exports,
    hasBtf: r.has_btf as boolean,
    elf: JSON.parse(r.elf as string),
    ...(f.needs === null ? {} : { needs: f.needs }),
    ...(r.signed === null ? {} : { signed: r.signed as boolean }),
  };
}

/** One statement (one snapshot, no transaction needed): a series asks it once per build. */
export async function loadModuleNames(
  _pg: Pg,
  tx: PgTx,
  id: number,
): Promise<{ modules: string[]; builtin: string[] }> {
  const [r] = await tx`
    SELECT array(SELECT name FROM entry_modules WHERE entry = ${id} ORDER BY name) AS modules,
      array(SELECT name FROM entry_builtin WHERE entry = ${id} ORDER BY name) AS builtin`;
  return { modules: r!.modules as string[], builtin: r!.builtin as string[] };
}

export async function storeStats(_pg: Pg, tx: PgTx): Promise<StoreStats> {
  const [r] = await tx`
    SELECT (SELECT count(*) FROM entries) AS entries, (SELECT count(*) FROM exports) AS exports,
      (SELECT count(*) FROM id_sets) AS export_sets, (SELECT count(*) FROM names) AS names,
      (SELECT count(*) FROM module_images) AS module_images,
      (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r')::bigint AS bytes`;
  return {
    entries: r!.entries,
    exports: r!.exports,
    exportSets: r!.export_sets,
    names: r!.names,
    moduleImages: r!.module_images,
    bytes: r!.bytes,
  };
}
