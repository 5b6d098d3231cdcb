// What counts as one crash: the error's type and the top frame of its stack (file and line, no column),
// as libFuzzer and Jazzer dedupe. A stack overflow's top frame is wherever the recursion was when it ran
// out, so one overflow keeps one key as long as the recursion is the same.
import { relative } from 'node:path';

export interface Crash {
  /** `error`: an error that is not a KabiError; `slow`: over the time limit; `rss`/`oom`: memory; `hang`. */
  kind: 'error' | 'slow' | 'rss' | 'oom' | 'hang';
  /** Dedupe key: error type + top frame, or the kind for resource limits. */
  key: string;
  message: string;
  stack: string;
}

const ROOT = new URL('../..', import.meta.url).pathname;

function topFrame(stack: string): string {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (m) return `${relative(ROOT, m[1]!)}:${m[2]}`;
    if (/^\s*at /.test(line)) return line.trim().replace(/:\d+\)?$/, '');
  }
  return '?';
}

export function crashOf(error: unknown, kind: Crash['kind']): Crash {
  if (error instanceof Error) {
    const stack = error.stack ?? '';
    return { kind, key: `${error.name}@${topFrame(stack)}`, message: error.message, stack };
  }
  return { kind, key: `throw ${typeof error}`, message: String(error), stack: '' };
}
