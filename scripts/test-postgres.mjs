// The PostgreSQL pass alone (npm test runs it inside scripts/test.mjs): every test file that makes its
// store through test/helpers/test-store.ts (directly, or through a helper that does), run again with
// KABI_TEST_STORE=postgres: the same assertions on a PostgreSQL store. One throwaway cluster
// (test/helpers/postgres.ts) and one migrated template database serve every file; each store is a copy of
// the template. Where PostgreSQL is not installed (or hidden from PATH), one line says the pass is skipped
// and why, and it exits 0. Files run 3 at a time (KABI_TEST_CONCURRENCY), then the budget files alone; a
// store-free `kabi` command the last scripts/test.mjs run already ran on the same inputs answers from that
// run's memo (test/helpers/run-cache.ts).
//   node scripts/test-postgres.mjs [--list] [node --test options...] [FILE.test.js...: only these]
import { spawnSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { ALONE, lastRunCache, postgresPass, storeTestFiles } from './test-run.mjs';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');

const argv = process.argv.slice(2);
const chosen = argv.filter((a) => a.endsWith('.js'));
const args = argv.filter((a) => !a.endsWith('.js'));
const files = chosen.length > 0 ? chosen.map((f) => resolve(f)) : storeTestFiles(join(dist, 'test'));
if (args.includes('--list')) {
  for (const f of files) console.log(relative(root, f));
  process.exit(0);
}

const started = Date.now();
const pg = await postgresPass(root);
if (pg.skip) {
  console.log(`# PostgreSQL pass skipped: ${pg.skip}`);
  process.exit(0);
}
let status = 0;
try {
  console.log(`# PostgreSQL pass: ${files.length} test files again on a PostgreSQL store`);
  const env = {
    ...process.env,
    KABI_TEST_STORE: 'postgres',
    KABI_TEST_PG_TEMPLATE: pg.template,
    KABI_TEST_RUN_CACHE: lastRunCache(dist),
  };
  const alone = files.filter((f) => ALONE.includes(relative(dist, f)));
  const together = files.filter((f) => !alone.includes(f));
  for (const [group, n] of [
    [together, process.env.KABI_TEST_CONCURRENCY ?? '3'],
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
  pg.stop();
}
console.log(`# PostgreSQL pass: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${status}`);
process.exit(status);
