// `kabi watch` run as a child process without blocking this one (the repository server or dashboard a
// test starts runs in it), each line of its JSON output checked against the published schema.
import { type ChildProcess, spawn } from 'node:child_process';
import { KABI } from '../helpers/exec.js';
import { assertMatchesSchema } from '../helpers/json-validate.js';

export interface Event {
  type: string;
  source: string;
  package: { name: string; version: string } | null;
  entry: { id: number; labels: Record<string, string> } | null;
  baseline: { id: number } | null;
  gate: { verdict: string; exitCode: number; summary: Record<string, number> } | null;
  compat: { modules: number; loads: number; fails: number; failing: { module: string }[] } | null;
  created: boolean | null;
  message: string | null;
  exitCode: number;
}

/** `kabi ARGS` without blocking this process (the repository server runs in it); events checked by schema. */
export function watch(args: string[]): Promise<{ status: number | null; events: Event[]; stderr: string }> {
  return startWatch(args).done;
}

export interface Running {
  child: ChildProcess;
  /** Its output so far. */
  stdout(): string;
  stderr(): string;
  /** Exit status (null when killed by a signal), events (each line checked by schema) and stderr. */
  done: Promise<{ status: number | null; events: Event[]; stderr: string }>;
}

/** `kabi ARGS` started: the child (to be killed), its output as it comes, and its end. */
export function startWatch(args: string[]): Running {
  const child = spawn(process.execPath, [KABI, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ status: number | null; events: Event[]; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const lines = stdout.split('\n').filter(Boolean);
      const events = lines.map((l) => assertMatchesSchema('watch-event', l) as Event);
      resolve({ status, events, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}
