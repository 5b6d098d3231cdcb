// `kabi series` of the 11 stored Debian builds (steps, drift, epochs), whole command as a user runs it,
// output to a file; and how it scales with the number of builds (the same 11 stored 1, 2, 4 and 8 times,
// each copy another artifact: another compression of the same Module.symvers).
// Run: npm run build && node dist/bench/series-command.bench.js   (needs ../shared/data and /usr/bin/time)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingestArtifact, openSqliteStore } from '../src/index.js';
import { DEBIAN_VERSIONS } from '../test/helpers/independent.js';
import { exponent, recordRow } from './table.js';
import { benchTempDir } from './tmp.js';

const root = join(import.meta.dirname, '..', '..');
const KABI = join(root, 'bin', 'kabi.js');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
if (!existsSync(shared) || !existsSync('/usr/bin/time')) {
  console.log('skipping: no ../shared/data or /usr/bin/time');
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const tmp = benchTempDir('series-command');
const db = join(tmp, 'kabi.db');

// Copy 0 is the .xz as shipped; copy k > 0 the same text gzipped at another level, so another sha256 and
// another entry sharing the id sets. A copy k build carries the label sN=y for every scale N > k.
const SCALE = [1, 2, 4, 8];
const LEVELS = [0, 1, 2, 3, 4, 5, 6, 9];
const store = openSqliteStore(db);
for (const [abi, version] of Object.entries(DEBIAN_VERSIONS)) {
  const stream = abi.startsWith('6.1.0-') ? 'debian-6.1' : 'debian-6.12';
  const xz = join(shared, `${abi}.symvers.xz`);
  const text = spawnSync('xz', ['-dc', xz], { maxBuffer: 1 << 28 }).stdout;
  for (let k = 0; k < 8; k++) {
    const path = k === 0 ? xz : join(tmp, `${abi}-${k}.symvers.gz`);
    if (k > 0) writeFileSync(path, gzipSync(text, { level: LEVELS[k]! }));
    const scales = Object.fromEntries(SCALE.filter((n) => n > k).map((n) => [`s${n}`, 'y']));
    await ingestArtifact(store, path, { labels: { distro: 'debian', stream, version, ...scales } });
  }
}
const counts = await Promise.all(SCALE.map(async (n) => (await store.list(`s${n}=y`)).length));
await store.close();

interface Run {
  seconds: number;
  /** User + system CPU seconds: steadier than wall time on a shared machine. */
  cpu: number;
  rssMb: number;
}

/** RUNS runs under /usr/bin/time, output to a file; the median run (by time). */
function measure(args: string[]): Run {
  const runs: Run[] = [];
  const out = join(tmp, 'series.out');
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', process.execPath, KABI, '--db', db, ...args, '-o', out],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`kabi ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [s, user, sys, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    runs.push({ seconds: s!, cpu: user! + sys!, rssMb: kb! / 1024 });
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

const row = (name: string, r: Run) =>
  `  ${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s ${r.cpu.toFixed(2).padStart(6)} s CPU ${r.rssMb.toFixed(0).padStart(5)} MB RSS`;
console.log(
  `kabi series, whole command, output to a file; median of ${RUNS} runs, node ${process.version}\n`,
);
const GOAL_S = 0.5;
for (const [name, args] of [
  [`series s1=y (${counts[0]} builds, 2 streams), text`, ['series', 's1=y']],
  [`series s1=y (${counts[0]} builds, 2 streams), json`, ['series', 's1=y', '-f', 'json']],
  ['series stream=debian-6.1,s1=y (6 builds), text', ['series', 'stream=debian-6.1,s1=y']],
] as const) {
  const r = measure([...args]);
  console.log(row(name, r));
  recordRow({
    work: `kabi ${name}, whole command`,
    baseline: 'goal',
    baselineMs: GOAL_S * 1000,
    kabiMs: r.seconds * 1000,
    ratio: r.seconds / GOAL_S,
    peakRssMb: r.rssMb,
    goal: '≤ 0.5 s (absolute)',
    met: r.seconds <= GOAL_S,
  });
}

const runs = SCALE.map((n) => measure(['series', `s${n}=y`]));
const cells = SCALE.map((_, i) => `${counts[i]} builds ${runs[i]!.seconds.toFixed(2)} s`).join('  ');
const wall = exponent(
  counts,
  runs.map((r) => r.seconds),
);
const cpu = exponent(
  counts,
  runs.map((r) => r.cpu),
);
console.log(
  `\nscaling: builds ×1, ×2, ×4, ×8\n  ${cells}   exponent ${wall.toFixed(2)} (CPU ${cpu.toFixed(2)})`,
);
recordRow({
  work: `series scaling ×1…×8 builds: exponent (CPU ${cpu.toFixed(2)})`,
  baseline: 'linear (exponent 1)',
  baselineMs: runs[0]!.seconds * 1000,
  kabiMs: runs.at(-1)!.seconds * 1000,
  ratio: wall,
  goal: '≤ 1.1',
  met: wall <= 1.1,
});
