// Labels are the user's to change: `kabi label`, and ingesting an artifact again, set them on the one
// entry the artifact made (never a second entry); a stored artifact is known by its hash before it is read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ingestArtifact } from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { openTestStore, testDb } from '../helpers/test-store.js';

const F47 = join(FIXTURES, 'debian', '6.1.0-47.symvers.xz');
const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-labels-'));

function listJson(db: string, query = ''): { id: number; labels: Record<string, string> }[] {
  const r = kabi(['--db', db, 'list', query, '-f', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  return Array.isArray(doc) ? doc : doc.entries;
}

describe('kabi label and ingesting again', () => {
  it('ingesting an artifact again with -l updates its one entry', () => {
    const db = testDb(tmp(), 'k.db');
    assert.equal(kabi(['--db', db, 'ingest', '-l', 'stream=a', F47]).status, 0);
    const again = kabi(['--db', db, 'ingest', '-l', 'stream=b', '-l', 'team=x', F47]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^already stored .*labels set: stream=b,team=x$/m);
    const entries = listJson(db);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.labels.stream, 'b');
    assert.equal(entries[0]!.labels.team, 'x');
  });

  it('the same bytes named for another release are another build (6.1.0-55 and -56 share a Module.symvers)', () => {
    const db = testDb(tmp(), 'k.db');
    const f = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
    assert.deepEqual(readFileSync(f('6.1.0-55')), readFileSync(f('6.1.0-56')));
    assert.equal(kabi(['--db', db, 'ingest', f('6.1.0-55')]).status, 0);
    const other = kabi(['--db', db, 'ingest', f('6.1.0-56')]);
    assert.match(other.stdout, /^ingested /);
    const again = kabi(['--db', db, 'ingest', '-l', 'team=x', f('6.1.0-56')]);
    assert.match(again.stdout, /^already stored .* kernel 2: .*labels set: team=x$/m);
    assert.deepEqual(
      listJson(db).map((e) => [e.labels.release, e.labels.team ?? null]),
      [
        ['6.1.0-55', null],
        ['6.1.0-56', 'x'],
      ],
    );
  });

  it('kabi label sets, replaces and unsets labels; a hand-given date says date-from=label', () => {
    const db = testDb(tmp(), 'k.db');
    assert.equal(kabi(['--db', db, 'ingest', '-l', 'stream=a', '-l', 'team=x', F47]).status, 0);
    const r = kabi([
      '--db',
      db,
      'label',
      'release=6.1.0-47',
      'stream=debian-6.1',
      'date=2026-05-08',
      '--unset',
      'team',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^labelled kernel 1 /);
    const [e] = listJson(db);
    assert.equal(e!.labels.stream, 'debian-6.1');
    assert.equal(e!.labels.date, '2026-05-08');
    assert.equal(e!.labels['date-from'], 'label');
    assert.equal(e!.labels.team, undefined);
    const un = kabi(['--db', db, 'label', '1', '--unset', 'date']);
    assert.equal(un.status, 0, un.stderr);
    const [f] = listJson(db);
    assert.equal(f!.labels.date, undefined);
    assert.equal(f!.labels['date-from'], undefined);
  });

  it('kabi label refuses a missing key to unset, nothing to do, and an unknown ref', () => {
    const db = testDb(tmp(), 'k.db');
    assert.equal(kabi(['--db', db, 'ingest', F47]).status, 0);
    const missing = kabi(['--db', db, 'label', '1', '--unset', 'nosuch']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /entry 1 has no label nosuch/);
    assert.equal(kabi(['--db', db, 'label', '1']).status, 2);
    const unknown = kabi(['--db', db, 'label', 'release=nosuch', 'a=b']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no entry matches "release=nosuch"/);
  });

  it('knows a stored artifact by its hash before reading it', async () => {
    const dir = tmp();
    // A file that sniffs as a .deb and cannot be read past its ar magic: reading it would fail.
    const deb = join(dir, 'broken.deb');
    writeFileSync(deb, '!<arch>\nnot really a package');
    const store = await openTestStore(testDb(dir, 'k.db'));
    try {
      const first = await ingestArtifact(store, F47, { labels: { stream: 'a' } });
      // Store the broken file's hash as if it had been ingested before: only the hash can find it.
      const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
      const build = await store.loadBuild(first.entry.id);
      await store.ingest({
        kind: 'kernel',
        artifact: { sha256, path: deb, size: 29 },
        build: { ...build, labels: {} },
        labels: { release: 'broken' },
        modules: [],
        builtin: [],
      });
      const again = await ingestArtifact(store, deb, { labels: { stream: 'z' } });
      assert.equal(again.created, false);
      assert.equal(again.entry.labels.release, 'broken');
      assert.equal(again.entry.labels.stream, 'z');
      assert.deepEqual(again.labelsChanged, ['stream']);
    } finally {
      await store.close();
    }
  });
});
