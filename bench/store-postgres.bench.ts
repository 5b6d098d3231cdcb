// The PostgreSQL store at scale, beside SQLite as the baseline: a generated series (BUILDS builds of a
// real 6.1 Module.symvers, 24,618 exports each, each build changing ~2% of the CRCs of the one before and
// every 25th ~60%: an ABI bump) ingested into both, then `kabi series` and `kabi compat --series` timed as
// a user runs them (whole command, process start included), medians of RUNS runs, and the ratio.
// Run: npm run build && node dist/bench/store-postgres.bench.js   (KABI_BENCH_BUILDS=200, BENCH_RUNS=3;
// needs PostgreSQL's server binaries: test/helpers/postgres.ts starts a throwaway cluster)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  type Export,
  type KernelBuild,
  migratePostgresStore,
  openPostgresStore,
  openSqliteStore,
  readExportsArtifact,
  type Store,
} from '../src/index.js';
import { FIXTURES } from '../test/helpers/independent.js';
import { needsPostgres, startCluster } from '../test/helpers/postgres.js';
import { median, recordRow } from './table.js';
import { benchTempDir } from './tmp.js';

const skip = needsPostgres();
if (skip) {
  console.log(`skipping: ${skip}`);
  process.exit(0);
}
const BUILDS = Number(process.env.KABI_BENCH_BUILDS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KABI = join(import.meta.dirname, '..', '..', 'bin', 'kabi.js');
const ACPI_CALL = join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko');
const tmp = benchTempDir('pg');

let seed = 18;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** The generated series: each build the one before with some CRCs changed and, now and then, a symbol added. */
function* series(base: KernelBuild): Generator<KernelBuild> {
  seed = 18; // the same series for each store
  let exports = [...base.exports.values()];
  for (let k = 0; k < BUILDS; k++) {
    const share = k > 0 && k % 25 === 0 ? 0.6 : 0.02;
    exports = exports.map(
      (e): Export => (random() < share ? { ...e, crc: Math.floor(random() * 2 ** 32) } : e),
    );
    if (k % 3 === 1) exports.push({ ...exports[0]!, symbol: `kabi_bench_added_${k}`, crc: k });
    yield { ...base, source: `generated build ${k}`, exports: new Map(exports.map((e) => [e.symbol, e])) };
  }
}

async function fill(store: Store, base: KernelBuild): Promise<number> {
  const start = performance.now();
  let k = 0;
  for (const build of series(base)) {
    const sha256 = createHash('sha256').update(`kabi bench build ${k}`).digest('hex');
    await store.ingest({
      kind: 'kernel',
      artifact: { sha256, path: `/generated/${k}.symvers`, size: 1 },
      build,
      labels: { stream: 'gen', seq: String(k).padStart(4, '0'), release: `6.1.0-${1000 + k}` },
      modules: [],
      builtin: [],
    });
    k++;
  }
  return (performance.now() - start) / BUILDS;
}

/** A command's median wall time over RUNS runs (output to a file, as a user saves a report). */
function time(db: string, args: string[]): number {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [KABI, '--db', db, ...args, '-o', join(tmp, 'out')], {
      encoding: 'utf8',
    });
    if (r.status !== 0 && r.status !== 8 && r.status !== 4)
      throw new Error(`kabi ${args.join(' ')}: ${r.stderr}`);
    ms.push(performance.now() - start);
  }
  return median(ms);
}

const base = await readExportsArtifact(join(FIXTURES, 'debian', '6.1.0-47.symvers.xz'));
const cluster = await startCluster();
try {
  const url = await cluster.createDatabase();
  await migratePostgresStore(url);
  const sqlitePath = join(tmp, 'kabi.db');
  const stores: [string, string, Store][] = [
    ['SQLite', sqlitePath, openSqliteStore(sqlitePath)],
    ['PostgreSQL', url, await openPostgresStore(url)],
  ];
  const ingestMs: number[] = [];
  for (const [name, , store] of stores) {
    ingestMs.push(await fill(store, base));
    const st = await store.stats();
    console.log(
      `${name}: ${st.entries} builds, ${st.exports} export tuples, ${st.exportSets} export sets, ${(st.bytes / 2 ** 20).toFixed(0)} MiB; ingest ${ingestMs.at(-1)!.toFixed(0)} ms a build`,
    );
    await store.close();
  }
  const work: [string, string[]][] = [
    [`kabi series of ${BUILDS} builds (JSON)`, ['series', 'stream=gen', '--format', 'json']],
    [
      `kabi compat --series of ${BUILDS} builds, 1 kmod (JSON)`,
      ['compat', '-m', ACPI_CALL, '--series', 'stream=gen', '--format', 'json'],
    ],
  ];
  console.log(`\n${'work'.padEnd(48)} ${'SQLite'.padStart(9)} ${'PostgreSQL'.padStart(11)}  ratio`);
  const row = (w: string, a: number, b: number) =>
    console.log(
      `${w.padEnd(48)} ${`${a.toFixed(0)} ms`.padStart(9)} ${`${b.toFixed(0)} ms`.padStart(11)}  ${(b / a).toFixed(2)}×`,
    );
  row('ingest (Store.ingest, per build)', ingestMs[0]!, ingestMs[1]!);
  for (const [what, args] of work) {
    const [a, b] = [time(stores[0]![1], args), time(stores[1]![1], args)];
    row(what, a, b);
    recordRow({
      work: `${what}, PostgreSQL store`,
      baseline: 'the same on SQLite',
      baselineMs: a,
      kabiMs: b,
      ratio: b / a,
    });
  }
} finally {
  cluster.stop();
}
