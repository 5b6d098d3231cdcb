// SQLite's result codes as a user can act on them: the store's path, what went wrong in words, and what
// became of the write (a failed transaction is rolled back whole). better-sqlite3 throws `SqliteError` with
// the extended code (`SQLITE_READONLY_DIRECTORY`, `SQLITE_IOERR_WRITE`, ...) but without the errno behind
// it, so a read-only store asks the file system why.
import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { KabiError, systemErrorText } from '../errors.js';

/** The SQLite result code of an error (`SQLITE_FULL`), or undefined for anything else. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Why a store cannot be written: the file system's own answer for the file, else for its directory. */
function whyReadonly(path: string): string | undefined {
  for (const p of [path, dirname(path)]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      const text = systemErrorText(e);
      if (text) return p === path ? text : `${text} in ${p}`;
    }
  }
  return undefined;
}

/** Whether the file system holding the store has no room left (SQLite reports some of that as I/O errors). */
function diskFull(path: string): boolean {
  try {
    const st = statfsSync(dirname(path));
    return st.bavail * st.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/**
 * A KabiError naming the store and the cause for an SQLite or file-system error, or null for any other
 * error (a bug, or already a KabiError, which passes unchanged).
 */
export function storeError(path: string, err: unknown, doing: 'open' | 'read' | 'write'): KabiError | null {
  if (err instanceof KabiError) return null;
  const code = sqliteCode(err);
  const sys = systemErrorText(err);
  const msg = (err as Error)?.message ?? String(err);
  const lost = doing === 'write' ? '; nothing of this change was stored' : '';
  const verb = {
    open: 'cannot open the store',
    read: 'cannot read the store',
    write: 'cannot write the store',
  }[doing];
  let why: string | undefined;
  if (sys) why = sys;
  else if (code === undefined) return null;
  else if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && diskFull(path)))
    why = `the disk is full (${code})`;
  else if (code.startsWith('SQLITE_READONLY'))
    why = `it is read-only: ${whyReadonly(path) ?? 'opened read-only'} (${code})`;
  else if (code.startsWith('SQLITE_CANTOPEN')) {
    const ro = whyReadonly(path);
    why = ro ? `it is read-only: ${ro} (${code})` : `${msg} (${code})`;
  } else if (code === 'SQLITE_NOTADB') why = 'not a SQLite database, so not a kabi store (SQLITE_NOTADB)';
  else if (code.startsWith('SQLITE_CORRUPT'))
    why = `the file is damaged (${code}); restore it from a copy, or ingest again into a new store`;
  else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    why = `another process kept it locked too long (${code}); try again when it is done`;
  else if (code.startsWith('SQLITE_IOERR')) why = `input/output error (${code}: ${msg})`;
  else if (code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') why = `permission denied (${code})`;
  else return null;
  return new KabiError(`${path}: ${verb}: ${why}${lost}`, { cause: err });
}

/** Runs `fn`, turning SQLite and file-system errors into KabiErrors that name the store. */
export function guarded<T>(path: string, doing: 'open' | 'read' | 'write', fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw storeError(path, err, doing) ?? err;
  }
}
