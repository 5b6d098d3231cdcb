// Opening the store for a command: `--db` is a global option (`kabi --db x.db list`), else $KABI_DB. A
// `postgres://` or `postgresql://` URL is the PostgreSQL store, anything else a SQLite file. Read-only
// unless the command writes (ingest, rm, label, migrate): reading never creates, migrates or writes a
// store. A PostgreSQL store is migrated only by `kabi db migrate`; every other command refuses one of
// another schema version.
import type { Command } from 'commander';
import type { Store } from '../index.js';

/** `--db`, else $KABI_DB, else the default SQLite file. */
export async function storeLocation(cmd: Command): Promise<string> {
  const { defaultStorePath } = await import('../index.js');
  return defaultStorePath(cmd.optsWithGlobals().db as string | undefined);
}

export async function openStore(cmd: Command, opts: { write?: boolean } = {}): Promise<Store> {
  return openStoreAt(await storeLocation(cmd), opts);
}

/** The store at a location (a path or a PostgreSQL URL). */
export async function openStoreAt(location: string, opts: { write?: boolean } = {}): Promise<Store> {
  const lib = await import('../index.js');
  if (lib.isPostgresUrl(location)) return lib.openPostgresStore(location, { readonly: !opts.write });
  return lib.openSqliteStore(location, { readonly: !opts.write });
}

/** Whether there is a store to read at the location: a SQLite file exists, or a URL (asked on open). */
export async function storeExists(location: string): Promise<boolean> {
  const lib = await import('../index.js');
  const { existsSync } = await import('node:fs');
  return lib.isPostgresUrl(location) || existsSync(location);
}

/**
 * `kabi db migrate` and `kabi migrate`: creates a PostgreSQL store's schema or brings either store's up to
 * date; what to print: the location as shown (password hidden), the versions before and after.
 */
export async function migrateStoreAt(location: string): Promise<string> {
  const lib = await import('../index.js');
  if (lib.isPostgresUrl(location))
    return migratedText(lib.redactStoreUrl(location), await lib.migratePostgresStore(location));
  const { existsSync } = await import('node:fs');
  if (!existsSync(location)) throw new lib.KabiError(`no store at ${location} (kabi ingest creates one)`);
  return migratedText(location, lib.migrateSqliteStore(location));
}

function migratedText(
  shown: string,
  m: { from: number; to: number; filled: { exportColumns?: number; loaderFacts: number } },
): string {
  const schema = m.from === m.to ? `store schema ${m.to}, up to date` : `store schema ${m.from} → ${m.to}`;
  // What was stored before the store kept these: series and compat read it the short way from now on.
  const filled = [
    m.filled.exportColumns ? `export columns made for ${m.filled.exportColumns} kernel builds` : '',
    m.filled.loaderFacts ? `loader facts made for ${m.filled.loaderFacts} stored module images` : '',
  ].filter(Boolean);
  return `${shown}: ${[schema, ...filled].join('; ')}\n`;
}

/** Store refs look like `12` or `distro=debian,release=6.1.0-53-amd64`; anything else is a path. */
export function looksLikeRef(arg: string): boolean {
  return /^\d+$/.test(arg) || /^[a-z][a-z0-9_.-]*=/.test(arg);
}

/** A label query that selects no stored kernel build is an error naming it (exit 1), never an empty answer. */
export async function requireBuilds(
  count: number,
  query: string,
  what = 'stored kernel builds',
): Promise<void> {
  const { requireSome } = await import('../index.js');
  requireSome(
    count,
    query ? `"${query}"` : 'the store',
    what,
    'a label query selecting stored kernel builds (kabi list shows what is stored)',
  );
}
