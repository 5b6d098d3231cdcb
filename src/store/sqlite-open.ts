// Opening the SQLite file and bringing its schema up to date (the migrations are in schema.ts). Apart from
// the store itself because it is the one part with its own hazards: two processes creating one store at
// once, a read-only server that must not write, and a file from a newer kabi-tracker.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KabiError } from '../errors.js';
import { MIGRATIONS } from './schema.js';
import type { Db } from './sqlite-db.js';

export const BUSY_TIMEOUT_MS = 60_000;

/** WAL journal, NORMAL sync, foreign keys, and every missing migration applied. */
export function openWritable(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openWal(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, path);
  return db;
}

/**
 * Opens the file in WAL mode. Switching a new file to WAL takes an exclusive lock for which SQLite does
 * not wait (SQLITE_BUSY at once, busy timeout or not), so two processes creating one store at the same
 * moment retry here, with a short backoff, up to the busy timeout.
 */
function openWal(path: string): Db {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    let db: Db | undefined;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      return db;
    } catch (cause) {
      db?.close();
      const busy = (cause as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() > deadline) {
        throw new KabiError(`${path}: cannot open the store (${(cause as Error).message})`, { cause });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 10 * 2 ** attempt));
    }
  }
}

/** A read-only connection still sees what other processes commit (WAL readers read the newest snapshot). */
export function openReadonly(path: string): Db {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (cause) {
    throw new KabiError(`${path}: cannot open the store read-only (${(cause as Error).message})`, { cause });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== MIGRATIONS.length) {
    db.close();
    throw new KabiError(
      version > MIGRATIONS.length
        ? `${path}: store schema ${version} is newer than this kabi-tracker knows (${MIGRATIONS.length})`
        : `${path}: store schema ${version} is older than this kabi-tracker (${MIGRATIONS.length}); open it once with another command (kabi list) to migrate it`,
    );
  }
  return db;
}

function migrate(db: Db, path: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() > MIGRATIONS.length) {
    throw new KabiError(
      `${path}: store schema ${current()} is newer than this kabi-tracker knows (${MIGRATIONS.length})`,
    );
  }
  if (current() === MIGRATIONS.length) return;
  db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    for (let v = current(); v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
