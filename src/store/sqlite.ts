// The SQLite store (better-sqlite3): one file, WAL journal, every ingest one IMMEDIATE transaction, a busy
// timeout so that concurrent `kabi ingest` processes wait for each other instead of failing.
// better-sqlite3 is synchronous; the Store interface is not (a PostgreSQL client cannot be), so each
// method here runs its statements at once and hands back a settled promise. The work is in
// sqlite-open.ts (opening, migrations), sqlite-write.ts (ingest, remove), sqlite-query.ts (entries,
// builds, modules) and sqlite-kfuncs.ts.
import type { ExportColumnBuild, ExportIdSeries } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import type { TypeDef, TypeIndex } from '../model/type-digest.js';
import { loadTypeDefs, loadTypeIndex } from './sqlite-btf.js';
import { type Db, Sql } from './sqlite-db.js';
import { guarded } from './sqlite-errors.js';
import { loadExportColumns } from './sqlite-export-columns.js';
import { loadExportIds } from './sqlite-export-ids.js';
import { loadKernelBtf } from './sqlite-kernel-btf.js';
import { loadKfuncs } from './sqlite-kfuncs.js';
import { loadModuleBtf } from './sqlite-module-btf.js';
import {
  listEntries,
  loadBuilds,
  loadModuleNames,
  loadModules,
  resolveEntry,
  storeStats,
} from './sqlite-query.js';
import { recordWatch, watchEvents, watchState } from './sqlite-watch.js';
import { claimWatch, completeWatch, releaseWatch } from './sqlite-watch-claims.js';
import { ingest, reingest, removeEntry, setLabels } from './sqlite-write.js';
import type {
  EntryRecord,
  IngestInput,
  IngestResult,
  KernelBtfBlobs,
  LoadModulesOptions,
  ModuleBtfBlob,
  Store,
  StoreStats,
  WatchClaim,
  WatchEventRecord,
  WatchSeen,
  WatchValidators,
} from './store.js';

export class SqliteStore implements Store {
  private readonly sql: Sql;

  constructor(
    db: Db,
    readonly path: string,
  ) {
    this.sql = new Sql(db, path);
  }

  async ingest(input: IngestInput): Promise<IngestResult> {
    return this.write(() => ingest(this.sql, input));
  }

  async list(query = ''): Promise<EntryRecord[]> {
    return this.read(() => listEntries(this.sql, query));
  }

  async resolve(ref: string): Promise<EntryRecord> {
    return this.read(() => resolveEntry(this.sql, ref));
  }

  async loadBuild(id: number, symbols?: readonly string[]): Promise<KernelBuild> {
    return this.read(() => loadBuilds(this.sql, [id], symbols)[0]!);
  }

  async loadBuilds(ids: number[]): Promise<KernelBuild[]> {
    return this.read(() => loadBuilds(this.sql, ids));
  }

  async loadExportIds(ids: number[]): Promise<ExportIdSeries> {
    return this.read(() => loadExportIds(this.sql, ids));
  }

  async loadExportColumns(ids: number[]): Promise<ExportColumnBuild[]> {
    return this.read(() => loadExportColumns(this.sql, ids))();
  }

  async loadModules(id: number, options?: LoadModulesOptions): Promise<ModuleImage[]> {
    return this.read(() => loadModules(this.sql, id, options));
  }

  async loadModuleNames(id: number): Promise<{ modules: string[]; builtin: string[] }> {
    return this.read(() => loadModuleNames(this.sql, id));
  }

  async loadKfuncs(id: number): Promise<KfuncList | null> {
    return this.read(() => loadKfuncs(this.sql, id));
  }

  async loadKernelBtf(id: number): Promise<KernelBtfBlobs | null> {
    return this.read(() => loadKernelBtf(this.sql, id));
  }

  async loadModuleBtf(id: number, only?: ReadonlySet<string>): Promise<ModuleBtfBlob[] | null> {
    return this.read(() => loadModuleBtf(this.sql, id, only));
  }

  async loadTypeIndex(id: number): Promise<TypeIndex | null> {
    return this.read(() => loadTypeIndex(this.sql, id));
  }

  async loadTypeDefs(hashes: readonly string[]): Promise<Map<string, TypeDef>> {
    return this.read(() => loadTypeDefs(this.sql, hashes));
  }

  async reingest(
    sha256: string,
    update: Record<string, string>,
    release?: string,
  ): Promise<IngestResult | null> {
    return reingest(this.sql, sha256, update, release);
  }

  async setLabels(ref: string, set: Record<string, string>, unset: string[]): Promise<EntryRecord> {
    return setLabels(this.sql, resolveEntry(this.sql, ref).id, set, unset);
  }

  async remove(ref: string): Promise<EntryRecord> {
    const rec = this.read(() => resolveEntry(this.sql, ref));
    this.write(() => removeEntry(this.sql, rec.id));
    return rec;
  }

  async stats(): Promise<StoreStats> {
    return this.read(() => storeStats(this.sql));
  }

  async watchState(source: string): Promise<{ validators: WatchValidators | null; seen: Set<string> }> {
    return this.read(() => watchState(this.sql, source));
  }

  async recordWatch(source: string, seen: WatchSeen[], validators?: WatchValidators): Promise<void> {
    this.write(() => recordWatch(this.sql, source, seen, validators));
  }

  async watchEvents(after: number, limit: number): Promise<WatchEventRecord[]> {
    return this.read(() => watchEvents(this.sql, after, limit));
  }

  async claimWatch(source: string, key: string, holder: string, leaseMs: number): Promise<WatchClaim> {
    return this.write(() => claimWatch(this.sql, source, key, holder, leaseMs));
  }

  async completeWatch(source: string, seen: WatchSeen): Promise<boolean> {
    return this.write(() => completeWatch(this.sql, source, seen));
  }

  async releaseWatch(source: string, key: string, holder: string): Promise<void> {
    this.write(() => releaseWatch(this.sql, source, key, holder));
  }

  async close(): Promise<void> {
    this.sql.db.close();
  }

  /** SQLite and file-system errors as KabiErrors naming the store and the cause (a full disk, ...). */
  private read<T>(fn: () => T): T {
    return guarded(this.path, 'read', fn);
  }

  private write<T>(fn: () => T): T {
    return guarded(this.path, 'write', fn);
  }
}
