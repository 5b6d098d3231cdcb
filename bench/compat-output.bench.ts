// `kabi compat -f json` for every in-tree module of Debian's 6.1.0-47 linux-image (4,022 modules) on the 11
// Debian kernels of ../shared/data, as a user runs it: wall time, peak RSS (/usr/bin/time -v) and bytes
// written, beside a baseline that renders the full verdict array at once (the output before the compact,
// streamed table). Run: npm run build && node dist/bench/compat-output.bench.js
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianPackage } from '../test/helpers/debian-packages.js';
import { benchTempDir } from './tmp.js';

const root = join(import.meta.dirname, '..', '..');
const KABI = join(root, 'bin', 'kabi.js');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const image = debianPackage('linux-image-6.1.0-47-amd64-unsigned');
if (!('path' in image) || !existsSync(shared) || !existsSync('/usr/bin/time')) {
  console.log(`skipping: ${'skip' in image ? image.skip : 'no ../shared/data or /usr/bin/time'}`);
  process.exit(0);
}
const tmp = benchTempDir('compat-output');
const db = join(tmp, 'kabi.db');
const files = readdirSync(shared).filter((f) => f.endsWith('.symvers.xz'));
for (const f of files) spawnSync(process.execPath, [KABI, '--db', db, 'ingest', join(shared, f)]);
const ids = files.map((_, i) => String(i + 1));

// The baseline: every verdict in memory, then one JSON.stringify of the full array (as before).
const baseline = join(tmp, 'baseline.mjs');
writeFileSync(
  baseline,
  `const lib = await import(${JSON.stringify(join(root, 'dist', 'src', 'index.js'))});
const { writeFileSync } = await import('node:fs');
const corpus = await lib.readModuleCorpus([await lib.sniffArtifact(process.argv[2])]);
const store = lib.openSqliteStore(process.argv[3]);
const verdicts = [];
for (const e of await store.list()) {
  const build = await store.loadBuild(e.id);
  const target = { name: build.labels.release, build, vermagic: null, modules: lib.modulesOfBuild(build) };
  verdicts.push(...lib.moduleVerdicts(corpus.modules, target));
}
writeFileSync(process.argv[4], lib.compatRenderers.json(verdicts));
`,
);

function measure(args: string[], out: string): { seconds: number; rssMb: number; mb: number } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8' });
  const field = (re: RegExp) => re.exec(r.stderr)?.[1] ?? '0';
  const [m, s] = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/)
    .split(':')
    .slice(-2)
    .map(Number);
  return {
    seconds: (m ?? 0) * 60 + (s ?? 0),
    rssMb: Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024,
    mb: statSync(out).size / 2 ** 20,
  };
}

const streamed = measure(
  [KABI, '--db', db, 'compat', '-m', image.path, '-k', ...ids, '-f', 'json', '-o', join(tmp, 'compat.json')],
  join(tmp, 'compat.json'),
);
const full = measure([baseline, image.path, db, join(tmp, 'full.json')], join(tmp, 'full.json'));
const row = (name: string, r: typeof full) =>
  `  ${name.padEnd(44)} ${r.seconds.toFixed(1).padStart(6)} s ${r.rssMb.toFixed(0).padStart(7)} MB RSS ${r.mb.toFixed(0).padStart(6)} MB written`;
console.log(`compat -f json: 4,022 in-tree modules of 6.1.0-47 × ${files.length} kernels\n`);
console.log(row('kabi compat -f json (compact, streamed)', streamed));
console.log(row('baseline: full verdict array, rendered whole', full));
