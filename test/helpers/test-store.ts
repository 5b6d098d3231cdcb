// The store a test makes: a SQLite file by default; with KABI_TEST_STORE=postgres (npm test's second
// pass, scripts/test-postgres.mjs), a new, migrated database on a throwaway PostgreSQL cluster, so that
// the same tests, CLI and server included, run on both backends. Each database is a copy of one migrated
// template (CREATE DATABASE … TEMPLATE: a few milliseconds, and synchronous through psql, so `testDb`
// stays a drop-in for `join(dir, 'kabi.db')`). A test of what only SQLite has (the file itself, WAL, its
// migrations, file locks) keeps its own SQLite path and says why.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  isPostgresUrl,
  migratePostgresStore,
  openPostgresStore,
  openSqliteStore,
  type Store,
} from '../../src/index.js';
import { needsPostgres, pgBin, sharedCluster } from './postgres.js';

/** Which backend this test process's stores are on. */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.KABI_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * `{ skip: storeFree }` for a test of a store-using file that touches no store (no --db, no testDb): the
 * PostgreSQL pass, which reruns the file to test the backend, skips it; the SQLite pass runs it.
 */
export const storeFree: string | false =
  TEST_STORE === 'postgres' ? 'touches no store: the SQLite pass runs it' : false;

const TEMPLATE = 'kabi_template';

/** The migrated template's URL: the runner's cluster (one for every file), else one for this process. */
async function pgTemplate(): Promise<string> {
  const given = process.env.KABI_TEST_PG_TEMPLATE;
  if (given) return given;
  const skip = needsPostgres();
  if (skip) throw new Error(`KABI_TEST_STORE=postgres ${skip}`);
  const cluster = await sharedCluster();
  await cluster.admin(`CREATE DATABASE ${TEMPLATE}`);
  await migratePostgresStore(cluster.url(TEMPLATE));
  return cluster.url(TEMPLATE);
}

const template = TEST_STORE === 'postgres' ? await pgTemplate() : undefined;
let serial = 0;

/**
 * A new store's location for `--db` or `openTestStore`: `dir/file` (created by the first ingest), or the
 * URL of a new, migrated, empty PostgreSQL database.
 */
export function testDb(dir: string, file = 'kabi.db'): string {
  if (!template) return join(dir, file);
  return createDatabase(template);
}

/**
 * A copy of the store at `source` (made by `testDb`, no process writing it), as a new store of its own:
 * `dir/file` on SQLite, a new database made from it on PostgreSQL.
 */
export function copyTestDb(source: string, dir: string, file = 'kabi.db'): string {
  if (!isPostgresUrl(source)) {
    const to = join(dir, file);
    copyFileSync(source, to);
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${to}-wal`);
    return to;
  }
  return createDatabase(source);
}

/** A new database on the template's cluster, a copy of `from` (CREATE DATABASE … TEMPLATE). */
function createDatabase(from: string): string {
  const url = new URL(from);
  const name = `kabi_${process.pid}_${++serial}`;
  const admin = new URL(from);
  admin.pathname = '/postgres';
  const psql = pgBin('psql');
  if (!psql) throw new Error('KABI_TEST_STORE=postgres needs psql');
  execFileSync(
    psql,
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      admin.toString(),
      '-c',
      `CREATE DATABASE ${name} TEMPLATE ${url.pathname.slice(1)}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens a store `testDb` named (writable unless `readonly`), as the CLI's `--db` would. */
export async function openTestStore(location: string, opts: { readonly?: boolean } = {}): Promise<Store> {
  return isPostgresUrl(location) ? openPostgresStore(location, opts) : openSqliteStore(location, opts);
}

/**
 * One SQL statement on the store's own database, its rows: for the few tests that look under the Store
 * interface (row counts, an older store's NULLs). Both schemas name their tables alike.
 */
export async function storeSql(location: string, text: string): Promise<Record<string, unknown>[]> {
  if (isPostgresUrl(location)) {
    const { default: postgres } = await import('postgres');
    const sql = postgres(location, { max: 1, onnotice: () => {}, connection: { search_path: 'kabi' } });
    try {
      return [...(await sql.unsafe(text))];
    } finally {
      await sql.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(location, { fileMustExist: true });
  try {
    const statement = db.prepare(text);
    if (!statement.reader) {
      statement.run();
      return [];
    }
    return statement.all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** The number of rows in one of the store's tables. */
export async function countRows(location: string, table: string): Promise<number> {
  const [row] = await storeSql(location, `SELECT count(*) AS n FROM ${table}`);
  return Number(row!.n);
}
