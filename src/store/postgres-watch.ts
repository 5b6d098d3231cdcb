// `kabi watch`'s state in the PostgreSQL store: the same tables and rules as SQLite's (sqlite-watch.ts).
import type { PgTx } from './postgres-db.js';
import type { WatchEventRecord, WatchSeen, WatchValidators } from './store.js';

export async function watchState(
  tx: PgTx,
  source: string,
): Promise<{ validators: WatchValidators | null; seen: Set<string> }> {
  const [row] = await tx`SELECT etag, last_modified, digest FROM watch_sources WHERE source = ${source}`;
  const keys = await tx`SELECT key FROM watch_seen WHERE source = ${source}`;
  return {
    validators:
      row === undefined ? null : { etag: row.etag, lastModified: row.last_modified, digest: row.digest },
    seen: new Set(keys.map((k) => k.key as string)),
  };
}

/** Call inside a write transaction. */
export async function recordWatch(
  tx: PgTx,
  source: string,
  seen: WatchSeen[],
  validators?: WatchValidators,
): Promise<void> {
  const now = new Date().toISOString();
  for (const s of seen)
    await tx`
      INSERT INTO watch_seen (source, key, name, outcome, entry, event, seen_at)
      VALUES (${source}, ${s.key}, ${s.name}, ${s.outcome}, ${s.entry}, ${s.event}, ${now})
      ON CONFLICT (source, key) DO NOTHING`;
  if (validators !== undefined)
    await tx`
      INSERT INTO watch_sources (source, etag, last_modified, digest, checked_at)
      VALUES (${source}, ${validators.etag}, ${validators.lastModified}, ${validators.digest}, ${now})
      ON CONFLICT (source) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
        digest = excluded.digest, checked_at = excluded.checked_at`;
}

export async function watchEvents(tx: PgTx, after: number, limit: number): Promise<WatchEventRecord[]> {
  const rows = await tx`
    SELECT id, source, event, seen_at FROM watch_seen WHERE id > ${after} ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => ({
    id: r.id as number,
    source: r.source as string,
    event: r.event as string,
    seenAt: r.seen_at as string,
  }));
}
