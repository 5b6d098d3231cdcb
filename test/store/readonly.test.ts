// A store is never damaged by reading it: reading commands never create, migrate or write one, a SQLite
// file that is not a kabi store is refused untouched, a store on a read-only file system is still read,
// and faults of the environment (a full disk, a read-only store) name the path and the cause and leave
// what was stored as it was.
// SQLite only (not test-store.ts): "untouched" is the file's bytes, WAL and mtime, and faults are the file
// system's; test/store/postgres.test.ts checks the PostgreSQL store's versions and its SELECT-only role.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/schema.js';
import { KABI, kabi, type Run } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { inMountNamespace, needsMounts, readOnlyDir, tmpfsAt } from '../helpers/mounts.js';
import { needs } from '../helpers/tools.js';

const SYMVERS = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const KMOD = join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko');
const tempDir = () => mkdtempSync(join(tmpdir(), 'kabi-ro-'));

/** The commands that only read, each with arguments that need a store. */
const READERS: string[][] = [
  ['list'],
  ['show', '1'],
  ['series'],
  ['history', 'kmalloc'],
  ['kfuncs', '1'],
  ['compat', '-m', KMOD, '-k', 'release=6.1.0-54'],
  ['diff', '1', '2'],
  ['report', 'series', '-o', '/dev/null'],
];

/**
 * Several `kabi` runs at once (each only reads, or is refused before it writes): the machine's other
 * cores work too, where one run after another left them idle. Results in the order given.
 */
function kabiAll(runs: string[][]): Promise<Run[]> {
  return Promise.all(
    runs.map(
      (args) =>
        new Promise<Run>((resolve) => {
          execFile(
            process.execPath,
            [KABI, ...args],
            { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 28 },
            (err, stdout, stderr) => {
              const code = (err as { code?: unknown } | null)?.code;
              resolve({ status: err ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
            },
          );
        }),
    ),
  );
}

/** Bytes and modification time: what "untouched" means. */
const snapshot = (path: string) => ({
  bytes: readFileSync(path).toString('hex'),
  mtime: statSync(path).mtimeMs,
});

function store(dir: string, ...abis: string[]): string {
  const db = join(dir, 'kabi.db');
  for (const abi of abis) {
    const r = kabi(['--db', db, 'ingest', '-l', 'stream=debian-6.1', SYMVERS(abi)]);
    assert.equal(r.status, 0, r.stderr);
  }
  return db;
}

describe('reading commands never create, migrate or write a store', () => {
  it('--db naming no file: "no store at ..." and no file is created', async () => {
    const dir = tempDir();
    const typo = join(dir, 'typo.db');
    const runs = await kabiAll(READERS.map((args) => ['--db', typo, ...args]));
    for (const [i, r] of runs.entries()) {
      const args = READERS[i]!;
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`no store at ${typo} \\(kabi ingest creates one\\)`), args.join(' '));
    }
    assert.equal(existsSync(typo), false, `one of ${READERS.length} readers created ${typo}`);
    const deep = join(dir, 'no', 'such', 'dir', 'kabi.db');
    assert.equal(kabi(['--db', deep, 'list']).status, 1);
    assert.equal(existsSync(join(dir, 'no')), false, 'no directory is made either');
  });

  it('a SQLite file that is not a kabi store is refused, its bytes and mtime unchanged, by readers and writers', async () => {
    const dir = tempDir();
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');",
    );
    db.close();
    const before = snapshot(other);
    const all = [...READERS, ['ingest', SYMVERS('6.1.0-54')], ['rm', '1'], ['migrate']];
    const runs = await kabiAll(all.map((args) => ['--db', other, ...args]));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.status, 1, `${all[i]!.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /other\.db: a SQLite database but not a kabi store \(it holds tables notes\); left untouched/,
      );
    }
    assert.deepEqual(snapshot(other), before, 'a reader or writer changed the file');
    assert.equal(existsSync(`${other}-wal`), false);
  });

  it('a file that is no database at all, an empty file and a directory are refused with what they are', () => {
    const dir = tempDir();
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(100));
    const before = snapshot(text);
    for (const args of [['list'], ['ingest', SYMVERS('6.1.0-54')]]) {
      const r = kabi(['--db', text, ...args]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /notes\.txt: cannot open the store: not a SQLite database, so not a kabi store/);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.deepEqual(snapshot(text), before);
    }
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    assert.match(
      kabi(['--db', empty, 'list']).stderr,
      /empty\.db: empty, not a kabi store \(kabi ingest creates one\)/,
    );
    assert.equal(statSync(empty).size, 0);
    const r = kabi(['--db', dir, 'list']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is a directory, not a store/);
  });

  it('a store of an older schema is refused by readers unchanged; kabi migrate brings it up to date', () => {
    const path = join(tempDir(), 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.close();
    const before = snapshot(path);
    for (const args of [['list'], ['series'], ['show', '1']]) {
      const r = kabi(['--db', path, ...args]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `store schema 1 is older than this kabi-tracker \\(${MIGRATIONS.length}\\); reading commands never write it: kabi migrate`,
        ),
      );
      assert.deepEqual(snapshot(path), before);
    }
    const m = kabi(['--db', path, 'migrate']);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(m.stdout, `${path}: store schema 1 → ${MIGRATIONS.length}\n`);
    assert.equal(
      kabi(['--db', path, 'migrate']).stdout,
      `${path}: store schema ${MIGRATIONS.length}, up to date\n`,
    );
    const l = kabi(['--db', path, 'list']);
    assert.equal(l.status, 0, l.stderr);
    assert.equal(l.stdout, 'no entries\n');
    assert.match(kabi(['--db', join(tempDir(), 'none.db'), 'migrate']).stderr, /no store at .*none\.db/);
  });

  it('reading a store leaves its file unchanged (read-only SQLite connection)', async () => {
    const db = store(tempDir(), '6.1.0-54', '6.1.0-55');
    const before = snapshot(db);
    const runs = await kabiAll(READERS.map((args) => ['--db', db, ...args]));
    for (const [i, r] of runs.entries()) {
      // kfuncs 1 finds none recorded for a Module.symvers: an error, and still only a read.
      assert.doesNotMatch(r.stderr, /internal error|store:/, READERS[i]!.join(' '));
    }
    assert.deepEqual(snapshot(db), before);
  });

  it('ingest of a path that does not exist names it and creates no store', () => {
    const db = join(tempDir(), 'kabi.db');
    const r = kabi(['--db', db, 'ingest', '/nonexistent/linux-image.deb']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\/nonexistent\/linux-image\.deb: no such file/);
    assert.equal(existsSync(db), false);
  });

  it('an output file that cannot be written names the path and the cause, not an internal error', () => {
    const db = store(tempDir(), '6.1.0-54');
    const r = kabi(['--db', db, 'series', '-f', 'json', '-o', '/nonexistent/dir/series.json']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'kabi: /nonexistent/dir/series.json: no such file or directory (ENOENT)\n');
  });
});

describe('the store on a file system it cannot write', { skip: needsMounts() }, () => {
  it('on a read-only file system: readers and kabi serve read it, ingest says why it cannot write', async () => {
    const dir = tempDir();
    const db = store(dir, '6.1.0-54', '6.1.0-55');
    const before = snapshot(db);
    const script = `${readOnlyDir(dir)} && node "$1" --db "$2" list && node "$1" --db "$2" ingest "$3"; echo "ingest=$?"`;
    const r = inMountNamespace(script, [KABI, db, SYMVERS('6.1.0-56')]);
    assert.match(r.stdout, /^1 +kernel +24664/m, r.stderr);
    assert.match(r.stdout, /^2 +kernel +24683/m);
    assert.match(r.stdout, /ingest=1/);
    assert.match(
      r.stderr,
      new RegExp(
        `kabi: ${db}: cannot (open|write) the store: it is read-only: read-only file system \\(EROFS`,
      ),
    );
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.deepEqual(snapshot(db), before);

    // The server in the same situation: a read-only directory where SQLite cannot create the -shm file.
    const child = spawn(
      'unshare',
      ['-m', 'sh', '-c', `${readOnlyDir(dir)} && exec node "$1" --db "$2" serve --port 0`, 'sh', KABI, db],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /http:\/\/\S+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
        });
        child.on('exit', (code) => reject(new Error(`kabi serve exited ${code}: ${err}`)));
      });
      const res = await fetch(new URL('/api/builds', url));
      assert.equal(res.status, 200);
      const builds = (await res.json()) as { entries?: unknown[] } | unknown[];
      const list = Array.isArray(builds) ? builds : (builds.entries ?? []);
      assert.equal(list.length, 2);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('a full disk: ingest says so, naming the store, and what was stored stays whole', () => {
    const dir = tempDir();
    const mnt = join(dir, 'mnt');
    const copy = join(dir, 'after.db');
    mkdirSync(mnt);
    // The first build fits; then a filler leaves too little room for the second's new tuples.
    const script = [
      tmpfsAt(mnt, '16m'),
      'node "$1" --db "$2/kabi.db" ingest "$3" || exit 10',
      'avail=$(df --output=avail -k "$2" | tail -n 1)',
      'dd if=/dev/zero of="$2/filler" bs=1k count=$((avail - 600)) 2>/dev/null',
      'node "$1" --db "$2/kabi.db" ingest "$4"; echo "ingest=$?"',
      'rm -f "$2/filler"',
      'node "$1" --db "$2/kabi.db" list; echo "list=$?"',
      'cp "$2/kabi.db" "$5"',
    ].join('; ');
    const r = inMountNamespace(script, [KABI, mnt, SYMVERS('6.1.0-54'), SYMVERS('6.12.117+deb12'), copy]);
    assert.match(r.stdout, /ingest=1/, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `kabi: ${mnt}/kabi.db: cannot write the store: the disk is full \\(SQLITE_FULL\\); nothing of this change was stored`,
      ),
    );
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stdout, /list=0/);
    assert.match(r.stdout, /^1 +kernel +24664/m);
    assert.doesNotMatch(r.stdout, /^2 +kernel/m);
    const check = new Database(copy, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
  });
});

/** Whether uid 65534 can run the checkout's kabi at all (a checkout in a 0700 directory it cannot). */
function otherUserCanRunKabi(): boolean {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', KABI]);
  return r.status === 0;
}

describe('a store the user may not write', {
  skip:
    needs('setpriv') ||
    (process.getuid?.() !== 0 && 'runs as root to become another user') ||
    (!otherUserCanRunKabi() && 'needs a checkout another user (uid 65534) can read'),
}, () => {
  it('ingest into a store owned by another user names the store and the cause; nothing changes', () => {
    const dir = tempDir();
    const db = store(dir, '6.1.0-54');
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    const before = snapshot(db);
    const as = (args: string[]) =>
      spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, KABI, '--db', db, ...args],
        {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
    const r = as(['ingest', SYMVERS('6.1.0-55')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`kabi: ${db}: cannot (open|write) the store: it is read-only: permission denied \\(EACCES`),
    );
    assert.doesNotMatch(r.stderr, /internal error/);
    const l = as(['list']);
    assert.equal(l.status, 0, l.stderr);
    assert.match(l.stdout, /^1 +kernel +24664/m);
    assert.deepEqual(snapshot(db), before);
  });
});
