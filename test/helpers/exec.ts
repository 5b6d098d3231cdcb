import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const KABI = join(import.meta.dirname, '..', '..', '..', 'bin', 'kabi.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `kabi` binary as a user would, without colours. */
export function kabi(args: string[], opts: { cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [KABI, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
