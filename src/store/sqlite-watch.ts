// `kabi watch`'s state in the SQLite store (migration 8): per source, the validators of its top index and
// the packages handled, so that a restarted watcher neither downloads nor reports a package twice.
import type { Sql } from './sqlite-db.js';
import type { WatchEventRecord, WatchSeen, WatchValidators } from './store.js';

export function watchState(
  sql: Sql,
  source: string,
): { validators: WatchValidators | null; seen: Set<string> } {
  const row = sql
    .stmt('SELECT etag, last_modified, digest FROM watch_sources WHERE source = ?')
    .get(source) as { etag: string | null; last_modified: string | null; digest: string | null } | undefined;
  const keys = sql.stmt('SELECT key FROM watch_seen WHERE source = ?').pluck().all(source) as string[];
  return {
    validators:
      row === undefined ? null : { etag: row.etag, lastModified: row.last_modified, digest: row.digest },
    seen: new Set(keys),
  };
}

export function recordWatch(sql: Sql, source: string, seen: WatchSeen[], validators?: WatchValidators): void {
  const now = new Date().toISOString();
  sql.db.transaction(() => {
    const insert = sql.stmt(
      `INSERT INTO watch_seen (source, key, name, outcome, entry, event, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, key) DO NOTHING`,
    );
    for (const s of seen) insert.run(source, s.key, s.name, s.outcome, s.entry, s.event, now);
    if (validators !== undefined)
      sql
        .stmt(
          `INSERT INTO watch_sources (source, etag, last_modified, digest, checked_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (source) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
             digest = excluded.digest, checked_at = excluded.checked_at`,
        )
        .run(source, validators.etag, validators.lastModified, validators.digest, now);
  })();
}

export function watchEvents(sql: Sql, after: number, limit: number): WatchEventRecord[] {
  return sql
    .stmt('SELECT id, source, event, seen_at AS seenAt FROM watch_seen WHERE id > ? ORDER BY id LIMIT ?')
    .all(after, limit) as WatchEventRecord[];
}
