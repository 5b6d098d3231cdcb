// `kabi explain` on Debian 6.1.0-47 → -50 (18,107 CRC changes), beside in the same run:
//   (a) the unpack floor of both linux-image packages (dpkg-deb --fsys-tarfile | tar -x),
//   (b) libabigail's kmidiff with a whitelist of the symbols the real kmods import, on the unstripped
//       vmlinux of the -dbg packages (skipped, with a message, when those are not in the cache).
// Wall time and peak RSS via /usr/bin/time. Run: npm run build && node dist/bench/explain.bench.js
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractVmlinux } from '../src/readers/kernel-image/bzimage.js';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { sharedSymversDir } from '../test/helpers/independent.js';

const kabiBin = join(import.meta.dirname, '..', '..', 'bin', 'kabi.js');
const MODPROBE = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p)) ?? 'modprobe';
const DBG = process.env.KABI_DBG_DIR ?? '/work/cache/dbg';

function measure(script: string, timeoutMs = 900_000): { wall: number; rssMb: number; ok: boolean } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'bash', '-c', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: timeoutMs,
  });
  const last = r.stderr?.trim().split('\n').pop() ?? '';
  const [wall, rss] = last.split(' ');
  return { wall: Number(wall), rssMb: Number(rss) / 1024, ok: r.status === 0 };
}

const fmt = (m: { wall: number; rssMb: number }) =>
  `${m.wall.toFixed(2).padStart(7)} s  peak RSS ${m.rssMb.toFixed(0).padStart(5)} MB`;

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
  const floor = measure(
    `for d in '${img47}' '${img50}'; do mkdir -p '${work}'/x; dpkg-deb --fsys-tarfile "$d" | tar -x -C '${work}'/x; rm -rf '${work}'/x; done`,
  );
  const whole = measure(`${kabi(`explain '${img47}' '${img50}' -f json -o '${work}/whole.json'`)}`);
  const some = measure(
    `${kabi(`explain '${img47}' '${img50}' ${symbolArgs} -f json -o '${work}/some.json'`)}`,
  );
  const w = JSON.parse(readFileSync(join(work, 'whole.json'), 'utf8'));
  const s = JSON.parse(readFileSync(join(work, 'some.json'), 'utf8'));
  console.log('kabi explain, Debian 6.1.0-47 → 6.1.0-50 (linux-image packages, read in one pass each)');
  console.log(`  (a) floor: unpack both packages (dpkg-deb | tar -x)          ${fmt(floor)}`);
  console.log(
    `  whole kernel: ${w.crcChanged} CRC changes, ${w.explained} explained by ${w.roots.filter((r: { exports: string[] }) => r.exports.length).length} roots ${fmt(whole)}`,
  );
  console.log(
    `  ${whitelist.length} symbols the kmods import: ${s.crcChanged} changed, ${s.explained} explained        ${fmt(some)}`,
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
    const missed = [...theirs].filter((t) => !ours.has(t));
    if (missed.length)
      console.log(`      kmidiff only: ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ', …' : ''}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
