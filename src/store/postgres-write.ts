// Writing the PostgreSQL store: an ingest as one transaction (a crash, a kill or a lost connection leaves
// the store as it was: PostgreSQL rolls back what was not committed), and removal. Bulk rows go in with
// COPY into temporary tables, and the interning (names, export and import tuples) is set work in SQL:
// INSERT ... SELECT what is missing, ON CONFLICT DO NOTHING, then one join for the ids.
//
// Concurrency (several `kabi ingest` processes, on several machines): the artifact's sha256 is unique, and
// each ingest first takes a transaction advisory lock on it, so writers of one artifact run one after the
// other and the second finds the first's entry (one entry, never two). Writers of different artifacts run
// at once; new names and tuples are inserted in the order the artifact gives them (ids then follow it, as
// on SQLite); two writers that wait on each other's new rows are a deadlock PostgreSQL breaks by aborting
// one, and an aborted ingest (deadlock, serialization) is run again, whole.
// `kabi rm` takes a store-wide lock that ingests share, so it never prunes a set an ingest is using.
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import { labelOf } from '../model/labels.js';
import type { ModuleImage } from '../model/module-image.js';
import { encodeExportRecord, typeCode } from './export-record.js';
import { encodeIdSet } from './id-set.js';
import { loaderText } from './module-loader-facts.js';
import { pruneTypeDefs, saveTypeDigest } from './postgres-btf.js';
import { copyRows, type Pg, type PgTx } from './postgres-db.js';
import { pruneKernelBtf, saveKernelBtf } from './postgres-kernel-btf.js';
import { hasKfuncs, saveKfuncs } from './postgres-kfuncs.js';
import { saveModuleBtf } from './postgres-module-btf.js';
import { entryRecord } from './postgres-query.js';
import type { EntryRecord, IngestInput, IngestResult } from './store.js';

/** The store-wide advisory lock: shared by ingests, exclusive for `kabi rm`'s pruning. */
const REMOVE_LOCK = 0x6b616269_0002;

/** SQLSTATEs after which a write is run again: deadlock, serialization failure, a row removed under it. */
const RETRY = new Set(['40P01', '40001', '23503']);

/** Runs a write transaction, again (up to 5 times, backing off) when PostgreSQL aborts it for a conflict. */
export async function writeTx<T>(pg: Pg, fn: (tx: PgTx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await pg.sql.begin((tx) => fn(tx))) as T;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= 5 || typeof code !== 'string' || !RETRY.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}

export async function ingest(pg: Pg, input: IngestInput): Promise<IngestResult> {
  return writeTx(pg, async (tx) => {
    await tx`SELECT pg_advisory_xact_lock_shared(${REMOVE_LOCK})`;
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${input.artifact.sha256}, 0))`;
    const artifact = await artifactId(tx, input.artifact);
    const again = await storedAgain(pg, tx, artifact, input.update ?? input.labels, input.labels.release);
    if (again) {
      // An entry stored without kfuncs gets them when its artifact is ingested again (as on SQLite).
      if (input.kfuncs && !(await hasKfuncs(tx, again.entry.id)))
        await saveKfuncs(tx, again.entry.id, input.kfuncs);
      return again;
    }
    const id = await insertEntry(tx, artifact, input);
    if (input.kfuncs) await saveKfuncs(tx, id, input.kfuncs);
    if (input.types) await saveTypeDigest(tx, id, input.types);
    if (input.btf) await saveKernelBtf(tx, id, input.btf);
    if (input.moduleBtf) await saveModuleBtf(tx, id, input.moduleBtf);
    return { entry: await entryRecord(pg, tx, id), created: true };
  });
}

async function artifactId(tx: PgTx, a: IngestInput['artifact']): Promise<number> {
  const [found] = await tx`SELECT id FROM artifacts WHERE sha256 = ${a.sha256}`;
  if (found) return found.id as number;
  const [added] = await tx`
    INSERT INTO artifacts (sha256, path, size) VALUES (${a.sha256}, ${a.path}, ${a.size}) RETURNING id`;
  return added!.id as number;
}

/** The entry, its labels, its export set (with columns), its modules (images interned) and built-ins. */
async function insertEntry(tx: PgTx, artifact: number, input: IngestInput): Promise<number> {
  // Module images not stored yet (by sha256): the only ones whose tuples need interning.
  const kept = new Map<string, ModuleImage>();
  for (const m of input.modules) if (m.keepImage) kept.set(m.sha256, m.image);
  const stored = new Map<string, number>();
  if (kept.size)
    for (const r of await tx`SELECT id, sha256 FROM module_images WHERE sha256 = ANY(${[...kept.keys()]}::text[])`)
      stored.set(r.sha256 as string, r.id as number);
  const fresh = [...kept].filter(([sha]) => !stored.has(sha));

  const exportGroups: Export[][] = [[...input.build.exports.values()], ...fresh.map(([, m]) => m.exports)];
  const importGroups = fresh.map(([, m]) => m.imports);
  const nameId = await internNames(tx, exportGroups, importGroups);
  const exportSets = await internTuples(tx, 'exports', exportGroups, (e) => [
    nameId(e.symbol),
    e.crc ?? -1,
    e.module === null ? 0 : nameId(e.module),
    typeCode(e.exportType),
    e.namespace === null ? -1 : nameId(e.namespace),
  ]);
  const importSets = await internTuples(tx, 'imports', importGroups, (i) => [nameId(i.symbol), i.crc]);

  const exportSet = exportSets[0]!;
  if (
    input.kind === 'kernel' &&
    (await tx`SELECT 1 FROM export_columns WHERE id_set = ${exportSet}`).length === 0
  ) {
    const { count, crcDigest, record } = encodeExportRecord(input.build.exports.values(), nameId);
    await tx`
      INSERT INTO export_columns (id_set, count, crc_digest, columns) VALUES (${exportSet}, ${count}, ${crcDigest}, ${record})
      ON CONFLICT (id_set) DO NOTHING`;
  }
  for (const [i, [sha, m]] of fresh.entries())
    stored.set(sha, await moduleImageId(tx, m, sha, importSets[i]!, exportSets[i + 1]!));

  const [row] = await tx`
    INSERT INTO entries (kind, artifact, exports, format, source, ingested_at, warnings)
    VALUES (${input.kind}, ${artifact}, ${exportSet}, ${input.build.format}, ${input.build.source},
      ${new Date().toISOString()}, ${JSON.stringify(input.build.warnings)}) RETURNING id`;
  const id = row!.id as number;
  const labels = Object.entries(input.labels);
  for (const [k, v] of labels)
    if (typeof v !== 'string') throw new TypeError(`label ${k}: expected a string value, not ${typeof v}`);
  if (labels.length)
    await tx`INSERT INTO labels (entry, key, value)
      SELECT ${id}, k, v FROM unnest(${labels.map((l) => l[0])}::text[], ${labels.map((l) => l[1])}::text[]) AS u(k, v)`;
  // One row per file, the last one given winning (SQLite's INSERT OR REPLACE).
  const byFile = new Map(input.modules.map((m) => [m.file, m]));
  await copyRows(
    tx,
    'entry_modules',
    ['entry', 'file', 'name', 'image'],
    [...byFile.values()].map((m) => [id, m.file, m.image.name, m.keepImage ? stored.get(m.sha256)! : null]),
  );
  await copyRows(
    tx,
    'entry_builtin',
    ['entry', 'name'],
    [...new Set(input.builtin)].map((b) => [id, b]),
  );
  return id;
}

/**
 * Every name the ingest uses, interned: COPY into a temporary table, the missing ones inserted in the
 * order given, then all ids read back in one join. The id of a name, by a lookup that throws if one was missed.
 */
async function internNames(
  tx: PgTx,
  exportGroups: Export[][],
  importGroups: { symbol: string }[][],
): Promise<(name: string) => number> {
  const names = new Set<string>();
  for (const group of exportGroups)
    for (const e of group) {
      names.add(e.symbol);
      if (e.module !== null) names.add(e.module);
      if (e.namespace !== null) names.add(e.namespace);
    }
  for (const group of importGroups) for (const i of group) names.add(i.symbol);
  await tx`CREATE TEMP TABLE ingest_names (seq integer NOT NULL, name text COLLATE "C" NOT NULL) ON COMMIT DROP`;
  await copyRows(
    tx,
    'ingest_names',
    ['seq', 'name'],
    [...names].map((n, i) => [i, n]),
  );
  await tx`
    INSERT INTO names (name) SELECT t.name FROM ingest_names t
    WHERE NOT EXISTS (SELECT 1 FROM names n WHERE n.name = t.name) ORDER BY t.seq
    ON CONFLICT (name) DO NOTHING`;
  const ids = new Map<string, number>();
  for (const [
    id,
    name,
  ] of await tx`SELECT n.id, n.name FROM names n JOIN ingest_names t ON t.name = n.name`.values())
    ids.set(name as string, id as number);
  return (name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`name ${JSON.stringify(name)} was not interned`);
    return id;
  };
}

const TUPLES = {
  exports: ['symbol', 'crc', 'module', 'export_type', 'namespace'],
  imports: ['symbol', 'crc'],
} as const;

/**
 * Tuples (export or import) of several groups (a build, each module image) interned at once: COPY, the
 * missing ones inserted in the order given, and each group's ids as one sorted array from one join, stored
 * as an id set (shared by every build or image with the same set). The id set of each group.
 */
async function internTuples<T>(
  tx: PgTx,
  kind: 'exports' | 'imports',
  groups: T[][],
  key: (t: T) => number[],
): Promise<number[]> {
  if (groups.length === 0) return [];
  const cols = TUPLES[kind];
  const tmp = `ingest_${kind}`;
  const colList = cols.join(', ');
  await tx.unsafe(
    `CREATE TEMP TABLE ${tmp} (grp integer NOT NULL, seq integer NOT NULL, ${cols.map((c) => `${c} ${c === 'crc' ? 'bigint' : 'integer'} NOT NULL`).join(', ')}) ON COMMIT DROP`,
  );
  let seq = 0;
  await copyRows(
    tx,
    tmp,
    ['grp', 'seq', ...cols],
    groups.flatMap((g, i) => g.map((t) => [i, seq++, ...key(t)])),
  );
  await tx.unsafe(`ANALYZE ${tmp}`);
  const same = cols.map((c) => `x.${c} = t.${c}`).join(' AND ');
  const tcols = cols.map((c) => `t.${c}`).join(', ');
  await tx.unsafe(
    `INSERT INTO ${kind} (${colList}) SELECT ${tcols} FROM ${tmp} t
     WHERE NOT EXISTS (SELECT 1 FROM ${kind} x WHERE ${same}) GROUP BY ${tcols} ORDER BY min(t.seq)
     ON CONFLICT (${colList}) DO NOTHING`,
  );
  const rows = await tx.unsafe(
    `SELECT t.grp, array_agg(DISTINCT x.id ORDER BY x.id) AS ids FROM ${tmp} t JOIN ${kind} x ON ${same} GROUP BY t.grp`,
  );
  const idsOf = new Map(rows.map((r) => [r.grp as number, r.ids as number[]]));
  const sets: number[] = [];
  for (let i = 0; i < groups.length; i++) sets.push(await idSet(tx, kind, idsOf.get(i) ?? []));
  return sets;
}

/** The id set with these ids (ascending), written if no build or image has it yet. */
async function idSet(tx: PgTx, kind: 'exports' | 'imports', ids: number[]): Promise<number> {
  const { blob, digest, count } = encodeIdSet(ids);
  const [added] = await tx`
    INSERT INTO id_sets (kind, digest, count, ids, packed) VALUES (${kind}, ${digest}, ${count}, ${ids}::integer[], ${blob})
    ON CONFLICT (kind, digest) DO NOTHING RETURNING id`;
  if (added) return added.id as number;
  return (await tx`SELECT id FROM id_sets WHERE kind = ${kind} AND digest = ${digest}`)[0]!.id as number;
}

async function moduleImageId(
  tx: PgTx,
  m: ModuleImage,
  sha256: string,
  imports: number,
  exports: number,
): Promise<number> {
  const [added] = await tx`
    INSERT INTO module_images (sha256, name, path, vermagic, license, srcversion, modversions, has_btf, elf,
      modinfo, imports, exports, needs, signed, loader)
    VALUES (${sha256}, ${m.name}, ${m.path}, ${m.vermagic}, ${m.license}, ${m.srcversion}, ${m.modversions},
      ${m.hasBtf}, ${JSON.stringify(m.elf)}, ${JSON.stringify(m.modinfo)}, ${imports}, ${exports},
      ${m.needs ? JSON.stringify(m.needs) : null}, ${m.signed === undefined ? null : m.signed}, ${loaderText(m)})
    ON CONFLICT (sha256) DO NOTHING RETURNING id`;
  if (added) return added.id as number;
  return (await tx`SELECT id FROM module_images WHERE sha256 = ${sha256}`)[0]!.id as number;
}

/**
 * An artifact ingested again is the entry it already made, with `update`'s labels set on it; null when it
 * was never stored as this `release` (the same rules as SQLite's, sqlite-write.ts).
 */
async function storedAgain(
  pg: Pg,
  tx: PgTx,
  artifact: number,
  update: Record<string, string>,
  release: string | undefined,
): Promise<IngestResult | null> {
  const ids = (await tx`SELECT id FROM entries WHERE artifact = ${artifact} ORDER BY id`).map(
    (r) => r.id as number,
  );
  const all: EntryRecord[] = [];
  for (const id of ids) all.push(await entryRecord(pg, tx, id));
  const entries = all.filter(
    (e) => release === undefined || e.labels.release === undefined || e.labels.release === release,
  );
  if (entries.length === 0) return null;
  const has = (e: EntryRecord) => Object.entries(update).every(([k, v]) => labelOf(e.labels, k) === v);
  const entry = entries.length === 1 ? entries[0]! : entries.find(has);
  if (entry === undefined) {
    const list = entries.map((e) => e.id).join(', ');
    throw new UsageError(
      `this artifact is stored as entries ${list}; set labels on one of them with kabi label REF key=value`,
    );
  }
  const changed = Object.keys(update).filter((k) => labelOf(entry.labels, k) !== update[k]);
  if (changed.length === 0) return { entry, created: false, labelsChanged: [] };
  return { entry: await putLabels(pg, tx, entry.id, update, []), created: false, labelsChanged: changed };
}

export async function reingest(
  pg: Pg,
  sha256: string,
  update: Record<string, string>,
  release?: string,
): Promise<IngestResult | null> {
  const [row] = await pg.sql`SELECT id FROM artifacts WHERE sha256 = ${sha256}`;
  if (!row) return null;
  return writeTx(pg, async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${sha256}, 0))`;
    return storedAgain(pg, tx, row.id as number, update, release);
  });
}

async function putLabels(
  pg: Pg,
  tx: PgTx,
  id: number,
  set: Record<string, string>,
  unset: string[],
): Promise<EntryRecord> {
  const before = await entryRecord(pg, tx, id);
  for (const key of unset) {
    if (labelOf(before.labels, key) === undefined)
      throw new UsageError(`entry ${id} has no label ${key} to unset`);
    await tx`DELETE FROM labels WHERE entry = ${id} AND key = ${key}`;
  }
  for (const [k, v] of Object.entries(set))
    await tx`INSERT INTO labels (entry, key, value) VALUES (${id}, ${k}, ${v})
      ON CONFLICT (entry, key) DO UPDATE SET value = excluded.value`;
  return entryRecord(pg, tx, id);
}

/** Sets and removes labels of one entry in one transaction; a key to unset must be there. */
export async function setLabels(
  pg: Pg,
  id: number,
  set: Record<string, string>,
  unset: string[],
): Promise<EntryRecord> {
  return writeTx(pg, (tx) => putLabels(pg, tx, id, set, unset));
}

/** Deletes an entry (labels and module lists go with it) and every set, image and list no entry uses. */
export async function removeEntry(pg: Pg, id: number): Promise<void> {
  await writeTx(pg, async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${REMOVE_LOCK})`;
    await tx`DELETE FROM entry_kfuncs WHERE entry = ${id}`;
    await tx`DELETE FROM entries WHERE id = ${id}`;
    // Interned names and tuples stay (cheap, shared).
    await tx`DELETE FROM module_images WHERE id NOT IN (SELECT image FROM entry_modules WHERE image IS NOT NULL)`;
    await tx`DELETE FROM id_sets WHERE id NOT IN (SELECT exports FROM entries UNION SELECT imports FROM module_images UNION SELECT exports FROM module_images)`;
    await tx`DELETE FROM artifacts WHERE id NOT IN (SELECT artifact FROM entries)`;
    await tx`DELETE FROM kfunc_lists WHERE id NOT IN (SELECT list FROM entry_kfuncs)`;
    await pruneTypeDefs(tx);
    await pruneKernelBtf(tx);
  });
}
