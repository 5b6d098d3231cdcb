// `kabi modversions DIR` over an extracted linux-image tree (Debian 6.1.0-47: 4,022 .ko) beside its
// baseline in the same run, a loop of `modprobe --dump-modversions` over the same files, and Node's own
// start. package.bench.ts times the same row once among the package reads; this one takes medians.
// Run: npm run build && node dist/bench/modversions.bench.js [DEB]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { median, recordRow } from './table.js';

const kabiBin = join(import.meta.dirname, '..', '..', 'bin', 'kabi.js');
const MODPROBE = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p)) ?? 'modprobe';
const RUNS = Number(process.env.KABI_BENCH_RUNS ?? 5);
const LOOP_RUNS = Number(process.env.KABI_BENCH_LOOP_RUNS ?? 1); // the loop takes ~12 s

/** Wall and CPU seconds, and peak RSS, of one run of a shell script. */
function measure(script: string): { wall: number; cpu: number; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'bash', '-c', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as number[];
  return { wall: wall!, cpu: user! + sys!, rssMb: rss! / 1024 };
}

function medianOf(script: string, runs: number) {
  const ms = Array.from({ length: runs }, () => measure(script));
  return {
    wall: median(ms.map((m) => m.wall)),
    cpu: median(ms.map((m) => m.cpu)),
    rssMb: Math.max(...ms.map((m) => m.rssMb)),
  };
}

let deb = process.argv[2];
if (!deb) {
  const p = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
  if (!('path' in p)) {
    console.log(`skipping: ${p.skip}`);
    process.exit(0);
  }
  deb = p.path;
}
const dir = mkdtempSync(join(tmpdir(), 'kabi-modversions-'));
try {
  execFileSync('dpkg-deb', ['-x', deb, dir]);
  const count = execFileSync('bash', ['-c', `find '${dir}' -name '*.ko*' | wc -l`], {
    encoding: 'utf8',
  }).trim();
  const kabi = `'${process.execPath}' '${kabiBin}' modversions '${dir}' > /dev/null`;
  measure(kabi); // warm the page cache for both
  const loop = medianOf(
    `find '${dir}' -name '*.ko*' -print0 | while IFS= read -r -d '' f; do ${MODPROBE} --dump-modversions "$f"; done > /dev/null`,
    LOOP_RUNS,
  );
  const tree = medianOf(kabi, RUNS);
  const node0 = medianOf(`'${process.execPath}' -e 0`, RUNS);
  const f = (m: typeof tree) =>
    `${m.wall.toFixed(2).padStart(6)} s  cpu ${m.cpu.toFixed(2).padStart(6)} s  peak RSS ${m.rssMb.toFixed(0).padStart(4)} MB`;
  console.log(
    `${deb.split('/').pop()} extracted (${count} modules), medians of ${RUNS} (loop: ${LOOP_RUNS})`,
  );
  console.log(`  baseline  modprobe --dump-modversions, each module ${f(loop)}`);
  console.log(`  floor     node -e 0                                ${f(node0)}`);
  console.log(
    `  kabi modversions DIR                             ${f(tree)}  → ${(loop.wall / tree.wall).toFixed(1)}× faster`,
  );
  recordRow({
    work: `modversions DIR (${count} .ko), median of ${RUNS}`,
    baseline: 'modprobe --dump-modversions loop',
    baselineMs: loop.wall * 1000,
    kabiMs: tree.wall * 1000,
    ratio: loop.wall / tree.wall,
    faster: true,
    goal: '≥ 20× faster',
    met: loop.wall / tree.wall >= 20,
    peakRssMb: tree.rssMb,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
