// `kabi explain` on Debian 6.1.0-47 → -50 for the symbols the bundled corpus's kmods import (452),
// beside in the same run:
//   (a) the unpack floor of both linux-image packages (dpkg-deb --fsys-tarfile | tar -x): explain on
//       the packages themselves is measured against it;
//   (b) libabigail's kmidiff with the same symbols as a whitelist, on the unstripped vmlinux of the -dbg
//       packages (skipped, with a message, when those are not in the cache): explain from store refs
//       (both packages ingested beforehand, types kept) and from vmlinux files are measured against it.
// Also what keeping types costs the store: its bytes of BTF after two builds. Medians of KABI_BENCH_ROUNDS
// runs (default 5; kmidiff KABI_BENCH_KMIDIFF_ROUNDS, default 3), wall and CPU time and peak RSS via
// /usr/bin/time. Run: npm run build && node dist/bench/explain.bench.js
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { extractVmlinux } from '../src/readers/kernel-image/bzimage.js';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { sharedSymversDir } from '../test/helpers/independent.js';
import { median, recordRow } from './table.js';

const kabiBin = join(import.meta.dirname, '..', '..', 'bin', 'kabi.js');
const MODPROBE = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p)) ?? 'modprobe';
const DBG = process.env.KABI_DBG_DIR ?? '/work/cache/dbg';

const ROUNDS = Number(process.env.KABI_BENCH_ROUNDS ?? 5);
const KMIDIFF_ROUNDS = Number(process.env.KABI_BENCH_KMIDIFF_ROUNDS ?? 3);

interface Timing {
  wall: number;
  cpu: number;
  rssMb: number;
  ok: boolean;
}

function once(script: string, timeoutMs: number): Timing {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'bash', '-c', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: timeoutMs,
  });
  const last = r.stderr?.trim().split('\n').pop() ?? '';
  const [wall, user, sys, rss] = last.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys!, rssMb: rss! / 1024, ok: r.status === 0 };
}

/** Medians of `rounds` runs (peak RSS: the largest). */
function measure(script: string, rounds = ROUNDS, timeoutMs = 900_000): Timing {
  const runs = Array.from({ length: rounds }, () => once(script, timeoutMs));
  return {
    wall: median(runs.map((r) => r.wall)),
    cpu: median(runs.map((r) => r.cpu)),
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    ok: runs.every((r) => r.ok),
  };
}

const fmt = (m: Timing) =>
  `${m.wall.toFixed(2).padStart(7)} s  ${m.cpu.toFixed(2).padStart(6)} s CPU  peak RSS ${m.rssMb.toFixed(0).padStart(5)} MB`;

const pkgs = ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.1.0-50-amd64-unsigned'].map(
  debianPackage,
);
const symvers = sharedSymversDir();
if (pkgs.some((p) => 'skip' in p) || !symvers) {
  console.log('skipping: needs both linux-image packages and ../shared/data');
  process.exit(0);
}
const [img47, img50] = pkgs.map((p) => (p as { path: string }).path) as [string, string];
const work = mkdtempSync(join(tmpdir(), 'kabi-bench-explain-'));
const kabi = (args: string) => `'${process.execPath}' '${kabiBin}' ${args}`;

// The symbols the real kmods built for 6.1.0-47 import from that kernel (modprobe, then the symvers).
const kmods = join(symvers, '..', 'kmods', '6.1.0-47');
const imported = new Set(
  execFileSync(
    'bash',
    ['-c', `find '${kmods}' -name '*.ko' | xargs -n1 ${MODPROBE} --dump-modversions | cut -f2`],
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n'),
);
const exported = new Set(
  execFileSync('xz', ['-dc', join(symvers, '6.1.0-47.symvers.xz')], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n')
    .map((l) => l.split('\t')[1]),
);
const whitelist = [...imported].filter((s) => exported.has(s)).sort();
const listFile = join(work, 'kmi-whitelist');
writeFileSync(listFile, `[kmi_whitelist]\n${whitelist.map((s) => `  ${s}`).join('\n')}\n`);
const symbolArgs = whitelist.join(' ');

try {
  console.log(
    `kabi explain, Debian 6.1.0-47 → 6.1.0-50, the ${whitelist.length} symbols the kmods import (medians of ${ROUNDS}; load ${loadavg()[0]!.toFixed(1)})`,
  );
  const floor = measure(
    `for d in '${img47}' '${img50}'; do mkdir -p '${work}'/x; dpkg-deb --fsys-tarfile "$d" | tar -x -C '${work}'/x; rm -rf '${work}'/x; done`,
  );
  const some = measure(
    `${kabi(`explain '${img47}' '${img50}' ${symbolArgs} -f json -o '${work}/some.json'`)}`,
  );
  const s = JSON.parse(readFileSync(join(work, 'some.json'), 'utf8'));
  console.log(`  (a) floor: unpack both packages (dpkg-deb | tar -x)          ${fmt(floor)}`);
  console.log(
    `  kabi explain PKG PKG: ${s.crcChanged} changed, ${s.explained} explained      ${fmt(some)}  ${(some.wall / floor.wall).toFixed(2)}× the floor`,
  );
  recordRow({
    work: `explain 6.1.0-47 → -50 packages, ${whitelist.length} symbols`,
    baseline: 'dpkg-deb | tar -x both',
    baselineMs: floor.wall * 1000,
    kabiMs: some.wall * 1000,
    ratio: some.wall / floor.wall,
    goal: '≤ 1.2×',
    met: some.wall / floor.wall <= 1.2,
    peakRssMb: some.rssMb,
  });

  // Both packages ingested (types kept), then explained from store refs.
  const db = join(work, 'kabi.db');
  const ingest = once(`${kabi(`--db '${db}' ingest '${img47}'`)}`, 900_000);
  const afterOne = statSync(db).size;
  once(`${kabi(`--db '${db}' ingest '${img50}'`)}`, 900_000);
  // What keeping the types costs the store: vmlinux's BTF blobs and the modules' BTF frames.
  const typeBytes = () => {
    const d = new Database(db, { readonly: true });
    const rows = d
      .prepare(
        "SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name IN ('btf_blobs', 'entry_btf', 'entry_module_btf', 'entry_module_btf_frames') GROUP BY name",
      )
      .all() as { name: string; bytes: number }[];
    d.close();
    return rows.reduce((a, r) => a + r.bytes, 0);
  };
  const typesTwo = typeBytes();
  console.log(
    `  ingest 6.1.0-47 (types kept)                                  ${fmt(ingest)}; store ${(afterOne / 1e6).toFixed(1)} MB after one build, BTF ${(typesTwo / 1e6).toFixed(1)} MB after two`,
  );
  const stored = measure(
    `${kabi(`--db '${db}' explain release=6.1.0-47 release=6.1.0-50 ${symbolArgs} -f json -o '${work}/store.json'`)}`,
  );
  const st = JSON.parse(readFileSync(join(work, 'store.json'), 'utf8'));
  const rootsOf = (x: { roots: { type: string }[] }) => x.roots.map((r) => r.type).join(', ');
  const sameResult =
    JSON.stringify({ ...st, old: '', new: '' }) === JSON.stringify({ ...s, old: '', new: '' });
  console.log(
    `  kabi explain REF REF (store): ${sameResult ? 'the same explanation' : `DIFFERENT: roots ${rootsOf(st)} / ${rootsOf(s)}`} ${fmt(stored)}`,
  );

  const vmlinux = (abi: string) => join(DBG, 'usr', 'lib', 'debug', 'boot', `vmlinux-${abi}-amd64`);
  const dbgDeb = (abi: string) =>
    existsSync(DBG) ? readdirSync(DBG).find((f) => f.startsWith(`linux-image-${abi}-amd64-dbg_`)) : undefined;
  for (const abi of ['6.1.0-47', '6.1.0-50']) {
    const deb = dbgDeb(abi);
    if (!existsSync(vmlinux(abi)) && deb)
      execFileSync('bash', [
        '-c',
        `dpkg-deb --fsys-tarfile '${join(DBG, deb)}' | tar -x -C '${DBG}' --wildcards '*/boot/vmlinux-*'`,
      ]);
  }
  if (!existsSync(vmlinux('6.1.0-47')) || !existsSync(vmlinux('6.1.0-50'))) {
    console.log(
      `  (b) kmidiff: skipped: needs the unstripped vmlinux of linux-image-6.1.0-{47,50}-amd64-dbg in ${DBG} (apt-get download them there; ~850 MB each)`,
    );
  } else if (spawnSync('kmidiff', ['--version']).status !== 0) {
    console.log('  (b) kmidiff: skipped: abigail-tools is not installed');
  } else {
    const empty1 = join(work, 'm1');
    const empty2 = join(work, 'm2');
    mkdirSync(empty1);
    mkdirSync(empty2);
    const report = join(work, 'kmidiff.txt');
    const k = measure(
      `kmidiff --kmi-whitelist '${listFile}' --vmlinux1 '${vmlinux('6.1.0-47')}' --vmlinux2 '${vmlinux('6.1.0-50')}' '${empty1}' '${empty2}' > '${report}'; test $? -lt 16`,
      KMIDIFF_ROUNDS,
    );
    const text = existsSync(report) ? readFileSync(report, 'utf8') : '';
    // kmidiff names a changed type as: "type of 'struct device' changed" / "'struct device at device.h:555:1' changed".
    const theirs = new Set(
      [...text.matchAll(/'((?:struct|union|enum) \w+)(?: at [^']*)?' changed/g)].map((m) => m[1]!),
    );
    // The same inputs for both: the kernel image only (kmidiff gets no module directories), unpacked
    // beforehand (kmidiff's dbg vmlinux is too), exports from the Module.symvers of linux-headers.
    const boot = join(work, 'boot');
    mkdirSync(boot);
    for (const img of [img47, img50])
      execFileSync('bash', [
        '-c',
        `dpkg-deb --fsys-tarfile '${img}' | tar -x -C '${boot}' --wildcards './boot/vmlinuz-*'`,
      ]);
    const vmlinuz = (abi: string) => join(boot, 'boot', `vmlinuz-${abi}-amd64`);
    const same = measure(
      kabi(
        `explain '${join(symvers, '6.1.0-47.symvers.xz')}' '${join(symvers, '6.1.0-50.symvers.xz')}' --old-btf '${vmlinuz('6.1.0-47')}' --new-btf '${vmlinuz('6.1.0-50')}' ${symbolArgs} -f json -o '${work}/same.json'`,
      ),
    );
    // kmidiff reads an uncompressed vmlinux; so does this run, extracted beforehand as kmidiff's was.
    const elf = (abi: string) => join(boot, `vmlinux-${abi}`);
    for (const abi of ['6.1.0-47', '6.1.0-50'])
      writeFileSync(elf(abi), await extractVmlinux(readFileSync(vmlinuz(abi)), { source: vmlinuz(abi) }));
    const bare = measure(
      kabi(
        `explain '${join(symvers, '6.1.0-47.symvers.xz')}' '${join(symvers, '6.1.0-50.symvers.xz')}' --old-btf '${elf('6.1.0-47')}' --new-btf '${elf('6.1.0-50')}' ${symbolArgs} -f json -o '${work}/bare.json'`,
      ),
    );
    const v = JSON.parse(readFileSync(join(work, 'same.json'), 'utf8'));
    const ours = new Set<string>(
      [...v.roots, ...v.inherited, ...v.containers].map((r: { type: string }) => r.type),
    );
    const both = [...theirs].filter((t) => ours.has(t));
    console.log(
      `  (b) kmidiff --kmi-whitelist (${whitelist.length} symbols), dbg vmlinux ${fmt(k)}${k.ok ? '' : ' (failed)'}`,
    );
    console.log(
      `  kabi, the same ${whitelist.length} symbols from vmlinuz + Module.symvers (${v.explained}/${v.crcChanged} explained) ${fmt(same)}`,
    );
    console.log(`  kabi, the same from uncompressed vmlinux files, as kmidiff reads    ${fmt(bare)}`);
    console.log(
      `      speed-up ${(k.wall / bare.wall).toFixed(1)}× on vmlinux, ${(k.wall / same.wall).toFixed(1)}× on vmlinuz, ${(k.wall / some.wall).toFixed(1)}× on whole packages; kmidiff names ${theirs.size} changed types, kabi ${ours.size} (roots, layout changes, holders), ${both.length} of kmidiff's among them`,
    );
    console.log(
      `  kabi explain REF REF (store) against kmidiff: ${(k.wall / stored.wall).toFixed(1)}× faster (CPU ${(k.cpu / stored.cpu).toFixed(1)}×), peak RSS ${stored.rssMb.toFixed(0)} MB`,
    );
    recordRow({
      work: `explain 6.1.0-47 → -50 store refs, ${whitelist.length} symbols${sameResult ? '' : ' (DIFFERENT result)'}`,
      baseline: 'kmidiff, dbg vmlinux',
      baselineMs: k.wall * 1000,
      kabiMs: stored.wall * 1000,
      ratio: k.wall / stored.wall,
      faster: true,
      goal: '≥ 30× faster, ≤ 500 MB',
      met: sameResult && k.wall / stored.wall >= 30 && stored.rssMb <= 500,
      peakRssMb: stored.rssMb,
    });
    recordRow({
      work: `explain 6.1.0-47 → -50 vmlinux files, ${whitelist.length} symbols`,
      baseline: 'kmidiff, dbg vmlinux',
      baselineMs: k.wall * 1000,
      kabiMs: bare.wall * 1000,
      ratio: k.wall / bare.wall,
      faster: true,
      peakRssMb: bare.rssMb,
    });
    const missed = [...theirs].filter((t) => !ours.has(t));
    if (missed.length)
      console.log(`      kmidiff only: ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ', …' : ''}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
