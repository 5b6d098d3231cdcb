// Many `kabi` commands through the CLI's own entry points in one Node process: each argv goes to the quick
// entry's run() (dist/cli/quick.cjs) or main.js's main(), as bin/kabi.js hands it over, and what it writes
// to stdout and stderr is kept per case. A process per case costs a Node start each (~0.2 CPU-s); a file
// that checks hundreds of small commands against a reference tool spends most of its time there. What
// the process itself adds (exit code, nothing written at exit) is test/cli/quick-modules.test.ts's to check
// on real `kabi` processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KABI } from './exec.js';

export const DIST_CLI = join(KABI, '..', '..', 'dist', 'cli');

export interface Outcome {
  /** Whether main.js was loaded (the quick entry declined the case, or had an error reported). */
  loaded: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

// Runs each argv (after `kabi`) through quick.cjs's run() or main.js's main(), as bin/kabi.js would, keeping
// the bytes written to stdout and stderr; prints the outcomes as JSON (base64) on the real stdout at the end.
const DRIVER = `
const { createRequire } = await import('node:module');
const [which, cli, cases] = [process.env.DRIVER_PATH, process.env.DRIVER_CLI, JSON.parse(process.env.DRIVER_CASES)];
let loaded = false;
const load = () => {
  loaded = true;
  return import(new URL('main.js', cli).href);
};
const quick = createRequire(new URL('quick.cjs', cli))('./quick.cjs');
const out = process.stdout.write, err = process.stderr.write;
const results = [];
for (const args of cases) {
  const bytes = { stdout: [], stderr: [] };
  const keep = (to) => (chunk, enc, cb) => {
    bytes[to].push(Buffer.from(chunk, typeof enc === 'string' ? enc : undefined));
    (typeof enc === 'function' ? enc : cb)?.();
    return true;
  };
  process.stdout.write = keep('stdout');
  process.stderr.write = keep('stderr');
  const listeners = process.stdout.listeners('error');
  const argv = ['node', 'kabi', ...args];
  let status;
  loaded = false;
  try {
    const viaQuick = which === 'quick' || (which === 'kabi' && ['diff', 'modversions', 'modinfo'].includes(args[0]));
    status = viaQuick ? await quick.run(argv, load) : await (await load()).main(argv);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    // Each run adds main.ts's EPIPE listener; one case's must not count against the next (MaxListeners).
    for (const l of process.stdout.listeners('error')) if (!listeners.includes(l)) process.stdout.off('error', l);
  }
  results.push({ loaded, status, stdout: Buffer.concat(bytes.stdout).toString('base64'), stderr: Buffer.concat(bytes.stderr).toString('base64') });
}
out.call(process.stdout, JSON.stringify(results));
`;

/**
 * Each case through the quick entry (`quick`), main.js (`main`), or whichever bin/kabi.js would take it to
 * (`kabi`: the quick entry for diff, modversions and modinfo, which hands on what it declines).
 */
export function drive(which: 'quick' | 'main' | 'kabi', cases: string[][]): Outcome[] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', DRIVER], {
    env: {
      ...process.env,
      NO_COLOR: '1',
      DRIVER_PATH: which,
      DRIVER_CLI: `${pathToFileURL(DIST_CLI).href}/`,
      DRIVER_CASES: JSON.stringify(cases),
    },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', `the ${which} driver wrote outside its cases`);
  return (JSON.parse(r.stdout) as Outcome[]).map((o) => ({
    loaded: o.loaded,
    status: o.status,
    stdout: Buffer.from(o.stdout, 'base64').toString('latin1'),
    stderr: Buffer.from(o.stderr, 'base64').toString('latin1'),
  }));
}
