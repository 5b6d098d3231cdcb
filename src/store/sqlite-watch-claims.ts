// Several `kabi watch` processes on one SQLite store (migration 9): before a watcher downloads a package
// it claims it, in an IMMEDIATE transaction (the write lock is taken first, so two claimers run one
// after the other and the second sees the first's row). A claim is a lease on this machine's clock: the
// holder renews it while it works; one that ran out (a watcher killed mid-round) may be taken over. The
// package's `watch_seen` row is the record that it was handled; whoever writes it reports the event.
import type { Sql } from './sqlite-db.js';
import type { WatchClaim, WatchSeen } from './store.js';

export function claimWatch(
  sql: Sql,
  source: string,
  key: string,
  holder: string,
  leaseMs: number,
  now = Date.now(),
): WatchClaim {
  return sql.db
    .transaction((): WatchClaim => {
      if (sql.stmt('SELECT 1 FROM watch_seen WHERE source = ? AND key = ?').get(source, key) !== undefined)
        return { state: 'seen' };
      const row = sql
        .stmt('SELECT holder, expires_at FROM watch_claims WHERE source = ? AND key = ?')
        .get(source, key) as { holder: string; expires_at: number } | undefined;
      if (row !== undefined && row.holder !== holder && row.expires_at > now)
        return { state: 'held', holder: row.holder, until: new Date(row.expires_at).toISOString() };
      sql
        .stmt(
          `INSERT INTO watch_claims (source, key, holder, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (source, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
             claimed_at = CASE WHEN holder = excluded.holder THEN claimed_at ELSE excluded.claimed_at END`,
        )
        .run(source, key, holder, new Date(now).toISOString(), now + leaseMs);
      return { state: 'claimed', from: row !== undefined && row.holder !== holder ? row.holder : null };
    })
    .immediate();
}

export function completeWatch(sql: Sql, source: string, s: WatchSeen): boolean {
  return sql.db
    .transaction(() => {
      const { changes } = sql
        .stmt(
          `INSERT INTO watch_seen (source, key, name, outcome, entry, event, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (source, key) DO NOTHING`,
        )
        .run(source, s.key, s.name, s.outcome, s.entry, s.event, new Date().toISOString());
      sql.stmt('DELETE FROM watch_claims WHERE source = ? AND key = ?').run(source, s.key);
      return changes === 1;
    })
    .immediate();
}

export function releaseWatch(sql: Sql, source: string, key: string, holder: string): void {
  sql.stmt('DELETE FROM watch_claims WHERE source = ? AND key = ? AND holder = ?').run(source, key, holder);
}
