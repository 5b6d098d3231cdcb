// Connecting to a PostgreSQL store and checking or bringing its schema up to date (postgres-schema.ts).
// Unlike SQLite, nothing here migrates as a side effect: `kabi db migrate` does, once, as a role that may
// create tables; every other command refuses a store whose schema is older or newer than this code's,
// naming both versions and the fix. Reading commands connect with `default_transaction_read_only`, so
// they cannot write even by mistake, and work with a role that has only SELECT.
import { KabiError } from '../errors.js';
import { type Pg, type PgSql, pgGuarded, redactUrl } from './postgres-db.js';
import { fillLoaderFactsPg } from './postgres-loader-backfill.js';
import { PG_MIGRATIONS, PG_SCHEMA } from './postgres-schema.js';

/** Any number 64 bits wide, the same in every kabi-tracker: serialises concurrent `kabi db migrate`s. */
const MIGRATE_LOCK = 0x6b616269_0001;

/** The client, loaded when a PostgreSQL store is first opened (most commands never need it). */
async function connect(url: string, readonly: boolean): Promise<PgSql> {
  const { default: postgres } = await import('postgres');
  return postgres(url, {
    max: 4,
    onnotice: () => {},
    connect_timeout: 15,
    idle_timeout: 30,
    // int8 (count(*), sizes, CRCs as bigint) as numbers: every value the store keeps fits in 2^53.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (x: number) => String(x),
        parse: (x: string) => Number(x),
      },
    },
    connection: {
      application_name: 'kabi-tracker',
      search_path: PG_SCHEMA,
      ...(readonly ? { default_transaction_read_only: true } : {}),
    },
  }) as unknown as PgSql;
}

/** The store's schema version: 0 where there is no kabi store (no `kabi.schema_version`). */
async function schemaVersion(sql: PgSql): Promise<number> {
  const [has] = await sql`SELECT to_regclass(${`${PG_SCHEMA}.schema_version`}) IS NOT NULL AS has`;
  if (!has!.has) return 0;
  const [row] = await sql.unsafe(`SELECT version FROM ${PG_SCHEMA}.schema_version`);
  return (row?.version as number | undefined) ?? 0;
}

/** The message for a store this code cannot use, naming both versions and the fix. */
export function versionMismatch(path: string, version: number): KabiError | null {
  const code = PG_MIGRATIONS.length;
  if (version === code) return null;
  if (version > code)
    return new KabiError(
      `${path}: store schema ${version} is newer than this kabi-tracker's (${code}); use a newer kabi-tracker`,
    );
  if (version === 0)
    return new KabiError(
      `${path}: no kabi store in this database (store schema 0, this kabi-tracker's is ${code}); kabi db migrate --db URL creates it`,
    );
  return new KabiError(
    `${path}: store schema ${version} is older than this kabi-tracker's (${code}); run kabi db migrate --db URL (as a role that may create tables), then try again`,
  );
}

/**
 * A connection to a store of this code's schema: read-only unless `write`. Refuses (and closes) a store
 * of another schema, or a database without one.
 */
export async function openPg(url: string, opts: { write?: boolean } = {}): Promise<Pg> {
  const path = redactUrl(url);
  const sql = await connect(url, !opts.write);
  try {
    const version = await pgGuarded(path, 'open', () => schemaVersion(sql));
    const refused = versionMismatch(path, version);
    if (refused) throw refused;
    return { sql, path };
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }
}

/**
 * `kabi db migrate`: creates the store's schema or brings it up to date, in one transaction (a migration
 * that fails leaves the store as it was); concurrent migrations wait for each other. The version it had
 * (0: none) and has now.
 */
export async function migratePg(
  url: string,
): Promise<{ from: number; to: number; filled: { loaderFacts: number }; path: string }> {
  const path = redactUrl(url);
  const sql = await connect(url, false);
  try {
    return await pgGuarded(path, 'write', () =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK})`;
        await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}`);
        await tx.unsafe(
          `CREATE TABLE IF NOT EXISTS ${PG_SCHEMA}.schema_version (
             one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)`,
        );
        await tx.unsafe(
          `INSERT INTO ${PG_SCHEMA}.schema_version (version) VALUES (0) ON CONFLICT DO NOTHING`,
        );
        await tx.unsafe(`SET LOCAL search_path TO ${PG_SCHEMA}`);
        const [row] = await tx.unsafe(`SELECT version FROM ${PG_SCHEMA}.schema_version`);
        const from = row!.version as number;
        if (from > PG_MIGRATIONS.length) throw versionMismatch(path, from);
        for (let v = from; v < PG_MIGRATIONS.length; v++) await tx.unsafe(PG_MIGRATIONS[v]!).simple();
        await tx.unsafe(`UPDATE ${PG_SCHEMA}.schema_version SET version = ${PG_MIGRATIONS.length}`);
        const filled = { loaderFacts: await fillLoaderFactsPg(tx) };
        return { from, to: PG_MIGRATIONS.length, filled, path };
      }),
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}
