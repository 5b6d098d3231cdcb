// `kabi compat` as a user runs it, output to a file: every in-tree module of Debian's 6.1.0-47 linux-image
// (4,022 .ko, stored as one kmod) on the 11 stored Debian kernels of ../shared/data, as text, as JSON and
// as a series (--series: matrix, first failures, rebuilds). Each row is printed beside its baseline in the
// same run, an awk join of the same data (every module's (symbol, CRC) imports against each kernel's
// Module.symvers, one cell per module and kernel), and the ratio. Then the scaling run: the series and the
// text matrix for 1, 2, 4 and 8 × 500 modules, and the exponent of time in modules (1: linear).
// Run: npm run build && node dist/bench/compat-command.bench.js   (BENCH_RUNS=3 by default)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatCrc, openSqliteStore } from '../src/index.js';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { exponent, recordRow } from './table.js';
import { benchTempDir } from './tmp.js';

const root = join(import.meta.dirname, '..', '..');
const KABI = join(root, 'bin', 'kabi.js');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const image = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
if (!('path' in image) || !existsSync(shared) || !existsSync('/usr/bin/time')) {
  console.log(`skipping: ${'skip' in image ? image.skip : 'no ../shared/data or /usr/bin/time'}`);
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const tmp = benchTempDir('compat-command');
const db = join(tmp, 'kabi.db');
const kabi = (...args: string[]) =>
  execFileSync(process.execPath, [KABI, '--db', db, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

// The store: 11 kernels (ids 1-11), the linux-image's module tree (id 12), and subsets of it for scaling.
const files = readdirSync(shared)
  .filter((f) => f.endsWith('.symvers.xz'))
  .sort();
for (const f of files) kabi('ingest', '-l', 'distro=debian', join(shared, f));
const kernelIds = files.map((_, i) => String(i + 1));
const unpacked = join(tmp, 'image');
execFileSync('dpkg-deb', ['-x', image.path, unpacked]);
const release = readdirSync(join(unpacked, 'lib', 'modules'))[0]!;
const tree = join(unpacked, 'lib', 'modules', release, 'kernel');
kabi('ingest', tree);
const kos = execFileSync('find', [tree, '-name', '*.ko'], { encoding: 'utf8' }).trim().split('\n').sort();
const SCALE = [1, 2, 4, 8];
const BASE = 500;
const scaleIds = SCALE.map((x, i) => {
  const dir = join(tmp, `modules-${x * BASE}`);
  mkdirSync(dir);
  for (const ko of kos.slice(0, x * BASE)) copyFileSync(ko, join(dir, basename(ko)));
  kabi('ingest', dir);
  return String(13 + i);
});

// The baseline's data: each module's imports as (module, symbol, crc) lines, each kernel's Module.symvers.
const store = openSqliteStore(db, { readonly: true });
const modules = await store.loadModules(12);
await store.close();
const pairs = join(tmp, 'pairs');
writeFileSync(
  pairs,
  modules.flatMap((m) => m.imports.map((i) => `${m.source}\t${i.symbol}\t${formatCrc(i.crc)}\n`)).join(''),
);
const symvers = files.map((f) => {
  const out = join(tmp, f.replace(/\.xz$/, ''));
  writeFileSync(out, execFileSync('xz', ['-dc', join(shared, f)], { maxBuffer: 1 << 28 }));
  return out;
});
// One cell per module and kernel: `loads`, or `FAIL n` with n the imports missing or of another CRC.
const AWK = String.raw`awk -F'\t' -v P="$P" '
FILENAME != P { if (!(FILENAME in seen)) { seen[FILENAME] = 1; ks[++nk] = FILENAME } crc[FILENAME SUBSEP $2] = $1; next }
{ if (!($1 in ms)) { ms[$1] = 1; order[++nm] = $1 }
  for (i = 1; i <= nk; i++) { c = crc[ks[i] SUBSEP $2]; if (c == "" || c != $3) bad[$1 SUBSEP i]++ } }
END { for (j = 1; j <= nm; j++) { line = order[j]
  for (i = 1; i <= nk; i++) line = line "\t" (((order[j] SUBSEP i) in bad) ? "FAIL " bad[order[j] SUBSEP i] : "loads")
  print line } }'`;

interface Run {
  seconds: number;
  /** User + system CPU seconds: steadier than wall time on a shared machine. */
  cpu: number;
  rssMb: number;
}

/** RUNS runs under /usr/bin/time, output to a file; the median run (by time) and its peak RSS. */
function measure(command: string): Run {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'bash', '-c', command], { encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 8) throw new Error(`${command} exited ${r.status}: ${r.stderr}`);
    const [s, user, sys, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    runs.push({ seconds: s!, cpu: user! + sys!, rssMb: kb! / 1024 });
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const kabiCommand = (args: string[], out: string) =>
  `${q(process.execPath)} ${q(KABI)} --db ${q(db)} ${args.map(q).join(' ')} > ${q(join(tmp, out))}`;
const awkCommand = (pairsFile: string) =>
  `P=${q(pairsFile)}; ${AWK} ${symvers.map(q).join(' ')} ${q(pairsFile)} > ${q(join(tmp, 'awk.out'))}`;

const baseline = measure(awkCommand(pairs));
const rows: [string, Run][] = [
  [
    'compat -m KMOD -k 11 kernels (text)',
    measure(kabiCommand(['compat', '-m', '12', '-k', ...kernelIds], 'c.txt')),
  ],
  [
    'compat -m KMOD -k 11 kernels -f json',
    measure(kabiCommand(['compat', '-m', '12', '-k', ...kernelIds, '-f', 'json'], 'c.json')),
  ],
  [
    'compat --series distro=debian -m KMOD',
    measure(kabiCommand(['compat', '--series', 'distro=debian', '-m', '12'], 's.txt')),
  ],
];
const row = (name: string, r: Run, ratio = '') =>
  `  ${name.padEnd(40)} ${r.seconds.toFixed(2).padStart(7)} s ${r.cpu.toFixed(2).padStart(7)} s CPU ${r.rssMb.toFixed(0).padStart(6)} MB RSS${ratio}`;
console.log(
  `kabi compat, ${modules.length} in-tree modules of ${release} × ${files.length} stored kernels, output to a file; median of ${RUNS} runs, node ${process.version}\n`,
);
console.log(row('baseline: awk join of the same data', baseline));
const GOALS = ['≤ 1 s', '≤ 2 s, ≤ 300 MB', '≤ 2 s'];
for (const [i, [name, r]] of rows.entries())
  recordRow({
    work: `${name} (${modules.length} modules)`,
    baseline: 'awk join of the same data',
    baselineMs: baseline.seconds * 1000,
    kabiMs: r.seconds * 1000,
    ratio: r.seconds / baseline.seconds,
    peakRssMb: r.rssMb,
    goal: `${GOALS[i]} (absolute)`,
    met: i === 0 ? r.seconds <= 1 : i === 1 ? r.seconds <= 2 && r.rssMb <= 300 : r.seconds <= 2,
  });
for (const [name, r] of rows)
  console.log(
    row(
      name,
      r,
      `   ${(r.seconds / baseline.seconds).toFixed(1).padStart(5)}× baseline (CPU ${(r.cpu / baseline.cpu).toFixed(1)}×)`,
    ),
  );

console.log('\nscaling: modules ×1, ×2, ×4, ×8 (500 to 4,000 modules) on the 11 kernels');
for (const [name, args] of [
  ['compat --series', (id: string) => ['compat', '--series', 'distro=debian', '-m', id]],
  ['compat -k (text)', (id: string) => ['compat', '-m', id, '-k', ...kernelIds]],
] as const) {
  const runs = scaleIds.map((id) => measure(kabiCommand(args(id), 'scale.out')));
  const cells = SCALE.map((x, i) => `×${x} ${runs[i]!.seconds.toFixed(2)} s`).join('  ');
  const wall = exponent(
    SCALE,
    runs.map((r) => r.seconds),
  ).toFixed(2);
  const cpu = exponent(
    SCALE,
    runs.map((r) => r.cpu),
  ).toFixed(2);
  console.log(`  ${name.padEnd(18)} ${cells}   exponent ${wall} (CPU ${cpu})`);
  recordRow({
    work: `${name} scaling ×1…×8 modules: exponent (CPU ${cpu})`,
    baseline: 'linear (exponent 1)',
    baselineMs: runs[0]!.seconds * 1000,
    kabiMs: runs[runs.length - 1]!.seconds * 1000,
    ratio: Number(wall),
    goal: '≤ 1.1',
    met: Number(wall) <= 1.1,
  });
}
