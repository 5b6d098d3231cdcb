// Outside tools the tests compare against (modprobe, bpftool, rpm, chromium, ...) are looked up on PATH
// only, never at fixed paths: a test that needs one skips with a one-line reason when it is absent, and
// .ci/run proves it by running the suite once with these tools hidden from PATH.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

/** The path of `tool` in a PATH directory (executable, not a directory), or undefined. */
export function which(tool: string): string | undefined {
  if (found.has(tool)) return found.get(tool);
  let path: string | undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) {
        path = candidate;
        break;
      }
    } catch {
      // not in this directory
    }
  }
  found.set(tool, path);
  return path;
}

/**
 * A skip reason naming the tools that are not on PATH, or false when all are:
 * `it('…', { skip: needs('modprobe') }, …)`.
 */
export function needs(...tools: string[]): string | false {
  const missing = tools.filter((t) => which(t) === undefined);
  return missing.length === 0 ? false : `needs ${missing.join(', ')} (not on PATH)`;
}

/** The path of a tool the caller has checked with `needs`; throws, naming it, when it is absent. */
export function tool(name: string): string {
  const path = which(name);
  if (path === undefined) throw new Error(`${name} is not on PATH: guard the test with needs('${name}')`);
  return path;
}
