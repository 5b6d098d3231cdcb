// The whole test suite over dist/, as `npm test` runs it: every *.test.js file, in two steps.
// 1. All files but those below, several at a time (node --test runs each file in a process of its own).
//    The runner's default, cores - 1, is 1 file at a time on a 2-core machine and leaves a core idle; the
//    files spend their time in subprocesses (kabi, modprobe, dpkg-deb, qemu, chromium) and waiting on
//    them, so 3 at a time keep both cores busy.
//    (Node 20 sorts the files by path; the slow ones, real-data and studies, do not end up last alone.)
// 2. The files that assert a time or memory budget of their own, one at a time after the others, so that
//    no concurrent file disturbs what they measure.
// Helpers and fixture writers under dist/test (not *.test.js) are not test files and are not run.
// A store-free `kabi` command that several files run on the same inputs runs once per run: the others read
// its answer from the run's memo (test/helpers/run-cache.ts; scripts/test-run.mjs makes it fresh).
// KABI_TEST_CONCURRENCY overrides the count of step 1; extra arguments go to both `node --test` runs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALONE, freshRunCache } from './test-run.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
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
const together = all.filter((f) => !ALONE.includes(f));
const alone = all.filter((f) => ALONE.includes(f));

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

const env = { ...process.env, KABI_TEST_RUN_CACHE: freshRunCache(dist) };
let status = 0;
for (const [files, n] of [
  [together, concurrency],
  [alone, '1'],
]) {
  if (files.length === 0) continue;
  const r = spawnSync(process.execPath, args(files, n), { stdio: 'inherit', env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
