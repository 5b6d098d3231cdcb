// `npm run fuzz -- TARGET|all [--seconds N] [--runs N] [--seed S] [--jobs N] [--coverage]`: runs each
// target's fuzz loop in a child process (worker.ts) and watches it. The watchdog reads the child's RSS
// from /proc and the in-flight file's header (input number, start time) every 100 ms, and kills a child
// whose input runs past the hang limit or whose RSS passes the memory limit; the input in flight is then
// a crasher, and a new child goes on with the rest of the budget. Crashers are written to
// fuzz/crashers/<target>/<sha1> (minimized) with a .txt beside each; the exit code is 1 if any was found.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Crash } from './crash.js';
import { ROOT } from './seeds.js';
import { fastTmp } from './target.js';
import { TARGETS, targetNamed } from './targets/index.js';
import type { WorkerConfig, WorkerMessage } from './worker.js';

interface Options {
  targets: string[];
  runs: number;
  seconds: number;
  seed: number;
  jobs: number;
  coverage: boolean;
  timeoutMs: number;
  hangMs: number;
  rssMb: number;
  out: string;
  replay: string[];
}

const USAGE = `usage: npm run fuzz -- TARGET[,TARGET...]|all [options]
  --seconds N     time budget per target (default 60, or none when --runs is given)
  --runs N        inputs per target (default: until --seconds)
  --seed S        seed of the mutations (default 1): the same seed gives the same inputs
  --jobs N        targets run at once (default 1)
  --coverage      keep inputs that reach new blocks (V8 block coverage); 5-20x fewer inputs a second
  --no-coverage   mutate the seeds blindly (the default)
  --timeout-ms N  an input slower than this is a crash (default 1000)
  --hang-ms N     the watchdog kills a child whose input runs this long (default 5000)
  --rss-mb N      RSS limit (default 512)
  --out DIR       where crashers go (default fuzz/crashers)
  --replay FILE.. run these inputs once through TARGET instead of fuzzing
  --list          print the targets`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    targets: [],
    runs: Number.POSITIVE_INFINITY,
    seconds: Number.NaN,
    seed: 1,
    jobs: 1,
    coverage: false,
    timeoutMs: 1000,
    hangMs: 5000,
    rssMb: 512,
    out: join(ROOT, 'fuzz', 'crashers'),
    replay: [],
  };
  const num = (i: number) => {
    const v = Number(argv[i]);
    if (!Number.isFinite(v) || v < 0) usage(`${argv[i - 1]} needs a number, got ${argv[i]}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seconds') o.seconds = num(++i);
    else if (a === '--runs') o.runs = num(++i);
    else if (a === '--seed') o.seed = num(++i);
    else if (a === '--jobs') o.jobs = Math.max(1, num(++i));
    else if (a === '--no-coverage') o.coverage = false;
    else if (a === '--coverage') o.coverage = true;
    else if (a === '--timeout-ms') o.timeoutMs = num(++i);
    else if (a === '--hang-ms') o.hangMs = num(++i);
    else if (a === '--rss-mb') o.rssMb = num(++i);
    else if (a === '--out') o.out = argv[++i] ?? usage('--out needs a directory');
    else if (a === '--replay') o.replay = argv.slice(i + 1);
    else if (a === '--list') {
      for (const t of TARGETS) console.log(`${t.name.padEnd(18)} ${t.about}`);
      process.exit(0);
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else o.targets.push(...a.split(','));
    if (a === '--replay') break;
  }
  if (o.targets.length === 0) usage('name a target, or all');
  if (o.targets.includes('all')) o.targets = TARGETS.map((t) => t.name);
  for (const t of o.targets) if (!targetNamed(t)) usage(`no target ${t}; --list shows them`);
  if (Number.isNaN(o.seconds)) o.seconds = Number.isFinite(o.runs) ? Number.POSITIVE_INFINITY : 60;
  return o;
}

function usage(message: string): never {
  console.error(`fuzz: ${message}\n${USAGE}`);
  process.exit(2);
}

interface Summary {
  target: string;
  runs: number;
  crashes: Map<string, Crash & { file: string }>;
  peakRss: number;
  slowestMs: number;
  corpus: number;
  blocks: number;
  restarts: number;
  seconds: number;
  harnessFailed?: boolean;
}

const HEADER = 16;
const PAGE = 4096;
/** worker.ts exits with this when the harness itself failed (seeds, setup). */
const HARNESS_FAILED = 70;

function rssOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE;
  } catch {
    return 0;
  }
}

/** The in-flight file: input number, start time (0 when idle), the input's bytes. */
function readInflight(path: string): { index: number; started: number; input: Buffer } | null {
  try {
    const b = readFileSync(path);
    if (b.length < HEADER) return null;
    const length = b.readUInt32LE(4);
    return {
      index: b.readUInt32LE(0),
      started: b.readDoubleLE(8),
      input: b.subarray(HEADER, HEADER + length),
    };
  } catch {
    return null;
  }
}

function saveCrash(o: Options, s: Summary, crash: Crash, input: Uint8Array, minimized: Uint8Array): void {
  if (s.crashes.has(crash.key)) return;
  const dir = join(o.out, s.target);
  mkdirSync(dir, { recursive: true });
  const sha = createHash('sha1').update(minimized).digest('hex');
  const file = join(dir, sha);
  writeFileSync(file, minimized);
  if (minimized.length !== input.length) writeFileSync(`${file}.orig`, input);
  const note = [
    `target: ${s.target}`,
    `kind: ${crash.kind}`,
    `key: ${crash.key}`,
    `message: ${crash.message.slice(0, 2000)}`,
    `size: ${minimized.length} bytes (found at ${input.length})`,
    `replay: npm run fuzz -- ${s.target} --replay ${file}`,
    '',
    crash.stack,
  ].join('\n');
  writeFileSync(`${file}.txt`, `${note}\n`);
  s.crashes.set(crash.key, { ...crash, file });
  const rel = file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file;
  console.log(`CRASH ${s.target}: ${crash.key}\n  ${crash.message.split('\n')[0]!.slice(0, 300)}`);
  console.log(`  ${rel} (${minimized.length} bytes, found at ${input.length})`);
  const hex = Buffer.from(minimized.subarray(0, 48)).toString('hex').replace(/(..)/g, '$1 ');
  console.log(`  ${hex}${minimized.length > 48 ? '…' : ''}`);
  // Small enough to carry in a CI log: the crasher can be made into a fixture from the log alone.
  if (minimized.length <= 4096) console.log(`  base64: ${Buffer.from(minimized).toString('base64')}`);
}

const WORKER = join(import.meta.dirname, 'worker.js');

/** One child run of a target; resolves with why it ended. */
function runChild(
  o: Options,
  s: Summary,
  cfg: WorkerConfig,
): Promise<{ done: boolean; killed: 'oom' | 'hang' | null; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = fork(WORKER, [JSON.stringify(cfg)], {
      serialization: 'advanced',
      execArgv: ['--expose-gc', '--max-old-space-size=512'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let done = false;
    let killed: 'oom' | 'hang' | null = null;
    const base = s.runs;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'crash') saveCrash(o, s, m, m.input, m.minimized);
      else {
        s.runs = base + m.runs;
        s.peakRss = Math.max(s.peakRss, m.peakRss);
        s.slowestMs = Math.max(s.slowestMs, m.slowestMs);
        s.corpus = m.corpus;
        s.blocks = m.blocks;
        if (m.type === 'done') done = true;
      }
    });
    const watchdog = setInterval(() => {
      const rss = rssOf(child.pid!);
      s.peakRss = Math.max(s.peakRss, rss);
      const now = readInflight(cfg.inflight);
      if (rss > cfg.rssLimit) killed = 'oom';
      else if (now && now.started > 0 && Date.now() - now.started > o.hangMs) killed = 'hang';
      if (killed) child.kill('SIGKILL');
    }, 100);
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      if (!done && !killed && stderr) process.stderr.write(stderr);
      resolve({ done, killed, code, signal });
    });
  });
}

async function runTarget(o: Options, name: string, work: string): Promise<Summary> {
  const s: Summary = {
    target: name,
    runs: 0,
    crashes: new Map(),
    peakRss: 0,
    slowestMs: 0,
    corpus: 0,
    blocks: 0,
    restarts: 0,
    seconds: 0,
  };
  const started = Date.now();
  const inflight = join(work, `${name}.inflight`);
  const skipSeeds: number[] = [];
  for (;;) {
    const left = o.seconds - (Date.now() - started) / 1000;
    const cfg: WorkerConfig = {
      target: name,
      // JSON has no Infinity: a budget without a bound is the largest safe integer.
      runs: Math.min(o.runs - s.runs, Number.MAX_SAFE_INTEGER),
      seconds: Math.min(left, Number.MAX_SAFE_INTEGER),
      seed: o.seed + s.restarts * 7919,
      coverage: o.coverage,
      timeoutMs: o.timeoutMs,
      rssLimit: o.rssMb * 2 ** 20,
      inflight,
      skipSeeds,
      ...(o.replay.length > 0 ? { replay: o.replay } : {}),
    };
    // The last child's header would read as an input in flight since it was killed.
    rmSync(inflight, { force: true });
    const end = await runChild(o, s, cfg);
    if (process.env.KABI_FUZZ_DEBUG === '1') console.log(`${name}: child ended`, end, `runs ${s.runs}`);
    if (end.done) break;
    if (end.code === HARNESS_FAILED) {
      // The worker said why on stderr (shown above): a fault of the harness, not a crash of a reader.
      s.harnessFailed = true;
      break;
    }
    // The child died: the input in flight is the crasher.
    const at = readInflight(inflight);
    const input = at?.input ?? Buffer.alloc(0);
    if (at) {
      s.runs = Math.max(s.runs, at.index);
      skipSeeds.push(at.index);
    }
    const kind = end.killed ?? (end.signal === 'SIGABRT' || end.code === 134 ? 'oom' : 'error');
    const message =
      end.killed === 'hang'
        ? `input still running after ${o.hangMs} ms; killed`
        : end.killed === 'oom'
          ? `RSS passed ${o.rssMb} MB; killed`
          : `worker exited (code ${end.code}, signal ${end.signal})`;
    saveCrash(
      o,
      s,
      { kind, key: kind === 'error' ? `exit ${end.code ?? end.signal}` : kind, message, stack: '' },
      input,
      input,
    );
    s.restarts++;
    if (o.replay.length > 0 || s.restarts > 5 || s.runs >= o.runs || Date.now() - started > o.seconds * 1000)
      break;
  }
  s.seconds = (Date.now() - started) / 1000;
  return s;
}

function table(summaries: Summary[]): string {
  const rows = [['target', 'inputs', 'inputs/s', 'crashes', 'peak RSS', 'slowest', 'corpus', 'blocks']];
  for (const s of summaries)
    rows.push([
      s.target,
      String(s.runs),
      String(Math.round(s.runs / Math.max(s.seconds, 0.001))),
      String(s.crashes.size),
      `${Math.round(s.peakRss / 2 ** 20)} MB`,
      `${Math.round(s.slowestMs)} ms`,
      String(s.corpus),
      String(s.blocks),
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(fastTmp(), 'kabi-fuzz-'));
  const queue = [...o.targets];
  const summaries: Summary[] = [];
  const t0 = Date.now();
  try {
    await Promise.all(
      Array.from({ length: Math.min(o.jobs, queue.length) }, async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const s = await runTarget(o, name, work);
          summaries.push(s);
          console.log(
            `${name}: ${s.runs} inputs in ${s.seconds.toFixed(1)} s, ${s.crashes.size} crash(es), peak RSS ${Math.round(s.peakRss / 2 ** 20)} MB, slowest ${Math.round(s.slowestMs)} ms`,
          );
        }
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  summaries.sort((a, b) => o.targets.indexOf(a.target) - o.targets.indexOf(b.target));
  console.log(`\n${table(summaries)}\n`);
  const crashes = summaries.flatMap((s) => [...s.crashes.values()].map((c) => ({ target: s.target, ...c })));
  console.log(
    `${summaries.length} target(s), seed ${o.seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s: ${crashes.length} distinct crash(es)`,
  );
  for (const c of crashes) console.log(`  ${c.target}: ${c.key} → ${c.file}`);
  const failed = summaries.filter((s) => s.harnessFailed).map((s) => s.target);
  if (failed.length > 0) console.log(`the harness failed on: ${failed.join(', ')} (see above)`);
  process.exitCode = crashes.length > 0 || failed.length > 0 ? 1 : 0;
}

await main();
