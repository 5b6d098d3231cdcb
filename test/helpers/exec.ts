import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMatchesSchema, schemaOfArgs } from './json-validate.js';
import { memoised } from './run-cache.js';

export const KABI = join(import.meta.dirname, '..', '..', '..', 'bin', 'kabi.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `kabi` binary as a user would, without colours (under npm test, a store-free command an
 * earlier file ran on the same inputs answers from the run's memo: test/helpers/run-cache.ts).
 */
export function kabi(args: string[], opts: { cwd?: string } = {}): Run {
  const t0 = CALL_LOG ? callClock() : null;
  const r = memoised(args, opts.cwd ?? process.cwd(), () => {
    const { status, stdout, stderr } = spawnSync(process.execPath, [KABI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    return { status, stdout, stderr };
  });
  if (t0) logCall(args, t0);
  // A command that answered in JSON answered with one document its published schema accepts.
  const schema = schemaOfArgs(args);
  if (schema && r.stdout && [0, 4, 8, 12].includes(r.status ?? -1)) assertMatchesSchema(schema, r.stdout);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// KABI_TEST_CALL_LOG=FILE: one JSON line per kabi() call (its wall and waited-children CPU seconds), to see
// where a run's time goes.
const CALL_LOG = process.env.KABI_TEST_CALL_LOG;
const callClock = () => ({ wall: performance.now(), cpu: childrenCpuSeconds() });

/**
 * CPU seconds (user + system) of this process's waited-for children so far (`kabi()` waits for its
 * command): a command's own cost, which other processes on the machine do not stretch as they do its wall
 * time. From /proc/self/stat, in USER_HZ (100 on every Linux architecture).
 */
export function childrenCpuSeconds(): number {
  const st = readFileSync('/proc/self/stat', 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}
function logCall(args: string[], t0: { wall: number; cpu: number }): void {
  const t1 = callClock();
  const line = {
    file: process.argv[1],
    args: args.join(' ').slice(0, 300),
    wall: (t1.wall - t0.wall) / 1000,
    cpu: t1.cpu - t0.cpu,
  };
  appendFileSync(CALL_LOG!, `${JSON.stringify(line)}\n`);
}

/** Ingests kernel builds into a store as one series, in the order given: `-l stream=S -l seq=NN`. */
export function ingestSeries(db: string, stream: string, files: readonly string[]): void {
  files.forEach((file, i) => {
    const seq = `seq=${String(i).padStart(2, '0')}`;
    const r = kabi(['--db', db, 'ingest', '-l', `stream=${stream}`, '-l', seq, file]);
    if (r.status !== 0) throw new Error(`kabi ingest ${file} exited ${r.status}: ${r.stderr}`);
  });
}
