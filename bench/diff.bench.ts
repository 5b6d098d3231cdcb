// Parse + diff of two real ~25,000-symbol Module.symvers, end to end (process start included), beside the
// baseline `comm -3 <(sort a) <(sort b)` run on the same files in the same run.
// Run: npm run bench   (uses ../shared/data when present, else the committed fixtures)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const kabiBin = join(root, 'bin', 'kabi.js');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const fixtures = join(root, 'test', 'fixtures', 'debian');

const pairs: [string, string, string][] = existsSync(shared)
  ? [
      [
        '6.1.0-55 → 6.1.0-56 (few changes)',
        join(shared, '6.1.0-55.symvers.xz'),
        join(shared, '6.1.0-56.symvers.xz'),
      ],
      [
        '6.1.0-47 → 6.1.0-50 (~18k CRC changes)',
        join(shared, '6.1.0-47.symvers.xz'),
        join(shared, '6.1.0-50.symvers.xz'),
      ],
      [
        '6.1.0-56 → 6.12.117 (series jump)',
        join(shared, '6.1.0-56.symvers.xz'),
        join(shared, '6.12.117+deb12.symvers.xz'),
      ],
    ]
  : [
      [
        '6.1.0-55 → 6.1.0-56 (few changes)',
        join(fixtures, '6.1.0-55.symvers.xz'),
        join(fixtures, '6.1.0-56.symvers.xz'),
      ],
      [
        '6.1.0-56 → 6.12.117 (series jump)',
        join(fixtures, '6.1.0-56.symvers.xz'),
        join(fixtures, '6.12.117+deb12.symvers.xz'),
      ],
    ];

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(join(tmpdir(), 'kabi-bench-'));

function time(cmd: string, args: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== 4 && r.status !== 12)
      throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) out.push(ms); // two warm-up runs: page cache, not the tool, should decide the first
  }
  return out.sort((a, b) => a - b);
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1).padStart(6)} ms  (min ${xs[0]!.toFixed(1)})`;

console.log(`kabi diff vs sort|comm, ${RUNS} runs each, node ${process.version}\n`);
for (const [name, xa, xb] of pairs) {
  const a = join(tmp, 'a.symvers');
  const b = join(tmp, 'b.symvers');
  writeFileSync(a, execFileSync('xz', ['-dc', xa]));
  writeFileSync(b, execFileSync('xz', ['-dc', xb]));
  const comm = time('bash', ['-c', `comm -3 <(sort "${a}") <(sort "${b}") > /dev/null`]);
  const commXz = time('bash', [
    '-c',
    `comm -3 <(xz -dc "${xa}" | sort) <(xz -dc "${xb}" | sort) > /dev/null`,
  ]);
  const json = time(process.execPath, [kabiBin, 'diff', '--format', 'json', a, b]);
  const text = time(process.execPath, [kabiBin, 'diff', '--all', a, b]);
  const xz = time(process.execPath, [kabiBin, 'diff', '--format', 'json', xa, xb]);
  console.log(name);
  console.log(`  baseline  comm -3 <(sort a) <(sort b)          ${fmt(comm)}`);
  console.log(
    `  kabi diff --format json a b                    ${fmt(json)}   ${(median(json) / median(comm)).toFixed(2)}× baseline`,
  );
  console.log(
    `  kabi diff --all (text) a b                     ${fmt(text)}   ${(median(text) / median(comm)).toFixed(2)}× baseline`,
  );
  console.log(`  baseline  comm -3 <(xz -dc a|sort) <(xz -dc b|sort) ${fmt(commXz)}`);
  console.log(
    `  kabi diff --format json a.xz b.xz              ${fmt(xz)}   ${(median(xz) / median(commXz)).toFixed(2)}× baseline\n`,
  );
}
