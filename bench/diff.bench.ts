// Parse + diff of two real ~25,000-symbol Module.symvers, end to end (process start included), beside the
// baseline `comm -3 <(sort a) <(sort b)` run on the same files in the same run.
// Run: npm run bench   (uses ../shared/data when present, else the committed fixtures)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordRow } from './table.js';

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

// The same classification as `kabi diff` (added, removed, crc, moved, export type, namespace), done with
// coreutils: key each file by symbol, sort, join, compare fields.
const EQUIVALENT = String.raw`
key() { awk -F'\t' -v OFS='\t' '{print $2,$1,$3,$4,$5}' "$1" | sort -t "$(printf '\t')" -k1,1; }
join -t "$(printf '\t')" -a1 -a2 -e MISSING -o 0,1.2,1.3,1.4,1.5,2.2,2.3,2.4,2.5 <(key "$A") <(key "$B") |
  awk -F'\t' '$2=="MISSING"{a++;next} $6=="MISSING"{r++;next}
    {if($2!=$6)c++; if($3!=$7)m++; if($4!=$8)t++; if($5!=$9)n++}
    END{print a+0, r+0, c+0, m+0, t+0, n+0}' > /dev/null`;

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(join(tmpdir(), 'kabi-bench-'));

/** One run of a command, in ms (its exit status checked: 4 and 12 are diff's "changed"). */
function once(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 4 && r.status !== 12)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/**
 * Each command's runs, sorted. The commands take turns, one run each per round, so that a figure and its
 * baselines see the same load: on a shared machine, timing one command's runs and then the next's gave
 * ratios that moved by 2× with the neighbours' work. Two warm-up rounds: page cache, not the tool,
 * should decide the first.
 */
function timeTogether(cmds: [cmd: string, args: string[]][]): number[][] {
  const out: number[][] = cmds.map(() => []);
  for (let i = 0; i < RUNS + 2; i++)
    cmds.forEach(([cmd, args], k) => {
      const ms = once(cmd, args);
      if (i >= 2) out[k]!.push(ms);
    });
  return out.map((xs) => xs.sort((a, b) => a - b));
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1).padStart(6)} ms  (min ${xs[0]!.toFixed(1)})`;

console.log(`kabi diff vs sort|comm, ${RUNS} runs each, node ${process.version}\n`);
for (const [name, xa, xb] of pairs) {
  const a = join(tmp, 'a.symvers');
  const b = join(tmp, 'b.symvers');
  writeFileSync(a, execFileSync('xz', ['-dc', xa], { maxBuffer: 1 << 28 }));
  writeFileSync(b, execFileSync('xz', ['-dc', xb], { maxBuffer: 1 << 28 }));
  const [comm, equivalent, node0, commXz, json, text, brief, xz] = timeTogether([
    ['bash', ['-c', `comm -3 <(sort "${a}") <(sort "${b}") > /dev/null`]],
    ['bash', ['-c', `A="${a}" B="${b}"; ${EQUIVALENT}`]],
    [process.execPath, ['-e', '0']],
    ['bash', ['-c', `comm -3 <(xz -dc "${xa}" | sort) <(xz -dc "${xb}" | sort) > /dev/null`]],
    [process.execPath, [kabiBin, 'diff', '--format', 'json', a, b]],
    // --all lists every change, as comm does; the default text lists 50 per kind.
    [process.execPath, [kabiBin, 'diff', '--all', a, b]],
    [process.execPath, [kabiBin, 'diff', a, b]],
    [process.execPath, [kabiBin, 'diff', '--format', 'json', xa, xb]],
  ]) as [number[], number[], number[], number[], number[], number[], number[], number[]];
  console.log(name);
  console.log(`  baseline  comm -3 <(sort a) <(sort b)          ${fmt(comm)}`);
  console.log(`  baseline  sort|join|awk, same classification ${fmt(equivalent)}`);
  console.log(`  floor     node -e 0 (Node.js start-up alone)  ${fmt(node0)}`);
  for (const [label, runs] of [
    ['json', json],
    ['text --all', text],
    ['text (50 per kind)', brief],
  ] as const) {
    // The measure: what kabi adds over Node's own start, against sort|comm.
    const own = median(runs) - median(node0);
    console.log(
      `  kabi diff, ${label.padEnd(20)} ${fmt(runs)}   ${(median(runs) / median(comm)).toFixed(2)}× comm, ${(median(runs) / median(equivalent)).toFixed(2)}× equivalent; minus node start ${own.toFixed(1)} ms = ${(own / median(comm)).toFixed(2)}× comm`,
    );
    recordRow({
      work: `diff ${name}, ${label}, minus node start`,
      baseline: 'sort | comm -3',
      baselineMs: median(comm),
      kabiMs: own,
      ratio: own / median(comm),
      goal: '≤ 1.5×',
      met: own / median(comm) <= 1.5,
    });
  }
  recordRow({
    work: `diff ${name}, json, whole command`,
    baseline: 'sort | comm -3',
    baselineMs: median(comm),
    kabiMs: median(json),
    ratio: median(json) / median(comm),
  });
  const ownXz = median(xz) - median(node0);
  console.log(`  baseline  comm -3 <(xz -dc a|sort) <(xz -dc b|sort) ${fmt(commXz)}`);
  console.log(
    `  kabi diff --format json a.xz b.xz              ${fmt(xz)}   ${(median(xz) / median(commXz)).toFixed(2)}× baseline; minus node start ${ownXz.toFixed(1)} ms = ${(ownXz / median(commXz)).toFixed(2)}× baseline\n`,
  );
  recordRow({
    work: `diff ${name}, json of the .xz files, minus node start`,
    baseline: 'xz -dc | sort | comm -3',
    baselineMs: median(commXz),
    kabiMs: ownXz,
    ratio: ownXz / median(commXz),
    goal: '≤ 1.5×',
    met: ownXz / median(commXz) <= 1.5,
  });
}

// Start-up alone: `kabi --version` against Node's own start.
const [node0, version] = timeTogether([
  [process.execPath, ['-e', '0']],
  [process.execPath, [kabiBin, '--version']],
]) as [number[], number[]];
console.log(`kabi --version                                 ${fmt(version)}`);
console.log(`node -e 0                                      ${fmt(node0)}`);
recordRow({
  work: 'kabi --version (start-up), whole command',
  baseline: 'node -e 0',
  baselineMs: median(node0),
  kabiMs: median(version),
  ratio: median(version) / median(node0),
});
