// How each command the issue names grows with its input: the corpus 1, 2, 4 and 8 times, each command
// timed as a user runs it (process start, reading, output to a file), and the exponent of time in size
// (least squares of log time on log size; 1 is linear, the goal is ≤ 1.1). The corpus, per command:
//   diff          Debian 6.1.0-47 → -50 Module.symvers (~24.6k exports), repeated k times (the copies'
//                 symbols renamed sym__rN: a kernel exports a name once)
//   symvers, modversions, ingest
//                 a tree of k × BASE in-tree modules of the 6.1.0-47 linux-image (size: their bytes)
//   compat -k, compat --series
//                 those trees, stored as one kmod each, on the 11 stored Debian kernels
//   series        the 11 Debian builds stored k times (copies are other compressions of one text)
//   explain       6.1.0-47 → -50 from Module.symvers and each image's BTF, for k × 56 of the symbols the
//                 real kmods import (the BTF of both kernels is read whatever the number)
// A symvers of a package is bench/package.bench.ts's row (one package; repeating a .deb means building one).
// Run: npm run build && node dist/bench/scaling.bench.js   (BENCH_RUNS=3, SCALING_BASE=500 modules)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingestArtifact, openSqliteStore } from '../src/index.js';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { DEBIAN_VERSIONS } from '../test/helpers/independent.js';
import { exponent, median, recordRow } from './table.js';
import { benchTempDir } from './tmp.js';

const root = join(import.meta.dirname, '..', '..');
const KABI = join(root, 'bin', 'kabi.js');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const images = ['47', '50'].map((abi) => debianPackage(`linux-image-6.1.0-${abi}-amd64-unsigned`));
const missing = images.find((i) => 'skip' in i) as { skip: string } | undefined;
if (missing || !existsSync(shared) || !existsSync('/usr/bin/time')) {
  console.log(`skipping: ${missing?.skip ?? 'no ../shared/data or /usr/bin/time'}`);
  process.exit(0);
}
const [image47, image50] = images.map((i) => (i as { path: string }).path) as [string, string];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASE = Number(process.env.SCALING_BASE ?? 500);
const SCALE = [1, 2, 4, 8];
// SCALING_ONLY=explain,series: only the commands whose names start so (and only their corpus is made).
const ONLY = process.env.SCALING_ONLY?.split(',');
const wanted = (...names: string[]) => !ONLY || ONLY.some((o) => names.some((n) => n.startsWith(o)));
const TREES = wanted('symvers', 'modversions', 'ingest', 'compat');
const STORE = wanted('compat', 'series');
const tmp = benchTempDir('scaling');
const db = join(tmp, 'kabi.db');
const t0 = performance.now();

// Trees: k × BASE distinct modules of the 6.1.0-47 image (the first ones by path), and both images' vmlinuz.
const unpacked = (deb: string, dir: string) => {
  execFileSync('dpkg-deb', ['-x', deb, join(tmp, dir)]);
  return join(tmp, dir);
};
const img47 = unpacked(image47, 'image-47');
const img50 = unpacked(image50, 'image-50');
const vmlinuz = (dir: string) => {
  const f = readdirSync(join(dir, 'boot')).find((n) => n.startsWith('vmlinuz-'))!;
  return join(dir, 'boot', f);
};
const release = readdirSync(join(img47, 'lib', 'modules'))[0]!;
const kos = execFileSync('find', [join(img47, 'lib', 'modules', release, 'kernel'), '-name', '*.ko'], {
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .sort();
if (kos.length < 8 * BASE) throw new Error(`${kos.length} modules, fewer than 8 × ${BASE}`);
const trees = SCALE.map((k) => {
  const dir = join(tmp, `tree-${k}`);
  mkdirSync(dir);
  if (!TREES) return { dir, bytes: k };
  let bytes = 0;
  for (const ko of kos.slice(0, k * BASE)) {
    copyFileSync(ko, join(dir, basename(ko)));
    bytes += statSync(ko).size;
  }
  return { dir, bytes };
});

// Symvers k times over, renamed.
const text = (abi: string) =>
  execFileSync('xz', ['-dc', join(shared, `${abi}.symvers.xz`)], { encoding: 'utf8', maxBuffer: 1 << 28 });
const repeated = (abi: string, k: number) => {
  const lines = text(abi).trimEnd().split('\n');
  const out: string[] = [];
  for (let r = 0; r < k; r++)
    for (const l of lines) {
      const f = l.split('\t');
      if (r > 0) f[1] = `${f[1]}__r${r}`;
      out.push(f.join('\t'));
    }
  const path = join(tmp, `${abi}-x${k}.symvers`);
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
};
const diffPairs = wanted('diff')
  ? SCALE.map((k) => [repeated('6.1.0-47', k), repeated('6.1.0-50', k)] as const)
  : [];

// The store: the 11 kernels stored 8 times (copy c carries sN=y for every scale N > c; copy 0 also
// base=y), and each tree as a kmod.
const LEVELS = [0, 1, 2, 3, 4, 5, 6, 9];
const store = openSqliteStore(db);
for (const [abi, version] of STORE ? Object.entries(DEBIAN_VERSIONS) : []) {
  const stream = abi.startsWith('6.1.0-') ? 'debian-6.1' : 'debian-6.12';
  const xz = join(shared, `${abi}.symvers.xz`);
  const plain = Buffer.from(text(abi));
  for (let c = 0; c < 8; c++) {
    const path = c === 0 ? xz : join(tmp, `${abi}-${c}.symvers.gz`);
    if (c > 0) writeFileSync(path, gzipSync(plain, { level: LEVELS[c]! }));
    const scales = Object.fromEntries(SCALE.filter((n) => n > c).map((n) => [`s${n}`, 'y']));
    await ingestArtifact(store, path, {
      labels: { distro: 'debian', stream, version, ...scales, ...(c === 0 ? { base: 'y' } : {}) },
    });
  }
}
const kernelIds = (await store.list('base=y')).map((e) => String(e.id));
const kmodIds: string[] = [];
for (const [i, t] of STORE && TREES ? trees.entries() : [])
  kmodIds.push(
    String((await ingestArtifact(store, t.dir, { labels: { scale: String(SCALE[i]) } })).entry.id),
  );
const seriesSizes = await Promise.all(SCALE.map(async (n) => (await store.list(`s${n}=y`)).length));
await store.close();

// The symbols the real kmods built for 6.1.0-47 import (as explain.bench.ts takes them), 8 × 56 of them.
const kmodDir = join(shared, '..', 'kmods', '6.1.0-47');
const exported = new Set(
  text('6.1.0-47')
    .split('\n')
    .map((l) => l.split('\t')[1]),
);
const imported = [
  ...new Set(
    execFileSync(
      'bash',
      ['-c', `find '${kmodDir}' -name '*.ko' | xargs -n1 modprobe --dump-modversions | cut -f2`],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean),
  ),
]
  // explain takes the kernel's exports only (some kmods import from each other).
  .filter((sym) => exported.has(sym))
  .sort();
const PER = Math.floor(imported.length / 8);
console.log(
  `scaling bench: corpus set up in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${RUNS} runs each (median), node ${process.version}\n`,
);

interface Run {
  seconds: number;
  cpu: number;
  rssMb: number;
}

/** RUNS runs of one command under /usr/bin/time, output to a file; the median run by wall time. */
function measure(args: string[], fresh?: () => void): Run {
  const runs: Run[] = [];
  // ingest takes no -o: it prints a line per entry.
  const output = args.includes('ingest') ? [] : ['-o', join(tmp, 'out')];
  for (let i = 0; i < RUNS; i++) {
    fresh?.();
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, KABI, ...args, ...output], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    // 0, or the change and incompatibility bits (4, 8) a diff or compat reports.
    if (r.status === null || (r.status & ~12) !== 0)
      throw new Error(`kabi ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const [s, user, sys, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    runs.push({ seconds: s!, cpu: user! + sys!, rssMb: kb! / 1024 });
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

const withDb = (...args: string[]) => ['--db', db, ...args];
const fresh = join(tmp, 'fresh.db');
const bytesOf = (k: number) => trees[SCALE.indexOf(k)]!.bytes;
const COMMANDS: {
  name: string;
  unit: string;
  size: (k: number) => number;
  args: (k: number) => string[];
  before?: () => void;
}[] = [
  {
    name: 'diff (json)',
    unit: 'exports',
    size: (k) => k * 24_600,
    args: (k) => ['diff', '-f', 'json', ...diffPairs[SCALE.indexOf(k)]!],
  },
  {
    name: 'symvers TREE',
    unit: 'bytes',
    size: bytesOf,
    args: (k) => ['symvers', trees[SCALE.indexOf(k)]!.dir],
  },
  {
    name: 'modversions TREE',
    unit: 'bytes',
    size: bytesOf,
    args: (k) => ['modversions', trees[SCALE.indexOf(k)]!.dir],
  },
  {
    name: 'ingest TREE (new store)',
    unit: 'bytes',
    size: bytesOf,
    args: (k) => ['--db', fresh, 'ingest', trees[SCALE.indexOf(k)]!.dir],
    before: () => {
      for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) rmSync(f, { force: true });
    },
  },
  {
    name: 'compat -m KMOD -k 11 kernels',
    unit: 'bytes',
    size: bytesOf,
    args: (k) => withDb('compat', '-m', kmodIds[SCALE.indexOf(k)]!, '-k', ...kernelIds),
  },
  {
    name: 'compat --series -m KMOD',
    unit: 'bytes',
    size: bytesOf,
    args: (k) => withDb('compat', '--series', 'base=y', '-m', kmodIds[SCALE.indexOf(k)]!),
  },
  {
    name: 'series (builds)',
    unit: 'builds',
    size: (k) => seriesSizes[SCALE.indexOf(k)]!,
    args: (k) => withDb('series', `s${k}=y`),
  },
  {
    name: 'explain (symbols, BTF of both images)',
    unit: 'symbols',
    size: (k) => k * PER,
    args: (k) => [
      'explain',
      join(shared, '6.1.0-47.symvers.xz'),
      join(shared, '6.1.0-50.symvers.xz'),
      '--old-btf',
      vmlinuz(img47),
      '--new-btf',
      vmlinuz(img50),
      ...imported.slice(0, k * PER),
      '-f',
      'json',
    ],
  },
];

const GOAL = 1.1;
const results: { name: string; e: number; cpuE: number }[] = [];
for (const c of COMMANDS) {
  if (ONLY && !ONLY.some((o) => c.name.startsWith(o))) continue;
  let runs: Run[];
  try {
    runs = SCALE.map((k) => measure(c.args(k), c.before));
  } catch (e) {
    console.log(`  ${c.name.padEnd(40)} failed: ${String((e as Error).message).split('\n')[0]}`);
    continue;
  }
  const sizes = SCALE.map(c.size);
  const e = exponent(
    sizes,
    runs.map((r) => r.seconds),
  );
  const cpuE = exponent(
    sizes,
    runs.map((r) => r.cpu),
  );
  // The exponent of the last doubling alone: where a superlinear part shows first.
  const tail = Math.log2(runs[3]!.cpu / runs[2]!.cpu) / Math.log2(sizes[3]! / sizes[2]!);
  results.push({ name: c.name, e, cpuE });
  const cells = runs.map((r) => `${r.seconds.toFixed(2)} s`).join(' ');
  console.log(
    `  ${c.name.padEnd(40)} ${cells.padEnd(34)} exponent ${e.toFixed(2)} (CPU ${cpuE.toFixed(2)}, ×4→×8 CPU ${tail.toFixed(2)})  ${e <= GOAL ? 'met' : 'NOT MET'}  peak ${median(runs.map((r) => r.rssMb)).toFixed(0)}–${runs[3]!.rssMb.toFixed(0)} MB`,
  );
  recordRow({
    work: `scaling ×1…×8 ${c.name}: exponent in ${c.unit} (CPU ${cpuE.toFixed(2)})`,
    baseline: 'linear (exponent 1)',
    baselineMs: runs[0]!.seconds * 1000,
    kabiMs: runs[3]!.seconds * 1000,
    ratio: e,
    goal: `≤ ${GOAL}`,
    met: e <= GOAL,
    peakRssMb: runs[3]!.rssMb,
  });
}
console.log(`\n  goal (issue 17): every exponent ≤ ${GOAL}`);
