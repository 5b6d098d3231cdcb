// What scripts/test.mjs and scripts/test-postgres.mjs share: the files that run alone, the run's memo, the
// store-using files and the PostgreSQL cluster their second pass runs on.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Files that assert a budget of their own elapsed time, or a peak RSS that a loaded machine moves (compat's:
 * V8 collects later), run alone. A budget that concurrent files cannot move stays in the main pass: the
 * decompression bombs' peak RSS (the same within 1 MiB with two copies of the file beside it), a command's
 * CPU seconds (package-dates), hostile BTF's C headers timed in test/btf/hostile.test.js, not with c-header's
 * package reads.
 */
export const ALONE = [
  'src/errors.test.js',
  'src/model/glob.test.js',
  'src/readers/module/modinfo.test.js',
  'src/store/query.test.js',
  'test/btf/hostile.test.js',
  'test/hostile/fuzz-crashers.test.js',
  'test/real-data/compat-memory.test.js',
  'test/serve/hostile-query.test.js',
  'test/serve/slow-clients.test.js',
];

const PREFIX = join(tmpdir(), 'kabi-test-run-');

/**
 * A fresh directory for this run's memo of store-free `kabi` answers (test/helpers/run-cache.ts), named in
 * dist/.test-run-cache for the PostgreSQL pass that follows; the previous run's is removed.
 * KABI_TEST_RUN_CACHE=0 turns the memo off (every command runs in every file).
 */
export function freshRunCache(dist) {
  if (process.env.KABI_TEST_RUN_CACHE === '0') return '';
  const pointer = join(dist, '.test-run-cache');
  const old = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : '';
  if (old.startsWith(PREFIX)) rmSync(old, { recursive: true, force: true });
  const dir = mkdtempSync(PREFIX);
  writeFileSync(pointer, dir);
  return dir;
}

/** The memo the last scripts/test.mjs run left, or '' (then every command runs). */
export function lastRunCache(dist) {
  if (process.env.KABI_TEST_RUN_CACHE === '0') return '';
  const pointer = join(dist, '.test-run-cache');
  const dir = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : '';
  return dir.startsWith(PREFIX) && existsSync(dir) ? dir : '';
}

function walkJs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walkJs(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** The test files that import test-store.js, or a helper that does (to any depth). */
export function storeTestFiles(testDir) {
  const files = walkJs(testDir);
  const imports = new Map(
    files.map((f) => {
      const text = readFileSync(f, 'utf8');
      const specs = [...text.matchAll(/from '(\.[^']+\.js)'/g)].map((m) => resolve(dirname(f), m[1]));
      return [f, specs];
    }),
  );
  const uses = new Set([join(testDir, 'helpers', 'test-store.js')]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [f, specs] of imports)
      if (!uses.has(f) && specs.some((s) => uses.has(s))) {
        uses.add(f);
        grew = true;
      }
  }
  // test/watch serves a store of its own path (and runs its watchers on both backends itself).
  const own = join(testDir, 'watch');
  return [...uses]
    .filter((f) => f.endsWith('.test.js') && !f.startsWith(own) && hasSource(dirname(testDir), f))
    .sort();
}

/**
 * Whether a compiled file under dist/ still has its TypeScript source: tsc does not remove the output of a
 * source deleted since (an abandoned test kept failing from dist/), and such a file is no test of ours.
 */
export function hasSource(dist, file) {
  return existsSync(join(dist, '..', relative(dist, file).replace(/\.js$/, '.ts')));
}


/**
 * The PostgreSQL pass's cluster: one throwaway cluster (test/helpers/postgres.ts) and one migrated template
 * database for every file (each store is a copy of it); or the reason it cannot run here.
 */
export async function postgresPass(root) {
  const { needsPostgres, startCluster } = await import(join(root, 'dist', 'test', 'helpers', 'postgres.js'));
  const skip = needsPostgres();
  if (skip) return { skip };
  const { migratePostgresStore } = await import(join(root, 'dist', 'src', 'index.js'));
  const cluster = await startCluster();
  try {
    await cluster.admin('CREATE DATABASE kabi_template');
    await migratePostgresStore(cluster.url('kabi_template'));
  } catch (e) {
    cluster.stop();
    throw e;
  }
  return { template: cluster.url('kabi_template'), stop: () => cluster.stop() };
}

/**
 * For each store-using test file, a file under dist/postgres-pass/ that runs it with its stores on
 * PostgreSQL (KABI_TEST_STORE, set before the file's imports read it): so one `node --test` pool runs both
 * passes, and the second fills the cores the first leaves idle while it waits on subprocesses.
 */
export function postgresWrappers(dist, files) {
  const out = join(dist, PG_DIR);
  rmSync(out, { recursive: true, force: true });
  return files.map((f) => {
    const wrapper = join(out, relative(dist, f));
    mkdirSync(dirname(wrapper), { recursive: true });
    writeFileSync(
      wrapper,
      `// ${relative(dist, f)} on a PostgreSQL store (scripts/test.mjs writes this file).\nprocess.env.KABI_TEST_STORE = 'postgres';\nawait import(${JSON.stringify(f)});\n`,
    );
    return wrapper;
  });
}

/** Where postgresWrappers writes; not a folder of test files of its own. */
export const PG_DIR = 'postgres-pass';
