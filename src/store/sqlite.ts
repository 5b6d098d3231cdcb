// The SQLite store (better-sqlite3): one file, WAL journal, every ingest one IMMEDIATE transaction, a busy
// timeout so that concurrent `kabi ingest` processes wait for each other instead of failing.
// The work is in sqlite-open.ts (opening, migrations), sqlite-write.ts (ingest, remove), sqlite-query.ts
// (entries, builds, modules) and sqlite-kfuncs.ts.
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import { type Db, Sql } from './sqlite-db.js';
import { loadKfuncs } from './sqlite-kfuncs.js';
import { openReadonly, openWritable } from './sqlite-open.js';
import {
  listEntries,
  loadBuilds,
  loadModuleNames,
  loadModules,
  resolveEntry,
  storeStats,
} from './sqlite-query.js';
import { ingest, removeEntry } from './sqlite-write.js';
import type { EntryRecord, IngestInput, IngestResult, Store, StoreStats } from './store.js';

export { BUSY_TIMEOUT_MS } from './sqlite-open.js';

export interface OpenStoreOptions {
  /** Read without writing anything (`kabi serve`): no directory or file is created, no migration runs. */
  readonly?: boolean;
}

export function openSqliteStore(path: string, opts: OpenStoreOptions = {}): SqliteStore {
  return new SqliteStore(opts.readonly ? openReadonly(path) : openWritable(path), path);
}

export class SqliteStore implements Store {
  private readonly sql: Sql;

  constructor(
    db: Db,
    readonly path: string,
  ) {
    this.sql = new Sql(db, path);
  }

  ingest(input: IngestInput): IngestResult {
    return ingest(this.sql, input);
  }

  list(query = ''): EntryRecord[] {
    return listEntries(this.sql, query);
  }

  resolve(ref: string): EntryRecord {
    return resolveEntry(this.sql, ref);
  }

  loadBuild(id: number): KernelBuild {
    return loadBuilds(this.sql, [id])[0]!;
  }

  loadBuilds(ids: number[]): KernelBuild[] {
    return loadBuilds(this.sql, ids);
  }

  loadModules(id: number): ModuleImage[] {
    return loadModules(this.sql, id);
  }

  loadModuleNames(id: number): { modules: string[]; builtin: string[] } {
    return loadModuleNames(this.sql, id);
  }

  loadKfuncs(id: number): KfuncList | null {
    return loadKfuncs(this.sql, id);
  }

  remove(ref: string): EntryRecord {
    const rec = resolveEntry(this.sql, ref);
    removeEntry(this.sql, rec.id);
    return rec;
  }

  stats(): StoreStats {
    return storeStats(this.sql);
  }

  close(): void {
    this.sql.db.close();
  }
}
