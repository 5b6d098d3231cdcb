// Several `kabi watch` processes, on several machines, on one PostgreSQL store (migration 3): the same
// claims as SQLite's (sqlite-watch-claims.ts), with the lease on the server's clock (the watchers'
// clocks may differ). A claim and a completion of one package each first take a transaction advisory
// lock on it, so they run one after the other and each statement after the lock sees what the other
// committed: without it, a claim could read `watch_seen` before a completion committed, then insert its
// claim row after the completion deleted its own, and download a package already handled.
import type { PgTx } from './postgres-db.js';
import type { WatchClaim, WatchSeen } from './store.js';

/** The advisory lock of one package of a source (a collision only makes two packages wait for each other). */
const lock = (tx: PgTx, source: string, key: string) =>
  tx`SELECT pg_advisory_xact_lock(hashtextextended(${source} || ${'\n'} || ${key}, 7))`;

/** Call inside a write transaction. */
export async function claimWatch(
  tx: PgTx,
  source: string,
  key: string,
  holder: string,
  leaseMs: number,
): Promise<WatchClaim> {
  await lock(tx, source, key);
  const [seen] = await tx`SELECT 1 FROM watch_seen WHERE source = ${source} AND key = ${key}`;
  if (seen !== undefined) return { state: 'seen' };
  const [row] = await tx`
    SELECT holder, expires_at > clock_timestamp() AS live,
      to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS until
    FROM watch_claims WHERE source = ${source} AND key = ${key}`;
  if (row !== undefined && row.holder !== holder && row.live)
    return { state: 'held', holder: row.holder as string, until: row.until as string };
  await tx`
    INSERT INTO watch_claims (source, key, holder, claimed_at, expires_at)
    VALUES (${source}, ${key}, ${holder}, clock_timestamp(),
      clock_timestamp() + ${leaseMs} * interval '1 millisecond')
    ON CONFLICT (source, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
      claimed_at = CASE WHEN watch_claims.holder = excluded.holder THEN watch_claims.claimed_at
                        ELSE excluded.claimed_at END`;
  return {
    state: 'claimed',
    from: row !== undefined && row.holder !== holder ? (row.holder as string) : null,
  };
}

/** Call inside a write transaction. */
export async function completeWatch(tx: PgTx, source: string, s: WatchSeen): Promise<boolean> {
  await lock(tx, source, s.key);
  const added = await tx`
    INSERT INTO watch_seen (source, key, name, outcome, entry, event, seen_at)
    VALUES (${source}, ${s.key}, ${s.name}, ${s.outcome}, ${s.entry}, ${s.event}, ${new Date().toISOString()})
    ON CONFLICT (source, key) DO NOTHING
    RETURNING id`;
  await tx`DELETE FROM watch_claims WHERE source = ${source} AND key = ${s.key}`;
  return added.length === 1;
}

export async function releaseWatch(tx: PgTx, source: string, key: string, holder: string): Promise<void> {
  await tx`DELETE FROM watch_claims WHERE source = ${source} AND key = ${key} AND holder = ${holder}`;
}
