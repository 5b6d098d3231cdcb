// A kernel build's exports as columns (loadExportColumns), kept at ingest beside its export id set: what a
// series compares (symbol, CRC, module, export type, namespace as numbers) and the build's crcDigest, so a
// series of 11 builds reads 11 small records instead of every export row and every name (0.4–0.9 s).
// Builds stored before this table (migration 5) get their records when the store is migrated
// (fillExportColumns); a set without one is read the long way (loadExportIds). The record's encoding is
// export-record.ts, shared with the PostgreSQL store.
import { KabiError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { ExportColumnBuild } from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { columnsFromExportIds, decodeExportRecordAsync, encodeExportRecord } from './export-record.js';
import type { Sql } from './sqlite-db.js';
import { loadExportIds } from './sqlite-export-ids.js';
import { entryRecord, loadBuilds } from './sqlite-query.js';

export { crcDigestOf } from './export-record.js';

/**
 * Keeps the columns of export set `set` (a kernel build's `exports`, symbol names interned by `nameId`)
 * unless they are kept already. Runs inside the ingest's transaction.
 */
export function saveExportColumns(
  sql: Sql,
  set: number,
  exports: Iterable<Export>,
  nameId: (name: string) => number,
): void {
  if (sql.stmt('SELECT 1 FROM export_columns WHERE id_set = ?').get(set)) return;
  const { count, crcDigest, record } = encodeExportRecord(exports, nameId);
  sql
    .stmt('INSERT INTO export_columns (id_set, count, crc_digest, columns) VALUES (?, ?, ?, ?)')
    .run(set, count, crcDigest, record);
}

/**
 * Keeps the columns of every kernel build's export set that has none (builds stored before migration 5),
 * made from its export rows as ingest makes them from the file; the count of builds. Runs inside the
 * migration's transaction.
 */
export function fillExportColumns(sql: Sql): number {
  const missing = sql.db
    .prepare(
      `SELECT min(e.id) AS id, e.exports AS id_set, count(*) AS builds FROM entries e
       WHERE e.kind = 'kernel' AND NOT EXISTS (SELECT 1 FROM export_columns c WHERE c.id_set = e.exports)
       GROUP BY e.exports ORDER BY e.exports`,
    )
    .all() as { id: number; id_set: number; builds: number }[];
  const named = sql.db.prepare('SELECT id FROM names WHERE name = ?').pluck();
  const nameId = (name: string): number => {
    const id = named.get(name) as number | undefined;
    if (id === undefined)
      throw new KabiError(
        `${sql.path}: name ${JSON.stringify(name)} of a stored export is not in its names table`,
      );
    return id;
  };
  for (const m of missing)
    saveExportColumns(sql, m.id_set, loadBuilds(sql, [m.id])[0]!.exports.values(), nameId);
  return missing.reduce((n, m) => n + m.builds, 0);
}

/**
 * Builds as columns: the kept records when every build has one, else computed from the export rows. The
 * rows are read at once (SQLite errors are thrown here); the kept records are inflated when awaited, in
 * zlib's thread pool.
 */
export function loadExportColumns(sql: Sql, ids: number[]): () => Promise<ExportColumnBuild[]> {
  const q = `SELECT e.format, e.warnings, c.count, c.crc_digest AS digest, c.columns
    FROM entries e LEFT JOIN export_columns c ON c.id_set = e.exports WHERE e.id = ?`;
  const rows = ids.map(
    (id) =>
      sql.stmt(q).get(id) as
        | { format: string; warnings: string; count: number | null; digest: string; columns: Buffer }
        | undefined,
  );
  // Every build or none: symbol numbers must mean the same names in all of them.
  if (rows.some((r) => r === undefined || r.count === null)) {
    const computed = columnsFromExportIds(loadExportIds(sql, ids));
    return async () => computed;
  }
  const kept = rows.map((r, i) => {
    const rec = entryRecord(sql, ids[i]!);
    return {
      source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
      format: r!.format as ExportsFormat,
      labels: { ...rec.labels, id: String(rec.id) },
      warnings: JSON.parse(r!.warnings),
      crcDigest: r!.digest,
      columns: r!.columns,
      count: r!.count!,
    };
  });
  return () =>
    Promise.all(
      kept.map(async (k) => ({
        source: k.source,
        format: k.format,
        labels: k.labels,
        warnings: k.warnings,
        exports: await decodeExportRecordAsync(k.columns, k.count),
        crcDigest: k.crcDigest,
      })),
    );
}
