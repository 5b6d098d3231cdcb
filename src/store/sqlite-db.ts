// What the SQLite store's files share: the connection with its cache of prepared statements, and the
// sentinel codes of export types. Kept apart so that writes (sqlite-write.ts), queries (sqlite-query.ts)
// and kfuncs (sqlite-kfuncs.ts) each read as plain functions of one `Sql`.
import type Database from 'better-sqlite3';
import { EXPORT_TYPES, type ExportType } from '../model/export.js';

export type Db = Database.Database;

export class Sql {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Db,
    readonly path: string,
  ) {}

  /** Prepared statements, compiled once: ingest runs them hundreds of thousands of times. */
  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/** Export types as stored: 0 is unknown (UNIQUE treats NULLs as distinct, so no NULL). */
export const typeCode = (t: ExportType | null) => (t === null ? 0 : EXPORT_TYPES.indexOf(t) + 1);
export const typeOf = (c: number): ExportType | null => (c === 0 ? null : (EXPORT_TYPES[c - 1] ?? null));
