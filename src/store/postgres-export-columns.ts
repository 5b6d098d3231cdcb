// A kernel build's exports as columns (loadExportColumns) from the PostgreSQL store: the record kept at
// ingest beside its export set (export-record.ts, as on SQLite), read for every build in one statement;
// builds without one (kmods) are read the long way, from their export rows.
import type { ExportColumnBuild } from '../model/export-rows.js';
import type { ExportsFormat } from '../model/kernel-build.js';
import { columnsFromExportIds, decodeExportRecord } from './export-record.js';
import type { Pg, PgTx } from './postgres-db.js';
import { loadExportIds } from './postgres-export-ids.js';
import { entryRecords } from './postgres-query.js';

export async function loadExportColumns(pg: Pg, tx: PgTx, ids: number[]): Promise<ExportColumnBuild[]> {
  const recs = await entryRecords(pg, tx, ids);
  const rows = await tx`
    SELECT e.id, e.format, e.warnings, c.count, c.crc_digest, c.columns
    FROM entries e LEFT JOIN export_columns c ON c.id_set = e.exports WHERE e.id = ANY(${ids}::integer[])`;
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  // Every build or none: symbol numbers must mean the same names in all of them.
  if (ids.some((id) => byId.get(id)?.count === null))
    return columnsFromExportIds(await loadExportIds(pg, tx, ids));
  return recs.map((rec) => {
    const r = byId.get(rec.id)!;
    return {
      source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
      format: r.format as ExportsFormat,
      labels: { ...rec.labels, id: String(rec.id) },
      warnings: JSON.parse(r.warnings as string),
      exports: decodeExportRecord(r.columns as Buffer, r.count as number),
      crcDigest: r.crc_digest as string,
    };
  });
}
