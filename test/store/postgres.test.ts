// The PostgreSQL store from the command line, as a compatibility team runs it: `--db postgres://...`,
// `kabi db migrate`, refusals of a store of another schema, the same answers as SQLite on real Debian
// builds, 4 concurrent `kabi ingest` processes, writers killed with SIGKILL mid-ingest, and a role that
// may only SELECT reading through every reading command and the dashboard's API. Skips, with the reason,
// where PostgreSQL's server binaries are not installed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readExportsArtifact } from '../../src/index.js';
import { POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres.js';
import { KABI, kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { needsPostgres, type PgCluster, sharedCluster } from '../helpers/postgres.js';

const SYMVERS = ['6.1.0-47', '6.1.0-50', '6.1.0-54', '6.1.0-55', '6.12.115+deb12', '6.12.117+deb12'].map(
  (v) => join(FIXTURES, 'debian', `${v}.symvers.xz`),
);
const ACPI_CALL = join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko');

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `kabi ARGS` as a child process. */
function kabiAsync(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KABI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('close', (status, signal) => {
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** SQL as the cluster's superuser in one database. */
async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url.replace(/\/\/[^@]*@/, '//kabi@'), { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

/** What each fixture holds, read by the library's reader (the store must keep exactly that many). */
const expected = new Map<string, number>();
for (const f of SYMVERS) expected.set(f, (await readExportsArtifact(f)).exports.size);

/**
 * Every stored build is whole: its export set holds exactly what its artifact holds, its export record
 * agrees, and an artifact is one entry. Returns the entries by artifact path.
 */
async function assertWhole(url: string): Promise<Map<string, number>> {
  const rows = await query<{
    path: string;
    entries: number;
    count: number;
    n: number;
    record: number | null;
  }>(
    url,
    `SELECT a.path, (SELECT count(*) FROM kabi.entries x WHERE x.artifact = a.id)::int AS entries,
       s.count, cardinality(s.ids) AS n, c.count AS record
     FROM kabi.entries e JOIN kabi.artifacts a ON a.id = e.artifact JOIN kabi.id_sets s ON s.id = e.exports
     LEFT JOIN kabi.export_columns c ON c.id_set = s.id`,
  );
  const byPath = new Map<string, number>();
  for (const r of rows) {
    assert.equal(r.entries, 1, `${r.path}: one entry per artifact`);
    assert.equal(r.count, expected.get(r.path), `${r.path}: the build's export count`);
    assert.equal(r.n, r.count, `${r.path}: the id set holds its count`);
    assert.equal(r.record, r.count, `${r.path}: the export record`);
    byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
  }
  // No orphan: every artifact row belongs to an entry (a killed writer's artifact row rolled back).
  const [orphans] = await query<{ n: number }>(
    url,
    'SELECT count(*)::int AS n FROM kabi.artifacts a WHERE NOT EXISTS (SELECT 1 FROM kabi.entries e WHERE e.artifact = a.id)',
  );
  assert.equal(orphans!.n, 0, 'no artifact without its entry');
  return byPath;
}

async function migrated(cluster: PgCluster): Promise<string> {
  const url = await cluster.createDatabase();
  const r = kabi(['db', 'migrate', '--db', url]);
  assert.equal(r.status, 0, r.stderr);
  return url;
}

/** The schema version this code writes: the tests follow it as migrations are added. */
const V = POSTGRES_SCHEMA_VERSION;

describe('the PostgreSQL store from the command line', { skip: needsPostgres() }, () => {
  it('--db postgres:// is PostgreSQL, never a SQLite file; kabi db migrate is explicit, and other versions are refused', async () => {
    const cluster = await sharedCluster();
    const url = await cluster.createDatabase();
    const cwd = mkdtempSync(join(tmpdir(), 'kabi-pgcli-'));
    for (const args of [['list'], ['ingest', SYMVERS[0]!]]) {
      const r = kabi(['--db', url, ...args], { cwd });
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `no kabi store in this database \\(store schema 0, this kabi-tracker's is ${V}\\); kabi db migrate`,
        ),
      );
    }
    assert.deepEqual(readdirSync(cwd), [], 'no SQLite file appears under the URL');
    const first = kabi(['db', 'migrate', '--db', url]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`store schema 0 → ${V}\n$`));
    assert.match(kabi(['--db', url, 'db', 'migrate']).stdout, new RegExp(`store schema ${V}, up to date\n$`));
    assert.equal(kabi(['--db', url, 'ingest', SYMVERS[0]!]).status, 0);
    // A store of a newer kabi-tracker: every command but migrate refuses it, naming both versions.
    await query(url, `UPDATE kabi.schema_version SET version = ${V + 1}`);
    for (const args of [['list'], ['series', 'release=*'], ['ingest', SYMVERS[1]!]]) {
      const r = kabi(['--db', url, ...args]);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `store schema ${V + 1} is newer than this kabi-tracker's \\(${V}\\); use a newer kabi-tracker`,
        ),
      );
    }
    assert.match(kabi(['db', 'migrate', '--db', url]).stderr, new RegExp(`store schema ${V + 1} is newer`));
    await query(url, `UPDATE kabi.schema_version SET version = ${V}`);
    // A password in the URL is never printed; a server that is not there, a database that does not
    // exist and any other scheme are errors naming the store, never a SQLite file.
    const secret = url.replace('kabi@', 'kabi:s3cret@');
    assert.doesNotMatch(kabi(['db', 'migrate', '--db', secret]).stdout, /s3cret/);
    const down = kabi(['--db', 'postgres://kabi:s3cret@127.0.0.1:1/x', 'list'], { cwd });
    assert.equal(down.status, 1);
    assert.match(
      down.stderr,
      /^kabi: postgres:\/\/kabi:\*\*\*@127\.0\.0\.1:1\/x: cannot open the store: cannot reach the server \(ECONNREFUSED/,
    );
    const missing = kabi(['--db', `${url}_none`, 'list'], { cwd });
    assert.match(missing.stderr, /cannot open the store: the database does not exist \(SQLSTATE 3D000/);
    const other = kabi(['--db', 'mysql://kabi@127.0.0.1/x', 'ingest', SYMVERS[0]!], { cwd });
    assert.equal(other.status, 2);
    assert.match(other.stderr, /a mysql:\/\/ URL, not a SQLite store's path/);
    assert.deepEqual(readdirSync(cwd), [], 'no file appears in the working directory');
  });

  it('answers as SQLite does: series, diff, summary and compat on real Debian builds, byte for byte', async () => {
    const cluster = await sharedCluster();
    const url = await migrated(cluster);
    const db = join(mkdtempSync(join(tmpdir(), 'kabi-pgref-')), 'kabi.db');
    for (const store of [db, url])
      for (const f of SYMVERS) {
        const stream = f.includes('6.12') ? 'd612' : 'd61';
        const r = kabi(['--db', store, 'ingest', '-l', `stream=${stream}`, f]);
        assert.equal(r.status, 0, r.stderr);
      }
    for (const args of [
      ['series', 'stream=d61', '--format', 'json'],
      ['series', 'stream=d612', '--format', 'markdown'],
      ['diff', '1', '4', '--format', 'json'],
      ['summary', '5', '--format', 'json'],
      ['compat', '-m', ACPI_CALL, '-k', 'release=6.1.0-47', '-k', 'release=6.1.0-55', '--format', 'json'],
      ['list', 'stream=d61'],
    ]) {
      const [a, b] = [kabi(['--db', db, ...args]), kabi(['--db', url, ...args])];
      assert.equal(b.status, a.status, `${args.join(' ')}: ${b.stderr}`);
      assert.ok(a.stdout.length > 100, `${args.join(' ')} says something`);
      const strip = (s: string) => s.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
      assert.equal(strip(b.stdout), strip(a.stdout), args.join(' '));
    }
  });

  it('4 concurrent kabi ingest processes, each of every artifact in another order: one whole entry each', async (t) => {
    const cluster = await sharedCluster();
    const url = await migrated(cluster);
    const files = SYMVERS.slice(0, 4);
    const start = performance.now();
    const runs = await Promise.all(
      [0, 1, 2, 3].map((w) =>
        kabiAsync(['--db', url, 'ingest', '-l', 'team=kabi', ...files.slice(w), ...files.slice(0, w)]),
      ),
    );
    const ms = performance.now() - start;
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const out = runs.map((r) => r.stdout).join('');
    assert.equal((out.match(/^ingested /gm) ?? []).length, 4, 'each artifact ingested once');
    assert.equal((out.match(/^already stored /gm) ?? []).length, 12, 'and found stored by the 3 others');
    const byPath = await assertWhole(url);
    assert.deepEqual([...byPath.keys()].sort(), [...files].sort());
    const [n] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM kabi.entries');
    assert.equal(n!.n, 4);
    t.diagnostic(`4 writers × 4 artifacts (16 ingests, 4 stored): ${Math.round(ms)} ms`);
  });

  it('writers killed with SIGKILL inside their transaction leave no partial build; running them again completes', async (t) => {
    const cluster = await sharedCluster();
    const url = await migrated(cluster);
    const dbName = new URL(url).pathname.slice(1);
    const { default: postgres } = await import('postgres');
    const watch = postgres(url, { max: 1, onnotice: () => {} });
    let seed = 18;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let killedInTx = 0;
    let completed = 0;
    try {
      // Two writers of different artifacts at a time; each is killed a random 0-500 ms after PostgreSQL
      // shows its ingest's transaction open (pg_stat_activity), unless it has committed by then.
      for (let round = 0; round < 6; round++) {
        const pair = [SYMVERS[(2 * round) % 6]!, SYMVERS[(2 * round + 1) % 6]!];
        const children = pair.map((f) =>
          spawn(process.execPath, [KABI, '--db', url, 'ingest', f], { stdio: ['ignore', 'ignore', 'pipe'] }),
        );
        const exits = children.map(
          (c) =>
            new Promise<{ code: number | null; signal: string | null }>((r) =>
              c.on('close', (code, signal) => r({ code, signal })),
            ),
        );
        const open = async () =>
          (
            await watch`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${dbName}
              AND application_name = 'kabi-tracker' AND xact_start IS NOT NULL AND backend_xid IS NOT NULL`
          )[0]!.n as number;
        const deadline = Date.now() + 20_000;
        while ((await open()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await Promise.all(
          children.map(async (c) => {
            await new Promise((r) => setTimeout(r, random() * 500));
            c.kill('SIGKILL');
          }),
        );
        for (const e of await Promise.all(exits)) {
          if (e.signal === 'SIGKILL') killedInTx++;
          else {
            assert.equal(e.code, 0);
            completed++;
          }
        }
        await assertWhole(url);
      }
    } finally {
      await watch.end();
    }
    assert.ok(killedInTx >= 4, `at least 4 writers were killed inside their transaction (${killedInTx})`);
    const again = await Promise.all(SYMVERS.map((f) => kabiAsync(['--db', url, 'ingest', f])));
    for (const r of again) assert.equal(r.status, 0, r.stderr);
    const byPath = await assertWhole(url);
    assert.equal(byPath.size, SYMVERS.length);
    t.diagnostic(
      `12 writers: ${killedInTx} killed by SIGKILL with a transaction open, ${completed} committed first; no partial build; 6 re-runs complete`,
    );
  });

  it('a role with only SELECT reads through list, series, compat, diff and the dashboard API; it cannot write', async () => {
    const cluster = await sharedCluster();
    const url = await migrated(cluster);
    for (const f of SYMVERS.slice(0, 3))
      assert.equal(kabi(['--db', url, 'ingest', '-l', 'stream=d61', f]).status, 0);
    const dbName = new URL(url).pathname.slice(1);
    await cluster.admin(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kabi_reader') THEN CREATE ROLE kabi_reader LOGIN; END IF; END $$;
       REVOKE CREATE ON SCHEMA public FROM PUBLIC;
       GRANT CONNECT ON DATABASE ${dbName} TO kabi_reader;`,
      dbName,
    );
    await cluster.admin(
      'GRANT USAGE ON SCHEMA kabi TO kabi_reader; GRANT SELECT ON ALL TABLES IN SCHEMA kabi TO kabi_reader;',
      dbName,
    );
    const reader = url.replace('//kabi@', '//kabi_reader@');
    for (const args of [
      ['list'],
      ['show', '2'],
      ['series', 'stream=d61', '--format', 'json'],
      ['diff', '1', '3', '--format', 'json'],
      ['compat', '-m', ACPI_CALL, '-k', 'release=6.1.0-47', '--format', 'json'],
    ]) {
      const [a, b] = [kabi(['--db', url, ...args]), kabi(['--db', reader, ...args])];
      assert.equal(b.status, a.status, `${args.join(' ')} as kabi_reader: ${b.stderr}`);
      assert.equal(b.stdout, a.stdout, args.join(' '));
    }
    const denied = kabi(['--db', reader, 'ingest', SYMVERS[3]!]);
    assert.equal(denied.status, 1);
    assert.match(
      denied.stderr,
      /cannot write the store: this role lacks the privilege.*nothing of this change was stored/,
    );
    assert.equal(kabi(['--db', reader, 'label', '1', 'x=y']).status, 1);

    const child = spawn(process.execPath, [KABI, '--db', reader, 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`kabi serve exited ${code}`)));
      });
      const base = /http:\/\/\S+/.exec(line)![0];
      const get = async (path: string) => {
        const r = await fetch(new URL(path, base));
        assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
        return r.json() as Promise<Record<string, unknown>>;
      };
      const builds = (await get('/api/builds')) as unknown as { entries?: unknown[] } | unknown[];
      assert.equal((Array.isArray(builds) ? builds : (builds.entries ?? [])).length, 3);
      const series = await get('/api/series?query=stream%3Dd61');
      assert.match(JSON.stringify(series), /6\.1\.0-54/);
      const diff = await get('/api/diff?old=1&new=2');
      assert.match(JSON.stringify(diff), /ip6_dst_lookup_tunnel/);
      await get('/api/compat');
      await get('/api/generation');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
