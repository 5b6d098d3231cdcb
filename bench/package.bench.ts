// Reading a whole linux-image package (Debian 6.1.0-47: ~70 MB, 4,022 modules; 6.12.117: 4,230 .ko.xz; the
// newest bookworm 6.1 of arm64, ppc64el and s390x, fetched with apt configured for the port, skipped offline),
// beside, in the same run: (a) the unpack floor `dpkg-deb --fsys-tarfile X.deb | tar -x`, (b) a loop of
// `modprobe --dump-modversions` over the extracted modules, and (c) the true floor, `xz -dc` of its
// data.tar.xz alone (taken out of the .deb beforehand, untimed). `kabi symvers` and `kabi ingest` (into a
// new store) are measured against (a), and their ratio to (c) is printed beside.
// Wall time, CPU time and peak RSS via /usr/bin/time; the median of RUNS runs each (default 5), interleaved.
// Run: npm run build && node dist/bench/package.bench.js [DEB...]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPackage, newestDebianPackage } from '../test/helpers/debian-packages.js';
import { median, recordRow } from './table.js';

const kabiBin = join(import.meta.dirname, '..', '..', 'bin', 'kabi.js');
const MODPROBE = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p)) ?? 'modprobe';

function measure(script: string): { wall: number; cpu: number; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'bash', '-c', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop()!.split(' ');
  return { wall: Number(wall), cpu: Number(user) + Number(sys), rssMb: Number(rss) / 1024 };
}

type Measured = { wall: number; cpu: number; rssMb: number };

const RUNS = Number(process.env.KABI_BENCH_RUNS ?? 5);

/**
 * The median wall time (and the highest peak RSS) of RUNS runs of each script, interleaved; `prepare`
 * (untimed) runs before each round.
 */
function measureEach(scripts: string[], prepare: string): Measured[] {
  const runs = scripts.map(() => [] as Measured[]);
  for (let i = 0; i < RUNS; i++) {
    execFileSync('bash', ['-c', prepare]);
    for (const [j, s] of scripts.entries()) runs[j]!.push(measure(s));
  }
  return runs.map((r) => ({
    wall: median(r.map((m) => m.wall)),
    cpu: median(r.map((m) => m.cpu)),
    rssMb: Math.max(...r.map((m) => m.rssMb)),
  }));
}

const fmt = (m: Measured) =>
  `${m.wall.toFixed(2).padStart(6)} s  cpu ${m.cpu.toFixed(2).padStart(6)} s  peak RSS ${m.rssMb.toFixed(0).padStart(4)} MB`;

const debs = process.argv.slice(2);
if (debs.length === 0) {
  for (const abi of ['6.1.0-47', '6.12.117+deb12']) {
    const p = debianPackage(`linux-image-${abi}-amd64-unsigned`);
    if ('path' in p) debs.push(p.path);
    else console.log(`skipping ${abi}: ${p.skip}`);
  }
  // The ports read otherwise: arm64's raw Image, ppc64el's 24-byte ksymtab entries, s390x's xz'd
  // big-endian image scanned for its export tables (its reader was 5.4× the unpack floor, and no row saw it).
  for (const [arch, image] of [
    ['arm64', /^linux-image-6\.1\.0-\d+-arm64-unsigned$/],
    ['ppc64el', /^linux-image-6\.1\.0-\d+-powerpc64le$/],
    ['s390x', /^linux-image-6\.1\.0-\d+-s390x$/],
  ] as const) {
    const p = await newestDebianPackage(image, { suite: 'bookworm', arch });
    if ('path' in p) debs.push(p.path);
    else console.log(`skipping ${arch}: ${p.skip}`);
  }
}

for (const deb of debs) {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-bench-pkg-'));
  try {
    const unpack = `dpkg-deb --fsys-tarfile '${deb}' | tar -x -C '${dir}'`;
    const db = join(dir, '..', `${dir.split('/').pop()}.db`);
    const ingest = `'${process.execPath}' '${kabiBin}' --db '${db}' ingest '${deb}' > /dev/null`;
    const symvers = `'${process.execPath}' '${kabiBin}' symvers '${deb}' > /dev/null`;
    // The data.tar's own decompression, taken out of the .deb first: what no reader of it can go below.
    const dataXz = `${dir}.data.tar.xz`;
    const member = execFileSync('ar', ['t', deb], { encoding: 'utf8' }).split('\n');
    if (!member.includes('data.tar.xz')) throw new Error(`${deb}: no data.tar.xz member`);
    execFileSync('bash', ['-c', `ar p '${deb}' data.tar.xz > '${dataXz}'`]);
    const unxzData = `xz -dc '${dataXz}' > /dev/null`;
    const [floor, ours, stored, xzFloor] = measureEach(
      [unpack, symvers, ingest, unxzData],
      `rm -rf '${dir}'/* '${db}'`,
    ) as [Measured, Measured, Measured, Measured];
    rmSync(dataXz, { force: true });
    rmSync(db, { force: true });
    const count = execFileSync('bash', ['-c', `find '${dir}' -name '*.ko*' | wc -l`], {
      encoding: 'utf8',
    }).trim();
    const loop = measure(
      `find '${dir}' -name '*.ko*' -print0 | while IFS= read -r -d '' f; do ${MODPROBE} --dump-modversions "$f"; done > /dev/null`,
    );
    // A .ko.xz package has one more floor: every module must be decompressed to be read at all.
    const hasXz =
      execFileSync('bash', ['-c', `find '${dir}' -name '*.ko.xz' | head -1`], { encoding: 'utf8' }) !== '';
    const unxz = hasXz ? measure(`find '${dir}' -name '*.ko.xz' -print0 | xargs -0 -n 500 xz -d`) : null;
    const tree = measure(`'${process.execPath}' '${kabiBin}' modversions '${dir}' > /dev/null`);
    const full = floor.wall + (unxz?.wall ?? 0);
    console.log(`${deb.split('/').pop()} (${count} modules)`);
    console.log(`  (a) floor  dpkg-deb --fsys-tarfile | tar -x        ${fmt(floor)}`);
    if (unxz)
      console.log(
        `  (a')       then xz -d every .ko.xz (xargs -n 500) ${fmt(unxz)}  → floor ${full.toFixed(2)} s`,
      );
    console.log(`  (b)        modprobe --dump-modversions, each module ${fmt(loop)}`);
    console.log(`  (c) floor  xz -dc data.tar.xz > /dev/null          ${fmt(xzFloor)}`);
    console.log(`  kabi symvers (every module: exports + imports)     ${fmt(ours)}`);
    console.log(`  kabi ingest (into a new store)                     ${fmt(stored)}`);
    console.log(
      `  kabi modversions DIR (the extracted tree)          ${fmt(tree)}  → ${(loop.wall / tree.wall).toFixed(1)}× faster than the modprobe loop`,
    );
    const name = deb.split('/').pop()!.split('_')[0]!;
    recordRow({
      work: `symvers ${name}.deb`,
      baseline: 'dpkg-deb --fsys-tarfile | tar -x',
      baselineMs: floor.wall * 1000,
      kabiMs: ours.wall * 1000,
      ratio: ours.wall / floor.wall,
      peakRssMb: ours.rssMb,
      goal: '≤ 1.3×, ≤ 600 MB',
      met: ours.wall / floor.wall <= 1.3 && ours.rssMb <= 600,
    });
    recordRow({
      work: `ingest ${name}.deb`,
      baseline: 'dpkg-deb --fsys-tarfile | tar -x',
      baselineMs: floor.wall * 1000,
      kabiMs: stored.wall * 1000,
      ratio: stored.wall / floor.wall,
      peakRssMb: stored.rssMb,
      goal: '≤ 1.3×',
      met: stored.wall / floor.wall <= 1.3,
    });
    for (const [what, m] of [
      ['symvers', ours],
      ['ingest', stored],
    ] as const) {
      recordRow({
        work: `${what} ${name}.deb against xz -dc alone`,
        baseline: 'xz -dc data.tar.xz > /dev/null',
        baselineMs: xzFloor.wall * 1000,
        kabiMs: m.wall * 1000,
        ratio: m.wall / xzFloor.wall,
        peakRssMb: m.rssMb,
      });
    }
    recordRow({
      work: `modversions DIR (${count} modules of ${name})`,
      baseline: 'modprobe --dump-modversions loop',
      baselineMs: loop.wall * 1000,
      kabiMs: tree.wall * 1000,
      ratio: loop.wall / tree.wall,
      faster: true,
      peakRssMb: tree.rssMb,
      goal: '≥ 20× faster',
      met: loop.wall / tree.wall >= 20,
    });
    console.log(
      `  → symvers ${(ours.wall / floor.wall).toFixed(2)}× the unpack floor (${(ours.wall / xzFloor.wall).toFixed(2)}× xz -dc alone), ingest ${(stored.wall / floor.wall).toFixed(2)}× (${(stored.wall / xzFloor.wall).toFixed(2)}× xz -dc)${unxz ? `, ${(ours.wall / full).toFixed(2)}× unpack + unxz` : ''}; ` +
        `${(loop.wall / ours.wall).toFixed(1)}× faster than the modprobe loop (${((floor.wall + loop.wall) / ours.wall).toFixed(1)}× than unpack + loop)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
