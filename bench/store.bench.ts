// The store: ingest of the 11 Debian Module.symvers (two streams), a full series report from the store,
// and the growth of the database per build when the same data is ingested again under other labels.
// Run: npm run build && node dist/bench/store.bench.js   (needs ../shared/data; else the 3 fixtures)
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestArtifact, openSqliteStore, seriesReport } from '../src/index.js';

const root = join(import.meta.dirname, '..', '..');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const dir = existsSync(shared) ? shared : join(root, 'test', 'fixtures', 'debian');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.symvers.xz'))
  .map((f) => join(dir, f));
const db = join(mkdtempSync(join(tmpdir(), 'kabi-bench-store-')), 'kabi.db');
const size = () => ['', '-wal'].reduce((n, s) => n + (existsSync(db + s) ? statSync(db + s).size : 0), 0);
const symversBytes = 1_712_346; // one uncompressed Debian 6.1 Module.symvers

const store = openSqliteStore(db);
let t = performance.now();
for (const f of files) {
  const stream = f.includes('/6.1.0-') ? 'debian-6.1' : 'debian-6.12';
  await ingestArtifact(store, f, { labels: { distro: 'debian', stream } });
}
const ingestMs = performance.now() - t;
await store.stats(); // checkpoints the WAL so the file size is the data
const afterFirst = size();
console.log(
  `store benchmark (${files.length} Module.symvers from ${dir === shared ? '../shared/data' : 'fixtures'}), node ${process.version}\n`,
);
console.log(
  `  ingest ${files.length} builds               ${ingestMs.toFixed(0).padStart(6)} ms  (${(ingestMs / files.length).toFixed(0)} ms a build)`,
);
console.log(
  `  database after ingest              ${(afterFirst / 1024).toFixed(0).padStart(6)} KiB (${(afterFirst / files.length / 1024).toFixed(0)} KiB a build; a Module.symvers is ${(symversBytes / 1024).toFixed(0)} KiB)`,
);

for (const stream of ['debian-6.1', 'debian-6.12', '*']) {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    const builds = await store.loadBuilds((await store.list(`stream=${stream}`)).map((e) => e.id));
    if (i === 0) process.stdout.write(`  series of ${builds.length} builds, `);
    seriesReport(builds);
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `  series report ${stream.padEnd(12)} (load + steps + drift + epochs)  median ${runs[2]!.toFixed(0)} ms, min ${runs[0]!.toFixed(0)} ms`,
  );
}

t = performance.now();
for (let copy = 1; copy <= 10; copy++) {
  for (const f of files) await ingestArtifact(store, f, { labels: { distro: 'debian', copy: String(copy) } });
}
const againMs = performance.now() - t;
await store.stats();
const grown = size() - afterFirst;
const builds = 10 * files.length;
console.log(
  `  the same data 10× more, other labels: ${builds} builds in ${againMs.toFixed(0)} ms; growth ${(grown / 1024).toFixed(0)} KiB = ${(grown / builds).toFixed(0)} bytes a build`,
);
await store.close();
