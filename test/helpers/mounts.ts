// File systems the tests make to see how kabi meets its environment: a tiny tmpfs (a full disk) and a
// read-only bind mount, each in a private mount namespace (`unshare -m`, as root), so that nothing is
// mounted for anyone else and everything is gone when the command ends.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, tool } from './tools.js';

let probed: string | false | undefined;

/** A skip reason when this machine cannot mount in a private namespace, else false. */
export function needsMounts(): string | false {
  if (probed !== undefined) return probed;
  const missing = needs('unshare', 'mount', 'sh');
  if (missing) {
    probed = missing;
    return probed;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kabi-mount-probe-'));
  const r = spawnSync(tool('unshare'), ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${dir}'`], {
    encoding: 'utf8',
  });
  probed = r.status === 0 ? false : `cannot mount in a private namespace (unshare -m: ${r.stderr.trim()})`;
  return probed;
}

/** `sh -c` text that makes `dir` read-only (a bind mount of itself) in the namespace it runs in. */
export const readOnlyDir = (dir: string) =>
  `mount --bind '${dir}' '${dir}' && mount -o remount,ro,bind '${dir}' '${dir}'`;

/** `sh -c` text that mounts a tmpfs of `size` (e.g. 4m) on `dir`. */
export const tmpfsAt = (dir: string, size: string) => `mount -t tmpfs -o size=${size} tmpfs '${dir}'`;

/** Runs `script` with `sh -c` in a private mount namespace; the arguments are $1, $2, ... */
export function inMountNamespace(script: string, args: string[] = []) {
  const r = spawnSync(tool('unshare'), ['-m', 'sh', '-c', script, 'sh', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
