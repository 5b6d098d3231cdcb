// What the PostgreSQL store's files share: the connection (the `postgres` client, porsager's) with the
// URL it names the store by (password hidden), and PostgreSQL's errors as a user can act on them.
import type postgres from 'postgres';
import { KabiError } from '../errors.js';

export type PgSql = postgres.Sql<Record<string, never>>;
/** A connection, or the transaction a write runs in: queries are the same on both. */
export type PgTx = postgres.TransactionSql<Record<string, never>> | PgSql;

export interface Pg {
  readonly sql: PgSql;
  /** The URL, password hidden: what messages name the store by. */
  readonly path: string;
}

/** `postgres://` and `postgresql://` URLs select the PostgreSQL store; anything else is a path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password (a store is named in messages and in `kabi serve`'s banner). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

const SQLSTATE: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'the server refused this role',
  '3D000': 'the database does not exist',
  '42501': 'this role lacks the privilege (a read-only role may only read)',
  '25006': 'it is read-only: the connection is read-only', // worded as SQLite's SQLITE_READONLY
  '53100': 'the server is out of disk space',
  '53300': 'the server has no connection slot left',
  '57P01': 'the server shut down',
  '40P01': 'a deadlock with another writer (try again)',
  '40001': 'a conflict with another writer (try again)',
};

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/** A KabiError naming the store and the cause for a PostgreSQL or network error; null for anything else. */
export function pgError(path: string, err: unknown, doing: 'open' | 'read' | 'write'): KabiError | null {
  if (err instanceof KabiError) return null;
  const e = err as { code?: unknown; message?: string; name?: string } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const msg = e?.message ?? String(err);
  const lost = doing === 'write' ? '; nothing of this change was stored' : '';
  const verb = {
    open: 'cannot open the store',
    read: 'cannot read the store',
    write: 'cannot write the store',
  }[doing];
  let why: string | undefined;
  if (code !== undefined && NETWORK.has(code)) why = `cannot reach the server (${code}: ${msg})`;
  else if (code === 'CONNECT_TIMEOUT' || code === 'CONNECTION_CLOSED' || code === 'CONNECTION_ENDED')
    why = `the connection failed (${code}: ${msg})`;
  else if (e?.name === 'PostgresError' && code !== undefined)
    why = `${SQLSTATE[code] ?? msg} (SQLSTATE ${code}${SQLSTATE[code] ? `: ${msg}` : ''})`;
  else return null;
  return new KabiError(`${path}: ${verb}: ${why}${lost}`, { cause: err });
}

/** Runs `fn`, turning PostgreSQL and network errors into KabiErrors that name the store. */
export async function pgGuarded<T>(
  path: string,
  doing: 'open' | 'read' | 'write',
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw pgError(path, err, doing) ?? err;
  }
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyText(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * Bulk rows into a table with COPY (text format), in chunks of about a megabyte: what an ingest writes
 * thousands of (names, export tuples, module lists).
 */
export async function copyRows(
  tx: PgTx,
  table: string,
  columns: string[],
  rows: Iterable<(string | number | null)[]>,
): Promise<void> {
  const stream = await tx.unsafe(`COPY ${table} (${columns.join(', ')}) FROM STDIN`).writable();
  let chunk = '';
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  for (const row of rows) {
    chunk += `${row.map(copyText).join('\t')}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(() => resolve());
  });
}
