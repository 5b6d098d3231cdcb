// Parse + diff of two real ~25,000-symbol Module.symvers, end to end (process start included), beside the
// baseline `comm -3 <(sort a) <(sort b)` run on the same files in the same run.
// Run: npm run bench   (uses ../shared/data when present, else the committed fixtures)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordRow } from './table.js';
import { benchTempDir } from './tmp.js';

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
const tmp = benchTempDir('diff');

/** One run of a command: wall and CPU (user + system) ms; its exit status checked (4, 12: diff's "changed"). */
function once(cmd: string, args: string[]): [wall: number, cpu: number] {
  // bash's `time` reports the child's CPU, which spawnSync does not; the wrapper's own cost is the same
  // for a figure and its baselines.
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%R %U %S"; time "$@" > /dev/null', 'bash', cmd, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  const lines = r.stderr.trimEnd().split('\n');
  const [wall, user, sys] = lines.pop()!.split(' ').map(Number) as [number, number, number];
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  if (r.status !== 0 && r.status !== 4 && r.status !== 12)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return [wall * 1000, (user + sys) * 1000];
}

/** Sorted runs of one command: wall time, and CPU time (what a loaded machine disturbs least). */
interface Runs {
  wall: number[];
  cpu: number[];
}

/**
 * Each command's runs. The commands take turns, one run each per round, so that a figure and its
 * baselines see the same load: on a shared machine, timing one command's runs and then the next's gave
 * ratios that moved by 2× with the neighbours' work. Two warm-up rounds: page cache, not the tool,
 * should decide the first.
 */
function timeTogether(cmds: [cmd: string, args: string[]][]): Runs[] {
  const out: Runs[] = cmds.map(() => ({ wall: [], cpu: [] }));
  for (let i = 0; i < RUNS + 2; i++)
    cmds.forEach(([cmd, args], k) => {
      const [wall, cpu] = once(cmd, args);
      if (i >= 2) {
        out[k]!.wall.push(wall);
        out[k]!.cpu.push(cpu);
      }
    });
  for (const r of out) {
    r.wall.sort((a, b) => a - b);
    r.cpu.sort((a, b) => a - b);
  }
  return out;
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const fmt = (r: Runs) =>
  `median ${median(r.wall).toFixed(1).padStart(6)} ms (min ${r.wall[0]!.toFixed(1)}), CPU ${median(r.cpu).toFixed(1)} ms`;
/** (kabi − node start) / baseline, in wall time (the measure) and in CPU time. */
const over = (kabi: Runs, node0: Runs, base: Runs) => ({
  wall: (median(kabi.wall) - median(node0.wall)) / median(base.wall),
  cpu: (median(kabi.cpu) - median(node0.cpu)) / median(base.cpu),
});

console.log(`kabi diff vs sort|comm, ${RUNS} runs each, taking turns, node ${process.version}\n`);
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
  ]) as [Runs, Runs, Runs, Runs, Runs, Runs, Runs, Runs];
  console.log(name);
  console.log(`  baseline  comm -3 <(sort a) <(sort b)             ${fmt(comm)}`);
  console.log(`  baseline  sort|join|awk, same classification      ${fmt(equivalent)}`);
  console.log(`  floor     node -e 0 (Node.js start-up alone)       ${fmt(node0)}`);
  for (const [label, runs, base, baseName] of [
    ['json', json, comm, 'sort | comm -3'],
    ['text --all', text, comm, 'sort | comm -3'],
    ['text (50 per kind)', brief, comm, 'sort | comm -3'],
    ['json of the .xz files', xz, commXz, 'xz -dc | sort | comm -3'],
  ] as const) {
    if (runs === xz) console.log(`  baseline  comm -3 <(xz -dc a|sort) <(xz -dc b|sort) ${fmt(commXz)}`);
    // The measure: what kabi adds over Node's own start, against the baseline.
    const own = median(runs.wall) - median(node0.wall);
    const ratio = over(runs, node0, base);
    console.log(
      `  kabi diff, ${label.padEnd(22)}   ${fmt(runs)}; minus node start ${own.toFixed(1)} ms = ${ratio.wall.toFixed(2)}× baseline (CPU ${ratio.cpu.toFixed(2)}×)`,
    );
    recordRow({
      work: `diff ${name}, ${label}, minus node start`,
      baseline: baseName,
      baselineMs: median(base.wall),
      kabiMs: own,
      ratio: ratio.wall,
      goal: '≤ 1.5×',
      met: ratio.wall <= 1.5,
    });
  }
  recordRow({
    work: `diff ${name}, json, whole command`,
    baseline: 'sort | comm -3',
    baselineMs: median(comm.wall),
    kabiMs: median(json.wall),
    ratio: median(json.wall) / median(comm.wall),
  });
  console.log('');
}

// Start-up alone: `kabi --version` against Node's own start.
const [node0, version] = timeTogether([
  [process.execPath, ['-e', '0']],
  [process.execPath, [kabiBin, '--version']],
]) as [Runs, Runs];
console.log(`kabi --version                                 ${fmt(version)}`);
console.log(`node -e 0                                      ${fmt(node0)}`);
recordRow({
  work: 'kabi --version (start-up), whole command',
  baseline: 'node -e 0',
  baselineMs: median(node0.wall),
  kabiMs: median(version.wall),
  ratio: median(version.wall) / median(node0.wall),
});
