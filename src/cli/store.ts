// Opening the store for a command: `--db` is a global option (`kabi --db x.db list`). Read-only unless the
// command writes (ingest, rm, migrate): reading never creates, migrates or writes a store.
import type { Command } from 'commander';
import type { Store } from '../index.js';

export async function openStore(cmd: Command, opts: { write?: boolean } = {}): Promise<Store> {
  const { defaultStorePath, openSqliteStore } = await import('../index.js');
  return openSqliteStore(defaultStorePath(cmd.optsWithGlobals().db as string | undefined), {
    readonly: !opts.write,
  });
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
