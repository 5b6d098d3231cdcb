// The PostgreSQL store (the `postgres` client): for a team's store that several CI workers write at once
// and a dashboard reads. The same Store interface and the same answers as SQLite (sqlite.ts); the work is
// in postgres-open.ts (connecting, schema versions, `kabi db migrate`), postgres-write.ts (ingest with
// COPY, one transaction per artifact; remove), postgres-query.ts (entries, builds, modules),
// postgres-export-ids.ts, postgres-export-columns.ts, postgres-kfuncs.ts and postgres-btf.ts. Every read
// of several statements runs in one read-only REPEATABLE READ transaction: one snapshot, so a build
// committed meanwhile is seen whole or not at all.
import type { ExportColumnBuild, ExportIdSeries } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import type { TypeDef, TypeIndex } from '../model/type-digest.js';
import { loadTypeDefs, loadTypeIndex } from './postgres-btf.js';
import { type Pg, type PgTx, pgGuarded } from './postgres-db.js';
import { loadExportColumns } from './postgres-export-columns.js';
import { loadExportIds } from './postgres-export-ids.js';
import { loadKernelBtf } from './postgres-kernel-btf.js';
import { loadKfuncs } from './postgres-kfuncs.js';
import { loadModuleBtf } from './postgres-module-btf.js';
import { migratePg, openPg } from './postgres-open.js';
import {
  listEntries,
  loadBuilds,
  loadModuleNames,
  loadModules,
  resolveEntry,
  storeStats,
} from './postgres-query.js';
import { PG_MIGRATIONS } from './postgres-schema.js';
import { recordWatch, watchEvents, watchState } from './postgres-watch.js';
import { claimWatch, completeWatch, releaseWatch } from './postgres-watch-claims.js';
import { ingest, reingest, removeEntry, setLabels, writeTx } from './postgres-write.js';
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

export class PostgresStore implements Store {
  readonly path: string;

  constructor(private readonly pg: Pg) {
    this.path = pg.path;
  }

  async ingest(input: IngestInput): Promise<IngestResult> {
    return pgGuarded(this.path, 'write', () => ingest(this.pg, input));
  }

  async list(query = ''): Promise<EntryRecord[]> {
    return this.read((tx) => listEntries(this.pg, tx, query));
  }

  async resolve(ref: string): Promise<EntryRecord> {
    return this.read((tx) => resolveEntry(this.pg, tx, ref));
  }

  async loadBuild(id: number, symbols?: readonly string[]): Promise<KernelBuild> {
    return (await this.read((tx) => loadBuilds(this.pg, tx, [id], symbols)))[0]!;
  }

  async loadBuilds(ids: number[]): Promise<KernelBuild[]> {
    return this.read((tx) => loadBuilds(this.pg, tx, ids));
  }

  async loadExportIds(ids: number[]): Promise<ExportIdSeries> {
    return this.read((tx) => loadExportIds(this.pg, tx, ids));
  }

  async loadExportColumns(ids: number[]): Promise<ExportColumnBuild[]> {
    return this.read((tx) => loadExportColumns(this.pg, tx, ids));
  }

  async loadModules(id: number, options?: LoadModulesOptions): Promise<ModuleImage[]> {
    return this.read((tx) => loadModules(this.pg, tx, id, options));
  }

  async loadModuleNames(id: number): Promise<{ modules: string[]; builtin: string[] }> {
    return pgGuarded(this.path, 'read', () => loadModuleNames(this.pg, this.pg.sql, id));
  }

  async loadKfuncs(id: number): Promise<KfuncList | null> {
    return this.read((tx) => loadKfuncs(this.pg, tx, id));
  }

  async loadTypeIndex(id: number): Promise<TypeIndex | null> {
    return this.read((tx) => loadTypeIndex(tx, id));
  }

  async loadTypeDefs(hashes: readonly string[]): Promise<Map<string, TypeDef>> {
    return this.read((tx) => loadTypeDefs(tx, hashes));
  }

  async loadKernelBtf(id: number): Promise<KernelBtfBlobs | null> {
    return this.read((tx) => loadKernelBtf(tx, id));
  }

  async loadModuleBtf(id: number, only?: ReadonlySet<string>): Promise<ModuleBtfBlob[] | null> {
    return this.read((tx) => loadModuleBtf(tx, id, only));
  }

  async watchState(source: string): Promise<{ validators: WatchValidators | null; seen: Set<string> }> {
    return this.read((tx) => watchState(tx, source));
  }

  async recordWatch(source: string, seen: WatchSeen[], validators?: WatchValidators): Promise<void> {
    await pgGuarded(this.path, 'write', () =>
      writeTx(this.pg, (tx) => recordWatch(tx, source, seen, validators)),
    );
  }

  async watchEvents(after: number, limit: number): Promise<WatchEventRecord[]> {
    return this.read((tx) => watchEvents(tx, after, limit));
  }

  async claimWatch(source: string, key: string, holder: string, leaseMs: number): Promise<WatchClaim> {
    return pgGuarded(this.path, 'write', () =>
      writeTx(this.pg, (tx) => claimWatch(tx, source, key, holder, leaseMs)),
    );
  }

  async completeWatch(source: string, seen: WatchSeen): Promise<boolean> {
    return pgGuarded(this.path, 'write', () => writeTx(this.pg, (tx) => completeWatch(tx, source, seen)));
  }

  async releaseWatch(source: string, key: string, holder: string): Promise<void> {
    await pgGuarded(this.path, 'write', () => releaseWatch(this.pg.sql, source, key, holder));
  }

  async reingest(
    sha256: string,
    update: Record<string, string>,
    release?: string,
  ): Promise<IngestResult | null> {
    return pgGuarded(this.path, 'write', () => reingest(this.pg, sha256, update, release));
  }

  async setLabels(ref: string, set: Record<string, string>, unset: string[]): Promise<EntryRecord> {
    const rec = await this.resolve(ref);
    return pgGuarded(this.path, 'write', () => setLabels(this.pg, rec.id, set, unset));
  }

  async remove(ref: string): Promise<EntryRecord> {
    const rec = await this.resolve(ref);
    await pgGuarded(this.path, 'write', () => removeEntry(this.pg, rec.id));
    return rec;
  }

  async stats(): Promise<StoreStats> {
    return this.read((tx) => storeStats(this.pg, tx));
  }

  async close(): Promise<void> {
    await this.pg.sql.end({ timeout: 5 });
  }

  /** One snapshot for every statement of a read; errors as KabiErrors naming the store. */
  private read<T>(fn: (tx: PgTx) => Promise<T>): Promise<T> {
    return pgGuarded(
      this.path,
      'read',
      async () => (await this.pg.sql.begin('isolation level repeatable read read only', (tx) => fn(tx))) as T,
    );
  }
}

/**
 * A PostgreSQL store by URL (`postgres://user@host/db`): read-only when `readonly` (reading commands, the
 * dashboard: a role with only SELECT will do). Refuses a database whose kabi schema is older or newer
 * than this code's (`kabi db migrate` brings it up to date).
 */
export async function openPostgresStore(url: string, opts: { readonly?: boolean } = {}): Promise<Store> {
  return new PostgresStore(await openPg(url, { write: !opts.readonly }));
}

/** `kabi db migrate`: creates the store's schema or brings it up to date; the versions before and after. */
export async function migratePostgresStore(
  url: string,
): Promise<{ from: number; to: number; filled: { loaderFacts: number } }> {
  const { from, to, filled } = await migratePg(url);
  return { from, to, filled };
}

/** The schema version this code reads and writes. */
export const POSTGRES_SCHEMA_VERSION = PG_MIGRATIONS.length;
