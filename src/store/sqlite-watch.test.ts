// What only a file store shows: a watcher's state survives a restart. The state's rules themselves are
// checked on every backend in test/store/btf-watch.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from './open-sqlite.js';

describe('kabi watch state in the SQLite store (migration 8)', () => {
  it('a restarted watcher, even read-only, reads what the last run left', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-watch-state-')), 'w.db');
    let store = openSqliteStore(path);
    const y = { etag: '"y"', lastModified: 'Thu, 03 Dec 2026 12:00:00 GMT', digest: 'ab'.repeat(32) };
    await store.recordWatch(
      'deb:a',
      [{ key: '1', name: 'pkg-1', outcome: 'ingested', entry: null, event: '{}' }],
      y,
    );
    await store.close();
    store = openSqliteStore(path, { readonly: true });
    try {
      const a = await store.watchState('deb:a');
      assert.deepEqual([...a.seen], ['1']);
      assert.deepEqual(a.validators, y);
      assert.deepEqual(
        (await store.watchEvents(0, 10)).map((e) => [e.source, e.event]),
        [['deb:a', '{}']],
      );
    } finally {
      await store.close();
    }
  });
});
