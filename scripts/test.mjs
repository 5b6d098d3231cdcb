// The whole test suite over dist/, as `npm test` runs it: every *.test.js file, and each store-using file
// a second time on PostgreSQL, in two steps.
// 1. All files but those below, several at a time (node --test runs each file in a process of its own).
//    The runner's default, cores - 1, is 1 file at a time on a 2-core machine and leaves a core idle; the
//    files spend their time in subprocesses (kabi, modprobe, dpkg-deb, qemu, chromium) and waiting on
//    them, so 3 at a time keep both cores busy.
//    The slowest files (SLOW_FIRST) start first, so that none is left running alone at the end: node:test's
//    run() keeps the order it is given (node --test sorts by path; it is used when options are passed).
// 2. The files that assert a time or memory budget of their own that concurrent files could disturb (ALONE,
//    scripts/test-run.mjs), one at a time after the others.
// The PostgreSQL pass: every file that makes its store through test/helpers/test-store.ts runs again with
// KABI_TEST_STORE=postgres (a file under dist/postgres-pass/ per such file; scripts/test-run.mjs), in the
// same two steps, on one throwaway cluster; where PostgreSQL is absent one line says the pass is skipped.
// A store-free `kabi` command that several files run on the same inputs runs once per run: the others read
// its answer from the run's memo (test/helpers/run-cache.ts), so the second pass spends its time on what
// the backend changes.
// In that pass the tests that touch no store skip (`storeFree`, test/helpers/test-store.ts), and an independent
// computation both passes make is kept once per run (memoValue). A kernel package several files need
// unpacked is unpacked once per run (test/helpers/unpacked-package.ts).
// Helpers and fixture writers under dist/test (not *.test.js) are not test files and are not run, nor is a
// compiled test whose source is gone (hasSource: tsc leaves it in dist/).
// KABI_TEST_CONCURRENCY overrides the count of step 1; extra arguments go to both `node --test` runs;
// KABI_TEST_ONLY=REGEX runs only the files whose path under dist/ matches (both passes).
// `node scripts/test-postgres.mjs` runs the PostgreSQL pass alone. Per-file wall and CPU: scripts/test-times.mjs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import {
  ALONE,
  freshRunCache,
  hasSource,
  PG_DIR,
  postgresPass,
  postgresWrappers,
  storeTestFiles,
} from './test-run.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

/**
 * The longest files (wall, 2 cores, 3 at a time), longest first; then the PostgreSQL pass's, which start after
 * their SQLite pass so that its store-free commands answer from the memo instead of running twice at once.
 * bpf-compat-real starts first: it reads the two kernel packages for the memo before kfuncs (after its
 * ingests) and bpf-qemu (after its boots) ask for the same verdicts (test/helpers/bpf-verdicts.ts).
 */
const SLOW_FIRST = [
  'test/bpf/bpf-compat-real.test.js',
  'test/real-data/debian-ports.test.js',
  'test/real-data/kernel-package.test.js',
  'test/real-data/kfuncs.test.js',
  'test/store/postgres.test.js',
  'test/studies/interfaces-by-arch.test.js',
  'test/studies/interfaces.test.js',
  'test/real-data/explain-store.test.js',
  'test/dwarf/dbg-vmlinux.test.js',
  'test/loader/qemu.test.js',
  'test/loader/bpf-qemu.test.js',
  'test/real-data/store-series.test.js',
  'test/real-data/explain-modules.test.js',
  'postgres-pass/test/real-data/kfuncs.test.js',
  'postgres-pass/test/real-data/explain-store.test.js',
  'postgres-pass/test/real-data/store-series.test.js',
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || p === join(dist, PG_DIR) ? [] : testFiles(p);
    return e.name.endsWith('.test.js') && hasSource(dist, p) ? [p] : [];
  });
}

const all = testFiles(dist)
  .map((p) => relative(dist, p))
  .sort();
if (all.length === 0) {
  console.error('no *.test.js under dist/: build first (npm run build)');
  process.exit(1);
}
const lost = ALONE.filter((f) => !all.includes(f));
if (lost.length > 0) {
  console.error(`scripts/test.mjs: no ${lost.join(', ')} under dist/ (moved? update ALONE)`);
  process.exit(1);
}

const env = { ...process.env, KABI_TEST_RUN_CACHE: freshRunCache(dist) };
const pg = await postgresPass(root);
let pgFiles = [];
if (pg.skip) console.log(`# PostgreSQL pass skipped: ${pg.skip}`);
else {
  env.KABI_TEST_PG_TEMPLATE = pg.template;
  const stores = storeTestFiles(join(dist, 'test'));
  pgFiles = postgresWrappers(dist, stores).map((p) => relative(dist, p));
  console.log(`# PostgreSQL pass: ${stores.length} test files again on a PostgreSQL store (${PG_DIR}/)`);
}
const only = process.env.KABI_TEST_ONLY ? new RegExp(process.env.KABI_TEST_ONLY) : null;
const isAlone = (f) => ALONE.includes(f.startsWith(`${PG_DIR}/`) ? f.slice(PG_DIR.length + 1) : f);
const files = [...all, ...pgFiles].filter((f) => !only || only.test(f));
const together = files.filter((f) => !isAlone(f));
const alone = files.filter(isAlone);

const concurrency = process.env.KABI_TEST_CONCURRENCY ?? '3';
const extra = process.argv.slice(2);
const hasReporter = extra.some((a) => a.startsWith('--test-reporter'));
const args = (files, n) => [
  '--test',
  `--test-concurrency=${n}`,
  ...(hasReporter ? [] : ['--test-reporter=spec']),
  ...extra,
  ...files.map((f) => join(dist, f)),
];

/** One step through node:test's run(): the files in the order given, the spec reporter, false on a failure. */
async function runInOrder(files, concurrency) {
  let ok = true;
  const stream = run({ files: files.map((f) => join(dist, f)), concurrency: Number(concurrency) });
  stream.on('test:fail', () => {
    ok = false;
  });
  const out = stream.compose(spec);
  out.pipe(process.stdout, { end: false });
  await new Promise((resolve, reject) => out.on('end', resolve).on('error', reject));
  return ok;
}

const slowFirst = (files) => [
  ...SLOW_FIRST.filter((f) => files.includes(f)),
  ...files.filter((f) => !SLOW_FIRST.includes(f)),
];

Object.assign(process.env, env);
let status = 0;
try {
  for (const [files, n] of [
    [slowFirst(together), concurrency],
    [alone, '1'],
  ]) {
    if (files.length === 0) continue;
    if (extra.length === 0) {
      if (!(await runInOrder(files, n))) status = 1;
      continue;
    }
    const r = spawnSync(process.execPath, [...process.execArgv, ...args(files, n)], { stdio: 'inherit', env });
    if (r.status !== 0) status = r.status ?? 1;
  }
} finally {
  pg.stop?.();
}
process.exit(status);
