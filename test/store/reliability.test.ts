// The store under abuse: `kabi ingest` killed with SIGKILL at random points, and two ingests at once.
// SQLite only (not test-store.ts): the file's locks and journal; test/store/postgres.test.ts does the same
// with 4 writers and SIGKILL on PostgreSQL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/index.js';
import { KABI } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';

const SYMVERS = ['6.1.0-54', '6.1.0-55', '6.12.117+deb12'].map((a) =>
  join(FIXTURES, 'debian', `${a}.symvers.xz`),
);
const EXPECTED = new Map([
  ['6.1.0-54', 24664],
  ['6.1.0-55', 24683],
  ['6.12.117+deb12', 26765],
]);

function run(
  db: string,
  args: string[],
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [KABI, '--db', db, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    if (killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Integrity, and every stored entry whole: its labels and all of its exports. */
async function assertIntact(db: string): Promise<number> {
  if (!existsSync(db)) return 0; // killed before the file was created
  const raw = new Database(db);
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();
  const store = openSqliteStore(db);
  try {
    const entries = await store.list();
    for (const e of entries) {
      const want = EXPECTED.get(e.labels.release ?? '');
      assert.ok(want, `unexpected entry ${JSON.stringify(e.labels)}`);
      assert.equal(e.exports, want);
      assert.equal((await store.loadBuild(e.id)).exports.size, want);
    }
    return entries.length;
  } finally {
    await store.close();
  }
}

describe('store reliability', () => {
  it('survives SIGKILL at random points of an ingest, and the re-run completes', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kabi-kill-')), 'kabi.db');
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const delay = 40 + Math.floor(Math.random() * 900);
      const r = await run(db, ['ingest', ...SYMVERS], delay);
      seen.add(await assertIntact(db));
      if (r.signal === null) assert.equal(r.code, 0, r.stderr);
    }
    const done = await run(db, ['ingest', ...SYMVERS]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(await assertIntact(db), 3);
  });

  it('two concurrent ingests into one new store both succeed (one waits for the other)', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kabi-conc-')), 'kabi.db');
    const [a, b] = await Promise.all([
      run(db, ['ingest', SYMVERS[0]!, SYMVERS[2]!]),
      run(db, ['ingest', SYMVERS[1]!, SYMVERS[2]!]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(await assertIntact(db), 3);
  });
});
