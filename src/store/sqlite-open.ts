// Opening the SQLite file and bringing its schema up to date (the migrations are in schema.ts). Apart from
// the store itself because it is the one part with its own hazards: two processes creating one store at
// once, reading commands that must never write (nor create, nor migrate), a file that is not a kabi store
// at all, a store on a read-only file system, and a file from a newer kabi-tracker.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { KabiError } from '../errors.js';
import { MIGRATIONS } from './schema.js';
import { type Db, Sql } from './sqlite-db.js';
import { guarded, sqliteCode, storeError } from './sqlite-errors.js';
import { fillExportColumns } from './sqlite-export-columns.js';
import { fillLoaderFacts } from './sqlite-loader-backfill.js';
import type { MigrationFilled as Filled } from './store.js';

// SQLite reads `file:` URIs only when told so; better-sqlite3 tells it from this variable when its addon
// loads (the first `new Database`). Needed for `immutable=1`, the one way to read a WAL store in a
// directory where its -shm file cannot be created.
process.env.SQLITE_USE_URI ??= '1';

// Loaded when a store is first opened: the addon costs start-up time that `kabi diff` need not pay.
let addon: typeof BetterSqlite3 | undefined;
function openDatabase(path: string, options: BetterSqlite3.Options): BetterSqlite3.Database {
  addon ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return new addon(path, options);
}

export const BUSY_TIMEOUT_MS = 60_000;

/** `PRAGMA application_id` of a kabi store: "kabi" in ASCII. Stores made before it was set have 0. */
export const APPLICATION_ID = 0x6b616269;

/** Tables every kabi store has had since migration 1: with user_version, how an older store is known. */
const KABI_TABLES = ['names', 'exports', 'id_sets', 'artifacts', 'entries', 'labels'];

type Identity = { kind: 'empty' } | { kind: 'kabi'; version: number } | { kind: 'foreign'; why: string };

/** What the file is, read without writing anything. */
function identify(db: Db): Identity {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  if (appId !== 0 && appId !== APPLICATION_ID)
    return { kind: 'foreign', why: `its application_id is 0x${(appId >>> 0).toString(16)}` };
  if (appId === APPLICATION_ID) return { kind: 'kabi', version };
  if (tables.length === 0 && version === 0) return { kind: 'empty' };
  if (version > 0 && KABI_TABLES.every((t) => tables.includes(t))) return { kind: 'kabi', version };
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '');
  return {
    kind: 'foreign',
    why: tables.length ? `it holds tables ${shown}` : `its user_version is ${version}`,
  };
}

const newer = (path: string, version: number) =>
  new KabiError(
    `${path}: store schema ${version} is newer than this kabi-tracker knows (${MIGRATIONS.length}); use a newer kabi-tracker`,
  );

const foreign = (path: string, why: string) =>
  new KabiError(`${path}: a SQLite database but not a kabi store (${why}); left untouched`);

/** What a file that is no store gets told, before SQLite is asked anything. */
function checkFile(path: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw storeError(path, err, 'open') ?? err;
  }
  if (st.isDirectory())
    throw new KabiError(
      `${path}: is a directory, not a store (--db names the store's file, e.g. ${path}/kabi.db)`,
    );
}

/**
 * For writing commands (`kabi ingest`, `rm`, `migrate`): creates the store when there is none, refuses a
 * file that is not a kabi store without writing to it, and applies the missing migrations.
 */
export function openWritable(path: string): Db {
  return openMigrated(path).db;
}

/** What the migrations that made them leave to code: the rows they add for what was stored before. */
const EXPORT_COLUMNS = 5;
const LOADER_FACTS = 10;

/**
 * openWritable, saying which schema the file had (0: a new store) and has now, and what was filled in for
 * what was stored before migrations 5 and 10 (export columns, loader facts). `fill`: fill in whatever lacks
 * them (`kabi migrate`), not only when those migrations are applied now (a store migrated past them by a
 * kabi-tracker from before this step).
 */
export function openMigrated(
  path: string,
  fill = false,
): { db: Db; from: number; to: number; filled: Filled } {
  if (path !== ':memory:') {
    checkFile(path);
    if (existsSync(path) && statSync(path).size > 0) refuseForeign(path);
    guarded(dirname(path), 'open', () => mkdirSync(dirname(path), { recursive: true }));
  }
  const db = openWal(path);
  try {
    return guarded(path, 'write', () => {
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      return { db, ...migrate(db, path, fill) };
    });
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Looks at an existing file read-only first: a foreign database is refused before anything writes it. */
function refuseForeign(path: string): void {
  const { db, id } = openForReading(path);
  db.close();
  if (id.kind === 'foreign') throw foreign(path, id.why);
  if (id.kind === 'kabi' && id.version > MIGRATIONS.length) throw newer(path, id.version);
}

/**
 * Opens the file in WAL mode. Switching a new file to WAL takes an exclusive lock for which SQLite does
 * not wait (SQLITE_BUSY at once, busy timeout or not), so two processes creating one store at the same
 * moment retry here, with a short backoff, up to the busy timeout.
 */
function openWal(path: string): Db {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    let db: Db | undefined;
    try {
      db = openDatabase(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      return db;
    } catch (cause) {
      db?.close();
      const busy = sqliteCode(cause) === 'SQLITE_BUSY';
      if (!busy || Date.now() > deadline) throw storeError(path, cause, 'open') ?? cause;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 10 * 2 ** attempt));
    }
  }
}

/**
 * For reading commands (`list`, `series`, `compat`, `serve`, ...): SQLite's read-only mode, so nothing is
 * created, migrated or written. A read-only connection still sees what other processes commit (WAL
 * readers read the newest snapshot); like any SQLite reader it may create the WAL's -wal and -shm files
 * beside the store. In a directory where it cannot (a read-only file system, a directory the user may not
 * write), the store is read as immutable: a snapshot, which nothing there can change anyway.
 */
export function openReadonly(path: string): Db {
  checkFile(path);
  if (!existsSync(path)) throw new KabiError(`no store at ${path} (kabi ingest creates one)`);
  const { db, id } = openForReading(path);
  const refuse = (e: KabiError) => {
    db.close();
    throw e;
  };
  if (id.kind === 'empty')
    refuse(new KabiError(`${path}: empty, not a kabi store (kabi ingest creates one)`));
  if (id.kind === 'foreign') refuse(foreign(path, id.why));
  if (id.kind === 'kabi' && id.version > MIGRATIONS.length) refuse(newer(path, id.version));
  if (id.kind === 'kabi' && id.version < MIGRATIONS.length)
    refuse(
      new KabiError(
        `${path}: store schema ${id.version} is older than this kabi-tracker (${MIGRATIONS.length}); reading commands never write it: kabi migrate (or any kabi ingest) brings it up to date`,
      ),
    );
  return db;
}

/** A read-only connection and what the file is; immutable where the WAL's -shm file cannot be made. */
function openForReading(path: string): { db: Db; id: Identity } {
  const db = guarded(path, 'open', () =>
    openDatabase(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }),
  );
  try {
    return { db, id: identify(db) };
  } catch (err) {
    db.close();
    // CANTOPEN on a read-only file system, READONLY_DIRECTORY in a directory the user may not write.
    const shm = /^SQLITE_(CANTOPEN|READONLY)/.test(sqliteCode(err) ?? '');
    if (!shm || pendingWal(path)) throw storeError(path, err, 'open') ?? err;
  }
  const snapshot = guarded(path, 'open', () =>
    openDatabase(immutableUri(path), { readonly: true, fileMustExist: true }),
  );
  try {
    return { db: snapshot, id: guarded(path, 'open', () => identify(snapshot)) };
  } catch (err) {
    snapshot.close();
    throw err;
  }
}

/** A -wal file with content holds commits the store file lacks: an immutable read would miss them. */
function pendingWal(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

function immutableUri(path: string): string {
  const abs = path.startsWith('/') ? path : `${process.cwd()}/${path}`;
  return `file:${abs.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}?immutable=1`;
}

/** Applies the missing migrations; the schema versions before and after. */
function migrate(db: Db, path: string, fill: boolean): { from: number; to: number; filled: Filled } {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  const from = current();
  if (from > MIGRATIONS.length) throw newer(path, from);
  const appId = () => db.pragma('application_id', { simple: true }) as number;
  if (from === MIGRATIONS.length && appId() === APPLICATION_ID && !fill)
    return { from, to: from, filled: { exportColumns: 0, loaderFacts: 0 } };
  const filled = db
    .transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const was = current();
      for (let v = was; v < MIGRATIONS.length; v++) {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      }
      if (appId() !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
      return {
        exportColumns: fill || was < EXPORT_COLUMNS ? fillExportColumns(new Sql(db, path)) : 0,
        loaderFacts: fill || was < LOADER_FACTS ? fillLoaderFacts(db) : 0,
      };
    })
    .immediate();
  return { from, to: current(), filled };
}
