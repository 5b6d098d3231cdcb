// npm test's run-wide memo of `kabi` answers that do not touch a store. Several files run the same
// command on the same inputs (a package's `kabi symvers` is asserted in one file and is the second
// computation of three others), and the PostgreSQL pass reruns whole files whose package decoding does
// not depend on the backend. scripts/test.mjs makes one fresh directory per run (KABI_TEST_RUN_CACHE);
// the first file to run a command runs it for real and writes its answer there, atomically; a later file
// (in either pass) asking the same question of the same build and the same unchanged inputs reads it.
// So every such command still runs end to end once per run, and every assertion sees a real answer; a
// file that asks the same twice (a determinism check) gets two runs: only another file's answer is read.
// Never memoised: anything with --db (the store is what the PostgreSQL pass is for), --update, commands
// outside READ_ONLY. `-o FILE` is: the file's bytes are part of the answer, written to the FILE of the
// later asker. Without KABI_TEST_RUN_CACHE (a file run alone), nothing is.
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Answer {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Kept extends Answer {
  /** What `-o FILE` wrote (base64), or null when it wrote nothing. */
  output?: string | null;
  /** The test process that ran it: a file asking twice (a determinism check) runs it twice. */
  pid: number;
}

const DIR = process.env.KABI_TEST_RUN_CACHE;
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Commands that only read their inputs and print (nothing they are given here makes them write). */
const READ_ONLY = new Set([
  'symvers',
  'diff',
  'compat',
  'modversions',
  'modinfo',
  'kfuncs',
  'impact',
  'explain',
  'why',
  'bpf-compat',
  'summary',
  'coverage',
  'interfaces',
]);
const WRITES = /^(--output=|--update|--db)/;
/** `-o FILE`: the file is part of the answer (kept, and written again on a hit), its name not. */
const OUTPUT = new Set(['-o', '--output']);
const MAX_FILES = 20_000;

/** A file's identity: size, change time and inode (a rewrite in place changes the time). */
export const identity = (path: string) => {
  const s = statSync(path, { bigint: true });
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
};

/** Every file below `dir` with its identity, or null when there are too many to be worth it. */
function treeIdentity(dir: string): string[] | null {
  const out: string[] = [];
  const walk = (d: string): boolean => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!walk(p)) return false;
      } else if (existsSync(p)) out.push(`${p} ${identity(p)}`);
      if (out.length > MAX_FILES) return false;
    }
    return true;
  };
  return walk(dir) ? out : null;
}

let build: string | undefined;

/** The built CLI: every file bin/kabi.js can load, by identity (a rebuild is another build). */
export function buildIdentity(): string {
  build ??= [
    join(ROOT, 'bin'),
    join(ROOT, 'dist', 'cli'),
    join(ROOT, 'dist', 'src'),
    join(ROOT, 'package.json'),
  ]
    .flatMap((p) =>
      statSync(p).isDirectory() ? (treeIdentity(p) ?? [String(Math.random())]) : [identity(p)],
    )
    .join('\n');
  return build;
}

/** The default store a command without --db would open (a ref names one of its entries). */
function defaultStore(): string {
  const db =
    process.env.KABI_DB ??
    join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'kabi-tracker', 'kabi.db');
  return [db, `${db}-wal`].map((p) => (existsSync(p) ? identity(p) : '-')).join(' ');
}

/** The memo's key for this command (and its `-o` file), or null when it must run. */
function keyOf(given: string[], cwd: string): { key: string; output: string | null } | null {
  if (!DIR || !READ_ONLY.has(given[0] ?? '') || given.some((a) => WRITES.test(a))) return null;
  const o = given.findIndex((a) => OUTPUT.has(a));
  if (o >= 0 && given.findIndex((a, i) => i > o && OUTPUT.has(a)) >= 0) return null;
  const output = o >= 0 && given[o + 1] ? resolve(cwd, given[o + 1]!) : null;
  const args = o >= 0 ? given.map((a, i) => (i === o + 1 ? '<output>' : a)) : given;
  const inputs: string[] = [];
  for (const a of args.flatMap((x) =>
    x.startsWith('-') && x.includes('=') ? [x.slice(x.indexOf('=') + 1)] : [x],
  )) {
    const p = resolve(cwd, a);
    if (!a || !existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      const tree = treeIdentity(p);
      if (!tree) return null;
      inputs.push(...tree);
    } else inputs.push(`${p} ${identity(p)}`);
  }
  const env = Object.entries(process.env)
    .filter(([k]) => /^(KABI_|XDG_|HOME$|PATH$|LANG|LC_|TZ$)/.test(k) && !k.startsWith('KABI_TEST_'))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const key = createHash('sha256')
    .update(JSON.stringify({ args, cwd, inputs, env, store: defaultStore(), build: buildIdentity() }))
    .digest('hex');
  return { key, output };
}

/**
 * `run()`'s answer, from this run's memo when an earlier file asked the same; else run and kept. One
 * asking while another process runs the same command waits for its answer (as oncePerRun does): the
 * PostgreSQL pass's copy of a file may start while its SQLite twin still reads the same package.
 */
export function memoised(args: string[], cwd: string, run: () => Answer): Answer {
  const asked = keyOf(args, cwd);
  if (!asked || !DIR) return run();
  const { key, output } = asked;
  const file = join(DIR, `${key}.json`);
  const lock = join(DIR, `${key}.lock`);
  for (;;) {
    if (existsSync(file)) {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as Kept;
      if (kept.pid === process.pid) return run();
      if (output && kept.output) writeFileSync(output, Buffer.from(kept.output, 'base64'));
      appendFileSync(join(DIR, 'log'), `hit ${args.slice(0, 3).join(' ')}\n`);
      return { status: kept.status, stdout: kept.stdout, stderr: kept.stderr };
    }
    // A file -o would replace is not the command's alone: run it.
    if (output && existsSync(output)) return run();
    if (takeLock(lock)) break;
    sleepSync(200);
  }
  try {
    const answer = run();
    if (answer.status === null) return answer; // killed: not an answer to keep
    const kept: Kept = {
      ...answer,
      pid: process.pid,
      output: output && existsSync(output) ? readFileSync(output).toString('base64') : null,
    };
    appendFileSync(join(DIR, 'log'), `ran ${args.slice(0, 3).join(' ')}\n`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(kept));
    renameSync(tmp, file);
    return answer;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Takes `lock` (a directory, made atomically) for this process; false while a live process holds it. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    const pidFile = join(lock, 'pid');
    const holder = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
    // Its holder died without an answer: the lock goes, and the next turn takes it.
    if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** kabi() is synchronous (spawnSync), so its wait is too. */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A value computed in a test process from the built library and some input files (files or trees), kept
 * in the run's memo under `name`: the first file to ask runs `compute` and keeps its JSON; a later one (in
 * either pass) reads it, and one asking while another computes waits for that answer instead of
 * computing it again. Without the run's memo (a file run alone), `compute` runs.
 */
export async function memoValue<T>(
  name: string,
  inputs: readonly string[],
  compute: () => Promise<T>,
): Promise<T> {
  if (!DIR) return compute();
  const ids = inputs.map((p) => {
    const tree = statSync(p).isDirectory() ? treeIdentity(p) : [identity(p)];
    return `${resolve(p)} ${tree ? tree.join(' ') : Math.random()}`;
  });
  const key = createHash('sha256')
    .update(JSON.stringify({ name, ids, build: buildIdentity() }))
    .digest('hex')
    .slice(0, 32);
  const { value, hit } = await oncePerRun(
    join(DIR, `value-${key}.json`),
    join(DIR, `value-${key}.lock`),
    compute,
  );
  appendFileSync(join(DIR, 'log'), `${hit ? 'hit' : 'ran'} value ${name}\n`);
  return value;
}

/**
 * The JSON kept at `done`, computed by one process of the run: the first to take `lock` (a directory,
 * made atomically) runs `compute` and keeps its answer; one asking meanwhile waits for that answer, or
 * takes the lock over when its holder died without one. `hit`: the answer was another's (or earlier).
 */
export async function oncePerRun<T>(
  done: string,
  lock: string,
  compute: () => Promise<T> | T,
): Promise<{ value: T; hit: boolean }> {
  for (;;) {
    if (existsSync(done)) return { value: JSON.parse(readFileSync(done, 'utf8')) as T, hit: true };
    if (takeLock(lock)) break;
    await sleep(200);
  }
  try {
    const value = await compute();
    writeFileSync(`${done}.tmp`, JSON.stringify(value));
    renameSync(`${done}.tmp`, done);
    return { value, hit: false };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
