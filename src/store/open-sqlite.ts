// The public way to open the embedded store. Its declarations name only the Store interface, so a project
// that imports kabi-tracker needs no better-sqlite3 types: they stay an implementation detail.
import { UsageError } from '../errors.js';
import { SqliteStore } from './sqlite.js';
import { openMigrated, openReadonly, openWritable } from './sqlite-open.js';
import type { MigrationFilled, Store } from './store.js';

export interface OpenStoreOptions {
  /**
   * Read without writing anything (every command but ingest, rm and migrate; `kabi serve`): no directory
   * or file is created, no migration runs; a missing store, a file that is not a kabi store and a store of
   * an older schema are errors.
   */
  readonly?: boolean;
}

export interface SqliteStoreHandle extends Store {
  /** The database file. */
  readonly path: string;
}

/**
 * A URL is never a SQLite file: `postgres://user@host/db` once became a file at the relative path
 * `postgres:/user@host/db`, and the ingest reported success. (`file:` URIs are SQLite's own.)
 */
function refuseUrl(path: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path)?.[1];
  if (scheme && scheme.toLowerCase() !== 'file')
    throw new UsageError(
      `${path}: a ${scheme}:// URL, not a SQLite store's path (postgres:// and postgresql:// URLs name a PostgreSQL store)`,
    );
}

export function openSqliteStore(path: string, opts: OpenStoreOptions = {}): SqliteStoreHandle {
  refuseUrl(path);
  return new SqliteStore(opts.readonly ? openReadonly(path) : openWritable(path), path);
}

/**
 * Creates the store or brings its schema up to date (`kabi migrate`): the schema version it had (0 for a
 * new store) and has now, and what it filled in for builds and images stored before migrations 5 and 10.
 */
export function migrateSqliteStore(path: string): { from: number; to: number; filled: MigrationFilled } {
  refuseUrl(path);
  const { db, from, to, filled } = openMigrated(path, true);
  db.close();
  return { from, to, filled };
}
