// kmod's `modprobe --dump-modversions`, the reference for a module's imports, over thousands of modules:
// one shell per batch runs modprobe on each module of the batch, four batches at a time. A process per
// module spawned from Node costs about as much CPU again as modprobe itself (a fork of a large process).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tool } from './tools.js';

const run = promisify(execFile);

// Each module's output, a NUL (never in a symbol name), modprobe's exit status, a NUL.
const SCRIPT = 'for m; do "$0" --dump-modversions "$m"; printf "\\0%s\\0" "$?"; done';
const BATCH = 250;

/** Each module's `modprobe --dump-modversions` output, as modprobe prints it; throws when one fails. */
export async function dumpModversions(modules: readonly string[]): Promise<Map<string, string>> {
  const batches: string[][] = [];
  for (let i = 0; i < modules.length; i += BATCH) batches.push(modules.slice(i, i + BATCH));
  const out = new Map<string, string>();
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
        const { stdout } = await run('sh', ['-c', SCRIPT, tool('modprobe'), ...b], {
          maxBuffer: 1 << 28,
          encoding: 'utf8',
        });
        const parts = stdout.split('\0');
        b.forEach((m, i) => {
          const status = parts[2 * i + 1];
          if (status !== '0') throw new Error(`modprobe --dump-modversions ${m} exited ${status}`);
          out.set(m, parts[2 * i]!);
        });
      }
    }),
  );
  return out;
}
