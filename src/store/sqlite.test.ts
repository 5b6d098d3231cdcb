import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { KabiError } from '../errors.js';
import { decodeIdSet, encodeIdSet } from './id-set.js';
import { openSqliteStore } from './open-sqlite.js';
import { MIGRATIONS } from './schema.js';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'kabi-store-')), 'kabi.db');

// The Store interface's own tests run on every backend: test/store/store.test.ts.

describe('id sets', () => {
  it('round-trip sorted ids, large and small, through delta varints', () => {
    const ids = [1, 2, 3, 200, 70000, 70001, 2 ** 31];
    const { blob, count } = encodeIdSet([...ids].reverse());
    assert.deepEqual(decodeIdSet(blob, count), ids);
  });
});

describe('SQLite store', () => {
  it('records its schema version and refuses a store from a newer kabi-tracker', async () => {
    const path = dbPath();
    await openSqliteStore(path).close();
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(
      () => openSqliteStore(path),
      (e: unknown) => e instanceof KabiError && /is newer than this kabi-tracker knows/.test(e.message),
    );
  });
});
