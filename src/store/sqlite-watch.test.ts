import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from './open-sqlite.js';

const seen = (key: string, event = `{"k":"${key}"}`) =>
  ({ key, name: `pkg-${key}`, outcome: 'ingested', entry: null, event }) as const;

describe('kabi watch state in the SQLite store (migration 8)', () => {
  it('keeps per source what was seen and the validators; each key once; events in order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-watch-state-')), 'w.db');
    let store = openSqliteStore(path);
    assert.deepEqual(await store.watchState('deb:a'), { validators: null, seen: new Set() });
    await store.recordWatch('deb:a', [seen('1'), seen('2')]);
    await store.recordWatch('deb:a', [seen('1', '{"again":true}')], {
      etag: '"x"',
      lastModified: null,
      digest: null,
    });
    await store.recordWatch('rpm:b', [seen('1')]);
    const y = { etag: '"y"', lastModified: 'Thu, 03 Dec 2026 12:00:00 GMT', digest: 'ab'.repeat(32) };
    await store.recordWatch('deb:a', [], y);
    await store.close();
    // A restart reads what the last run left.
    store = openSqliteStore(path, { readonly: true });
    try {
      const a = await store.watchState('deb:a');
      assert.deepEqual([...a.seen].sort(), ['1', '2']);
      assert.deepEqual(a.validators, y);
      assert.deepEqual([...(await store.watchState('rpm:b')).seen], ['1']);
      const events = await store.watchEvents(0, 10);
      assert.deepEqual(
        events.map((e) => [e.source, e.event]),
        [
          ['deb:a', '{"k":"1"}'],
          ['deb:a', '{"k":"2"}'],
          ['rpm:b', '{"k":"1"}'],
        ],
      );
      assert.deepEqual(
        (await store.watchEvents(events[0]!.id, 1)).map((e) => e.id),
        [events[1]!.id],
      );
    } finally {
      await store.close();
    }
  });
});
