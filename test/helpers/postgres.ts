// A throwaway PostgreSQL cluster for tests: initdb and pg_ctl in a temporary directory, on a spare
// loopback port (the socket in the same directory), fsync off; a new database per store; stopped and
// removed when the test process exits. The server's binaries are found on PATH, else, where Debian's
// `psql` wrapper is on PATH (package postgresql), in /usr/lib/postgresql/<newest>/bin: hiding psql,
// pg_ctl, initdb and postgres from PATH (.ci/run's second pass) makes every PostgreSQL test skip.
// initdb refuses to run as root: as root, the cluster runs as `nobody` (runuser), in a directory it owns.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratePostgresStore, openPostgresStore, openSqliteStore, type Store } from '../../src/index.js';
import { which } from './tools.js';

const TOOLS = ['initdb', 'pg_ctl', 'postgres'] as const;

/** A server binary: on PATH, else in Debian's versioned directory when Debian's psql is on PATH. */
export function pgBin(tool: (typeof TOOLS)[number] | 'psql'): string | undefined {
  const onPath = which(tool);
  if (onPath) return onPath;
  if (!which('psql')) return undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const path = join(root, v, 'bin', tool);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** A skip reason when the server's binaries are absent, or false: `describe('…', { skip: needsPostgres() })`. */
export function needsPostgres(): string | false {
  return TOOLS.every((t) => pgBin(t) !== undefined)
    ? false
    : 'needs PostgreSQL (initdb, pg_ctl) (not on PATH)';
}

export interface PgCluster {
  /** The superuser's URL of a database (default `postgres`). */
  url(db?: string): string;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Runs SQL as the superuser in `db`, with psql-like simplicity (one string, several statements). */
  admin(sqlText: string, db?: string): Promise<void>;
  stop(): void;
}

async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** As root, the command runs as `nobody` (initdb and postgres refuse root). */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return [which('runuser')!, ['-u', 'nobody', '--', cmd, ...args]];
}

let serial = 0;

export async function startCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-pg-'));
  if (process.getuid?.() === 0) {
    chownSync(dir, 65534, 65534);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asServerUser(cmd, args);
    execFileSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  run(pgBin('initdb')!, ['-D', data, '-U', 'kabi', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-N']);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await sparePort();
    try {
      run(pgBin('pg_ctl')!, [
        '-D',
        data,
        '-l',
        join(dir, 'log'),
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
        'start',
      ]);
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const [c, a] = asServerUser(pgBin('pg_ctl')!, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(c, a, { stdio: 'ignore', cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return clusterAt((db = 'postgres') => `postgres://kabi@127.0.0.1:${port}/${db}`, stop);
}

/** The PgCluster of a running server, by the URL of each of its databases. */
function clusterAt(url: (db?: string) => string, stop: () => void): PgCluster {
  const admin = async (sqlText: string, db = 'postgres') => {
    const { default: postgres } = await import('postgres');
    const sql = postgres(url(db), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(sqlText).simple();
    } finally {
      await sql.end();
    }
  };
  return {
    url,
    admin,
    async createDatabase() {
      // `c`: test-store.ts's testDb names its databases kabi_PID_N on the same server.
      const name = `kabi_${process.pid}_c${++serial}`;
      await admin(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
  };
}

let shared: Promise<PgCluster> | undefined;

/**
 * One cluster for the whole test file (process), started on first use and stopped at exit; under npm test,
 * the run's own cluster (scripts/test-run.mjs, named by KABI_TEST_PG_TEMPLATE), which the runner stops: an
 * initdb and a server start per file cost more than many of these files' tests.
 */
export function sharedCluster(): Promise<PgCluster> {
  const run = process.env.KABI_TEST_PG_TEMPLATE;
  shared ??= run
    ? Promise.resolve(
        clusterAt(
          (db = 'postgres') => {
            const u = new URL(run);
            u.pathname = `/${db}`;
            return u.toString();
          },
          () => {},
        ),
      )
    : startCluster();
  return shared;
}

/** A new PostgreSQL store (a new database, migrated), writable. */
export async function newPostgresStore(): Promise<{ store: Store; url: string }> {
  const cluster = await sharedCluster();
  const template = process.env.KABI_TEST_PG_TEMPLATE;
  let url: string;
  if (template) {
    // The run's migrated template, copied (as test-store.ts's testDb does): the same schema, no migration.
    const name = `kabi_${process.pid}_c${++serial}`;
    await cluster.admin(`CREATE DATABASE ${name} TEMPLATE ${new URL(template).pathname.slice(1)}`);
    url = cluster.url(name);
  } else {
    url = await cluster.createDatabase();
    await migratePostgresStore(url);
  }
  return { store: await openPostgresStore(url), url };
}

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A skip reason when the backend cannot run here. */
  skip: string | false;
  /** A new, empty store, writable. */
  open(): Promise<Store>;
}

/** The store backends the Store test suites run on: the same assertions on each. */
export function storeBackends(): Backend[] {
  return [
    {
      name: 'SQLite',
      skip: false,
      open: async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'kabi-store-')), 'kabi.db')),
    },
    { name: 'PostgreSQL', skip: needsPostgres(), open: async () => (await newPostgresStore()).store },
  ];
}
