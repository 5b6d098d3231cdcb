// A store holding some kernel packages, ingested once per npm test run and backend: several files ask for
// the same (Debian 6.1.0-47 and -50, ~5 CPU-s per ingest). The first file to ask
// runs `kabi --db STORE ingest …` into the run's directory (KABI_TEST_RUN_CACHE) and keeps its answer;
// every asker, that one included, gets a copy of the store of its own and that answer, so each file
// still asserts on a real ingest and may write to its store without touching another's. Without the
// run's directory (a file run alone) the ingest runs into the file's own store, as before.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { kabi, type Run } from './exec.js';
import { buildIdentity, identity, oncePerRun } from './run-cache.js';
import { copyTestDb, TEST_STORE, testDb } from './test-store.js';

interface Kept {
  db: string;
  run: Run;
}

/** The kept store copied into `dir`; a failed ingest's store may not exist: then a new, empty one. */
const copy = (kept: Kept, dir: string) => (kept.run.status === 0 ? copyTestDb(kept.db, dir) : testDb(dir));

/** A new store in `dir` with `inputs` ingested (`kabi ingest INPUT…`), and that ingest's answer. */
export async function ingestedStore(
  dir: string,
  inputs: readonly string[],
): Promise<{ db: string; ingest: Run }> {
  const cache = process.env.KABI_TEST_RUN_CACHE;
  if (!cache) {
    const db = testDb(dir);
    return { db, ingest: kabi(['--db', db, 'ingest', ...inputs]) };
  }
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        backend: TEST_STORE === 'postgres' ? process.env.KABI_TEST_PG_TEMPLATE : 'sqlite',
        inputs: inputs.map((p) => `${resolve(p)} ${identity(p)}`),
        build: buildIdentity(),
      }),
    )
    .digest('hex')
    .slice(0, 32);
  const { value: kept } = await oncePerRun<Kept>(
    join(cache, `store-${key}.json`),
    join(cache, `store-${key}.lock`),
    () => {
      const home = join(cache, `store-${key}`);
      mkdirSync(home, { recursive: true });
      const db = testDb(home);
      return { db, run: kabi(['--db', db, 'ingest', ...inputs]) };
    },
  );
  return { db: copy(kept, dir), ingest: kept.run };
}
