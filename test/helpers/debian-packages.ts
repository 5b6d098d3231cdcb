// Real Debian kernel packages for the integration tests: taken from a cache directory when there,
// else fetched with `apt-get download`. Returns null (the test skips) when neither works.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, tool } from './tools.js';

const CACHE = process.env.KABI_DEB_CACHE ?? join(tmpdir(), 'kabi-tracker-debs');
const DEV_CACHE = '/work/cache';

function find(dir: string, pkg: string): string | null {
  if (!existsSync(dir)) return null;
  const f = readdirSync(dir).find((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
  return f ? join(dir, f) : null;
}

export function debianPackage(pkg: string): { path: string } | { skip: string } {
  const cached = find(DEV_CACHE, pkg) ?? find(CACHE, pkg);
  if (cached) return { path: cached };
  const missing = needs('apt-get');
  if (missing) return { skip: `${pkg} is not cached in ${CACHE}; ${missing}` };
  mkdirSync(CACHE, { recursive: true });
  try {
    execFileSync(tool('apt-get'), ['download', pkg], { cwd: CACHE, stdio: 'pipe', timeout: 300_000 });
  } catch (e) {
    return {
      skip: `cannot download ${pkg} (offline or no apt): ${String((e as Error).message).split('\n')[0]}`,
    };
  }
  const got = find(CACHE, pkg);
  return got ? { path: got } : { skip: `apt-get download ${pkg} left no .deb in ${CACHE}` };
}
