// npm test's second pass: every test file that makes its store through test/helpers/test-store.ts
// (directly, or through a helper that does), run again with KABI_TEST_STORE=postgres: the same
// assertions on a PostgreSQL store. One throwaway cluster (test/helpers/postgres.ts) and one migrated
// template database serve every file; each store is a copy of the template. Where PostgreSQL is not
// installed (or hidden from PATH), one line says the pass is skipped and why, and it exits 0.
// As in scripts/test.mjs, files run 3 at a time (KABI_TEST_CONCURRENCY), then the budget files alone; a
// store-free `kabi` command the SQLite pass already ran on the same inputs answers from that run's memo
// (test/helpers/run-cache.ts), so this pass spends its time on what the backend changes.
//   node scripts/test-postgres.mjs [--list] [node --test options...] [FILE.test.js...: only these]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ALONE, lastRunCache } from './test-run.mjs';

const root = resolve(import.meta.dirname, '..');
const testDir = join(root, 'dist', 'test');

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** The test files that import test-store.js, or a helper that does (to any depth). */
function storeTestFiles() {
  const files = walk(testDir);
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
  return [...uses].filter((f) => f.endsWith('.test.js') && !f.startsWith(own)).sort();
}

const argv = process.argv.slice(2);
const chosen = argv.filter((a) => a.endsWith('.js'));
const args = argv.filter((a) => !a.endsWith('.js'));
const files = chosen.length > 0 ? chosen.map((f) => resolve(f)) : storeTestFiles();
if (args.includes('--list')) {
  for (const f of files) console.log(relative(root, f));
  process.exit(0);
}

const { needsPostgres, startCluster } = await import(join(testDir, 'helpers', 'postgres.js'));
const skip = needsPostgres();
if (skip) {
  console.log(`# PostgreSQL pass skipped: ${skip}`);
  process.exit(0);
}
const { migratePostgresStore } = await import(join(root, 'dist', 'src', 'index.js'));
const started = Date.now();
const cluster = await startCluster();
let status = 1;
try {
  await cluster.admin('CREATE DATABASE kabi_template');
  await migratePostgresStore(cluster.url('kabi_template'));
  console.log(`# PostgreSQL pass: ${files.length} test files again on a PostgreSQL store`);
  const env = {
    ...process.env,
    KABI_TEST_STORE: 'postgres',
    KABI_TEST_PG_TEMPLATE: cluster.url('kabi_template'),
    KABI_TEST_RUN_CACHE: lastRunCache(join(root, 'dist')),
  };
  const alone = files.filter((f) => ALONE.includes(relative(join(root, 'dist'), f)));
  const together = files.filter((f) => !alone.includes(f));
  const concurrency = process.env.KABI_TEST_CONCURRENCY ?? '3';
  status = 0;
  for (const [group, n] of [
    [together, concurrency],
    [alone, '1'],
  ]) {
    if (group.length === 0) continue;
    const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${n}`, ...args, ...group], {
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) status = r.status ?? 1;
  }
} finally {
  cluster.stop();
}
console.log(`# PostgreSQL pass: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${status}`);
process.exit(status);
