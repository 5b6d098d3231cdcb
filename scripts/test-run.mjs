// What scripts/test.mjs and scripts/test-postgres.mjs share: the files that run alone, and the run's memo.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Files that measure their own elapsed time or peak RSS (a budget asserted), run alone. */
export const ALONE = [
  'src/errors.test.js',
  'src/model/glob.test.js',
  'src/readers/module/modinfo.test.js',
  'src/store/query.test.js',
  'test/btf/c-header.test.js',
  'test/btf/hostile.test.js',
  'test/hostile/decompress-bomb.test.js',
  'test/hostile/fuzz-crashers.test.js',
  'test/real-data/compat-memory.test.js',
  'test/real-data/package-dates.test.js',
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
