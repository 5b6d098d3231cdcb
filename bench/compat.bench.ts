// Verdicts for every in-tree module of one linux-image package (Debian 6.1.0-47: 4,022 modules) against all
// 11 Debian kernels from the store, beside a `modprobe --dump-modversions` + comm-style pipeline doing the
// same (symbol, crc) comparison. Run: npm run build && node dist/bench/compat.bench.js
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ingestArtifact,
  modulesOfBuild,
  moduleVerdicts,
  openSqliteStore,
  readKernelArtifact,
} from '../src/index.js';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { benchTempDir } from './tmp.js';

const root = join(import.meta.dirname, '..', '..');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const MODPROBE = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p)) ?? 'modprobe';
const image = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
if (!('path' in image) || !existsSync(shared)) {
  console.log(`skipping: ${'skip' in image ? image.skip : 'no ../shared/data'}`);
  process.exit(0);
}

const tmp = benchTempDir('compat');
const store = openSqliteStore(join(tmp, 'kabi.db'));
const files = readdirSync(shared).filter((f) => f.endsWith('.symvers.xz'));
for (const f of files) await ingestArtifact(store, join(shared, f));
let t = performance.now();
const artifact = await readKernelArtifact(image.path);
const readMs = performance.now() - t;
const modules = artifact.modules;

t = performance.now();
const builds = await store.loadBuilds((await store.list()).map((e) => e.id));
const loadMs = performance.now() - t;
t = performance.now();
let loads = 0;
for (const build of builds) {
  const target = { name: build.labels.release ?? '', build, vermagic: null, modules: modulesOfBuild(build) };
  // In-tree modules are judged one by one (each is its own set: the kernel provides the rest).
  for (const m of modules) if (moduleVerdicts([m], target)[0]!.loads) loads++;
}
const verdictMs = performance.now() - t;

// Baseline: dump every module's (crc, symbol) pairs with modprobe, then for each kernel an awk join.
const dir = join(tmp, 'x');
execFileSync('bash', ['-c', `mkdir -p '${dir}' && dpkg-deb -x '${image.path}' '${dir}'`]);
let b = performance.now();
execFileSync('bash', [
  '-c',
  `find '${dir}' -name '*.ko' | while read -r f; do ${MODPROBE} --dump-modversions "$f" | sed "s|^|$f\\t|"; done > '${tmp}/pairs'`,
]);
const dumpMs = performance.now() - b;
for (const f of files)
  writeFileSync(join(tmp, `${f}.txt`), execFileSync('xz', ['-dc', join(shared, f)], { maxBuffer: 1 << 28 }));
b = performance.now();
let baselineLoads = 0;
for (const f of files) {
  const r = spawnSync(
    'bash',
    [
      '-c',
      `awk -F'\\t' 'NR==FNR {k[$2]=$1; next} {m[$1]=1; if (k[$3] != $2) bad[$1]=1} END {n=0; for (x in m) if (!(x in bad)) n++; print n}' '${tmp}/${f}.txt' '${tmp}/pairs'`,
    ],
    { encoding: 'utf8' },
  );
  baselineLoads += Number(r.stdout.trim());
}
const joinMs = performance.now() - b;

console.log(
  `compat: ${modules.length} in-tree modules of 6.1.0-47 × ${builds.length} kernels (${modules.length * builds.length} verdicts)\n`,
);
console.log(`  read the linux-image package            ${readMs.toFixed(0).padStart(7)} ms`);
console.log(`  load ${builds.length} kernels from the store          ${loadMs.toFixed(0).padStart(7)} ms`);
console.log(
  `  verdict phase                           ${verdictMs.toFixed(0).padStart(7)} ms   (${loads} loads)`,
);
console.log(
  `  baseline: modprobe --dump-modversions × ${modules.length}  ${dumpMs.toFixed(0).padStart(7)} ms`,
);
console.log(
  `  baseline: awk join per kernel × ${builds.length}          ${joinMs.toFixed(0).padStart(7)} ms   (${baselineLoads} pass the CRC comparison)`,
);
console.log(
  `  → verdict phase ${((dumpMs + joinMs) / verdictMs).toFixed(1)}× faster than the dump + join pipeline`,
);
await store.close();
