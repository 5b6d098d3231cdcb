// The public way to open the embedded store. Its declarations name only the Store interface, so a project
// that imports kabi-tracker needs no better-sqlite3 types: they stay an implementation detail.
import { SqliteStore } from './sqlite.js';
import { openReadonly, openWritable } from './sqlite-open.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Read without writing anything (`kabi serve`): no directory or file is created, no migration runs. */
  readonly?: boolean;
}

export interface SqliteStoreHandle extends Store {
  /** The database file. */
  readonly path: string;
}

export function openSqliteStore(path: string, opts: OpenStoreOptions = {}): SqliteStoreHandle {
  return new SqliteStore(opts.readonly ? openReadonly(path) : openWritable(path), path);
}
