// Real Debian kernel packages for the integration tests: taken from a cache directory when there,
// else fetched with `apt-get download` (for another suite or architecture, with an apt configuration of
// the test's own: sources.list, lists and cache under the cache directory). Returns a skip reason when
// neither works. Test files run several at a time: a download goes to a directory of its own and is renamed
// into the cache whole, under a lock per package, so that two files wanting the same package download it
// once and neither reads a half-written one.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAptSources } from '../../src/readers/repo/apt-sources.js';
import { needs, tool } from './tools.js';

const CACHE = process.env.KABI_DEB_CACHE ?? join(tmpdir(), 'kabi-tracker-debs');
const DEV_CACHE = '/work/cache';

function find(dir: string, pkg: string): string | null {
  if (!existsSync(dir)) return null;
  const f = readdirSync(dir).find((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
  return f ? join(dir, f) : null;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Whether the process that wrote a lock file is gone (a killed test run leaves its lock behind). */
function staleLock(lock: string): boolean {
  try {
    process.kill(Number(readFileSync(lock, 'utf8')), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** `fn` under the lock file `name` in the cache, waiting while another test process holds it. */
function locked<T>(name: string, fn: () => T): T {
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `.${name}.lock`);
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (existsSync(lock) && staleLock(lock)) rmSync(lock, { force: true });
      else Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** `apt-get download` into a directory of its own, the .deb then renamed into the cache whole. */
function download(pkg: string, aptArgs: string[], timeout: number): void {
  const tmp = mkdtempSync(join(CACHE, '.download-'));
  try {
    execFileSync(tool('apt-get'), [...aptArgs, 'download', pkg], { cwd: tmp, stdio: 'pipe', timeout });
    const got = find(tmp, pkg);
    if (got) renameSync(got, join(CACHE, got.slice(tmp.length + 1)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function debianPackage(pkg: string): { path: string } | { skip: string } {
  const cached = find(DEV_CACHE, pkg) ?? find(CACHE, pkg);
  if (cached) return { path: cached };
  const missing = needs('apt-get');
  if (missing) return { skip: `${pkg} is not cached in ${CACHE}; ${missing}` };
  return locked(pkg, () => {
    // Another file may have downloaded it while this one waited.
    if (!find(CACHE, pkg)) {
      try {
        download(pkg, [], 300_000);
      } catch (e) {
        return {
          skip: `cannot download ${pkg} (offline or no apt): ${String((e as Error).message).split('\n')[0]}`,
        };
      }
    }
    const got = find(CACHE, pkg);
    return got ? { path: got } : { skip: `apt-get download ${pkg} left no .deb in ${CACHE}` };
  });
}

/** Another suite or architecture than the machine's: apt gets a configuration of its own for it. */
export interface AptTarget {
  suite: string;
  arch: string;
}

const LISTS_FRESH_MS = 24 * 3600 * 1000;

/** The Debian mirror this machine's apt uses (its main and security archives), else deb.debian.org. */
async function debianMirrors(): Promise<{ main: string; security: string }> {
  const fallback = {
    main: 'http://deb.debian.org/debian',
    security: 'http://deb.debian.org/debian-security',
  };
  const { sources } = await readAptSources();
  const uris = sources.filter((s) => s.enabled && s.types.includes('deb')).flatMap((s) => s.uris);
  const main = uris.find((u) => /^https?:\/\/.*\/debian\/?$/.test(u));
  const security = uris.find((u) => /^https?:\/\/.*\/debian-security\/?$/.test(u));
  return {
    main: main?.replace(/\/$/, '') ?? fallback.main,
    security: security?.replace(/\/$/, '') ?? fallback.security,
  };
}

/** `apt-get`/`apt-cache` arguments that point apt at `target`'s own sources, lists and cache. */
async function aptFor(target: AptTarget): Promise<string[] | { skip: string }> {
  const missing = needs('apt-get', 'apt-cache');
  if (missing) return { skip: missing };
  const dir = join(CACHE, 'apt', `${target.suite}-${target.arch}`);
  mkdirSync(join(dir, 'lists', 'partial'), { recursive: true });
  mkdirSync(join(dir, 'cache', 'archives', 'partial'), { recursive: true });
  const { main, security } = await debianMirrors();
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const signed = existsSync(keyring) ? `[signed-by=${keyring}] ` : '';
  const list = [
    `deb ${signed}${main} ${target.suite} main`,
    `deb ${signed}${main} ${target.suite}-updates main`,
    `deb ${signed}${security} ${target.suite}-security main`,
  ].join('\n');
  writeFileSync(join(dir, 'sources.list'), `${list}\n`);
  const args = [
    '-o',
    `Dir::Etc::sourcelist=${join(dir, 'sources.list')}`,
    '-o',
    'Dir::Etc::sourceparts=-',
    '-o',
    `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o',
    `Dir::Cache=${join(dir, 'cache')}`,
    '-o',
    `APT::Architecture=${target.arch}`,
    '-o',
    `APT::Architectures=${target.arch}`,
  ];
  const stamp = join(dir, 'updated');
  const fresh = () => existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < LISTS_FRESH_MS;
  if (fresh()) return args;
  return locked(`lists-${target.suite}-${target.arch}`, () => {
    if (fresh()) return args;
    try {
      execFileSync(tool('apt-get'), [...args, 'update'], { stdio: 'pipe', timeout: 300_000 });
      writeFileSync(stamp, '');
    } catch (e) {
      return { skip: `apt-get update for ${target.suite}/${target.arch} failed (offline?): ${firstLine(e)}` };
    }
    return args;
  });
}

const firstLine = (e: unknown) => String((e as Error).message).split('\n')[0];

/** The number in a kernel ABI name (`6.1.0-57`), for picking the newest. */
const abiNumber = (name: string) => Number(/-(\d+)-/.exec(name)?.[1] ?? -1);

/**
 * The newest package of `target` whose name matches `pattern` (e.g. the newest linux-image-6.1.0-N-s390x),
 * downloaded (or taken from the cache); offline, the newest one cached.
 */
export async function newestDebianPackage(
  pattern: RegExp,
  target: AptTarget,
): Promise<{ path: string; name: string } | { skip: string }> {
  const apt = await aptFor(target);
  const cachedNames = () =>
    [DEV_CACHE, CACHE]
      .filter(existsSync)
      .flatMap((d) => readdirSync(d))
      .filter((n) => n.endsWith(`_${target.arch}.deb`))
      .map((n) => n.split('_')[0]!)
      .filter((n) => pattern.test(n));
  let names: string[];
  if (Array.isArray(apt)) {
    const out = execFileSync(tool('apt-cache'), [...apt, 'pkgnames', 'linux-'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    names = out.split('\n').filter((n) => pattern.test(n));
  } else names = cachedNames();
  if (names.length === 0) {
    return {
      skip: `no package matching ${pattern} for ${target.suite}/${target.arch}${'skip' in apt ? `; ${apt.skip}` : ''}`,
    };
  }
  const name = names.sort((a, b) => abiNumber(a) - abiNumber(b)).at(-1)!;
  const got = await debianPackageFor(name, target);
  return 'path' in got ? { path: got.path, name } : got;
}

/** A package of another suite or architecture, from the cache or downloaded with apt configured for it. */
export async function debianPackageFor(
  pkg: string,
  target: AptTarget,
): Promise<{ path: string } | { skip: string }> {
  const cached = find(DEV_CACHE, pkg) ?? find(CACHE, pkg);
  if (cached) return { path: cached };
  const apt = await aptFor(target);
  if (!Array.isArray(apt)) return apt;
  return locked(pkg, () => {
    if (!find(CACHE, pkg)) {
      try {
        download(pkg, apt, 600_000);
      } catch (e) {
        return { skip: `cannot download ${pkg} for ${target.suite}/${target.arch}: ${firstLine(e)}` };
      }
    }
    const got = find(CACHE, pkg);
    return got ? { path: got } : { skip: `apt-get download ${pkg} left no .deb in ${CACHE}` };
  });
}
