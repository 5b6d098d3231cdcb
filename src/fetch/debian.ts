// `kabi fetch debian`: the kernel packages of a Debian suite, downloaded and verified, ready to ingest.
// The mirror comes from the machine's apt configuration (each suite may have its own URI, as the
// security archive does) unless given; nothing here names a mirror.
//
//   <mirror>/dists/<suite>/main/binary-<arch>/Packages.xz   (else .gz, else plain)
//   <mirror>/<Filename>                                     one .deb per selected package, SHA256 from the index
//
// The index itself is not signature-checked (no keyring handling here): use an https mirror, or one apt
// already trusts, when that matters. Every .deb is checked against the index's SHA256 as it streams.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KabiError, UsageError } from '../errors.js';
import { compareDebianVersions } from '../model/debian-version.js';
import { decompress } from '../readers/compression.js';
import { decodeText } from '../readers/lines.js';
import { mirrorForSuite, readAptSources } from '../readers/repo/apt-sources.js';
import { type DebianPackage, parsePackagesIndex } from '../readers/repo/debian-packages.js';
import { downloadVerified, FetchError, getBytes, hasContent } from './http.js';
import { writeManifest } from './manifest.js';

export { FetchError } from './http.js';

export interface KernelPackage {
  name: string;
  version: string;
  /** The kernel ABI name, e.g. `6.1.0-47`: `uname -r` is `<abi>-<flavour>`. */
  abi: string;
  flavour: string;
  /** `headers` holds `usr/src/linux-headers-<abi>-<flavour>/Module.symvers`; `image` the modules. */
  kind: 'headers' | 'image';
  /** Path below the mirror root. */
  filename: string;
  size: number;
  sha256: string;
}

export interface SelectOptions {
  flavour: string;
  /** Also the linux-image packages (`-unsigned` where the index has it). */
  images?: boolean;
  /** Keeps only packages whose name matches. */
  match?: RegExp;
}

/**
 * An ABI name: a three-part version, then `-`-separated parts that each start with a digit (6.1.0-47,
 * 6.12.48+deb13, 6.1.0-0.deb11.13). A series meta-package (`linux-headers-6.12-amd64`) has two parts.
 */
const ABI = String.raw`\d+\.\d+\.\d+[a-z0-9.+~]*(?:-\d[a-z0-9.+~]*)*`;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The headers (and images) of every ABI the index lists for one flavour, newest version of each name.
 * Meta-packages (`linux-headers-amd64`) carry no ABI and `-dbg` packages end in the wrong suffix, so the
 * anchored patterns leave them out; a flavour's neighbours (`cloud-amd64` for `amd64`) fail the ABI shape.
 * A package that depends on another of its own kind is a meta-package whatever its name, and is left out
 * too (6.12's real headers depend on their image, so kinds are not mixed).
 */
export function selectKernelPackages(packages: DebianPackage[], o: SelectOptions): KernelPackage[] {
  const f = escapeRegExp(o.flavour);
  const headers = new RegExp(`^linux-headers-(${ABI})-${f}$`);
  const image = new RegExp(`^linux-image-(${ABI})-${f}(-unsigned)?$`);
  const wanted = (name: string) => headers.test(name) || (o.images === true && image.test(name));
  const newest = new Map<string, DebianPackage>();
  for (const p of packages) {
    if (!wanted(p.name) || p.name.endsWith('-dbg')) continue;
    const prev = newest.get(p.name);
    if (prev === undefined || compareDebianVersions(p.version, prev.version) > 0) newest.set(p.name, p);
  }
  const chosen: KernelPackage[] = [];
  for (const p of newest.values()) {
    const h = headers.exec(p.name);
    const m = h ?? image.exec(p.name)!;
    // The signed image re-packs the -unsigned one's modules with signatures appended: same exports.
    if (h === null && m[2] === undefined && newest.has(`${p.name}-unsigned`)) continue;
    if (dependsOn(p, (n) => (h === null ? image : headers).test(n))) continue;
    if (o.match !== undefined && !o.match.test(p.name)) continue;
    const kind = h === null ? 'image' : 'headers';
    const { name, version, filename, size, sha256 } = p;
    chosen.push({ name, version, abi: m[1]!, flavour: o.flavour, kind, filename, size, sha256 });
  }
  return chosen.sort(
    (a, b) =>
      compareDebianVersions(a.abi, b.abi) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

/** Whether any alternative of any dependency names a package `is` accepts. */
function dependsOn(p: DebianPackage, is: (name: string) => boolean): boolean {
  return p.depends.some((d) => d.split('|').some((alt) => is(alt.trim().split(/[\s(:]/)[0]!)));
}

const ARCH_OF_FLAVOUR: [RegExp, string | null][] = [
  [/(^|-)amd64$/, 'amd64'],
  [/(^|-)arm64(-16k)?$/, 'arm64'],
  [/^powerpc64le(-64k)?$/, 'ppc64el'],
  [/^686(-pae)?$/, 'i386'],
  [/^armmp(-lpae)?$/, 'armhf'],
  [/^(marvell|rpi)$/, 'armel'],
  [/^(s390x|riscv64|loong64)$/, null], // the flavour is the architecture
];

/** Debian's architecture for a kernel flavour, when the flavour's name says it; null for mips and the like. */
export function archOfFlavour(flavour: string): string | null {
  for (const [re, arch] of ARCH_OF_FLAVOUR) if (re.test(flavour)) return arch ?? flavour;
  return null;
}

export type FetchProgress =
  | { type: 'index'; url: string }
  | { type: 'plan'; files: number; bytes: number }
  | { type: 'bytes'; bytes: number }
  | { type: 'package'; pkg: FetchedPackage };

export interface FetchDebianOptions extends SelectOptions {
  suite: string;
  /** Debian architecture; default from the flavour (`cloud-amd64` → amd64). */
  arch?: string;
  /** Repository root; default: the URI the machine's apt configuration gives for the suite. */
  mirror?: string;
  /** Where apt's configuration lives; default `/etc/apt`. */
  aptDir?: string;
  component?: string;
  outDir: string;
  /** Select and report, download nothing, write nothing. */
  dryRun?: boolean;
  /** Downloads at a time; default 2 (mirrors ask clients to be gentle). */
  concurrency?: number;
  /** Milliseconds without data before a request fails; default 60 s. */
  timeoutMs?: number;
  /** Largest package accepted, whatever the index says; default 1 GiB. */
  maxPackageBytes?: number;
  /** Largest index accepted, compressed or not; default 256 MiB. */
  maxIndexBytes?: number;
  onProgress?: (event: FetchProgress) => void;
}

export interface FetchedPackage extends KernelPackage {
  url: string;
  /** Where the .deb is (or, in a dry run, would be). */
  file: string;
  /** `present`: already there with the right hash; `planned`: a dry run would download it. */
  status: 'downloaded' | 'present' | 'planned';
}

export interface FetchDebianResult {
  mirror: string;
  /** `--mirror`, or the apt file and line that named the mirror. */
  mirrorFrom: string;
  indexUrl: string;
  /** Packages the index lists, all names. */
  indexed: number;
  packages: FetchedPackage[];
  /** The manifest written, null in a dry run. */
  manifest: string | null;
}

const MiB = 1024 * 1024;

/** Fetches the index, selects the kernel packages, downloads what is missing and writes the manifest. */
export async function fetchDebian(o: FetchDebianOptions): Promise<FetchDebianResult> {
  checkNames({ suite: o.suite, flavour: o.flavour });
  const arch = o.arch ?? archOfFlavour(o.flavour);
  if (arch === null)
    throw new UsageError(`cannot tell the architecture of flavour ${o.flavour}; pass --arch`);
  checkNames({ architecture: arch });
  const { uri: mirror, from: mirrorFrom } = await resolveMirror(o, arch);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const index = await fetchIndex(`${mirror}/dists/${o.suite}/${o.component ?? 'main'}/binary-${arch}/`, o);
  const packages = await plan(selectKernelPackages(index.packages, o), mirror, index.url, o);
  const result = {
    mirror,
    mirrorFrom,
    indexUrl: index.url,
    indexed: index.packages.length,
    packages,
    manifest: null,
  };
  if (o.dryRun) return result;
  await mkdir(o.outDir, { recursive: true });
  const failures = await downloadAll(packages, { ...o, timeoutMs });
  const done = packages.filter((p) => !failures.has(p));
  const manifest = await writeManifest(o.outDir, done, { suite: o.suite, arch });
  if (failures.size > 0) throw downloadsFailed(failures, packages);
  return { ...result, manifest };
}

/** Where each package goes, and whether it is already there. */
async function plan(selected: KernelPackage[], mirror: string, indexUrl: string, o: FetchDebianOptions) {
  const max = o.maxPackageBytes ?? 1024 * MiB;
  const packages: FetchedPackage[] = [];
  for (const k of selected) {
    const file = join(o.outDir, poolBasename(k.filename, indexUrl));
    if (k.size > max)
      throw new KabiError(`${indexUrl}: ${k.name} is ${k.size} bytes, above the limit of ${max}`);
    const status = (await hasContent(file, k)) ? 'present' : o.dryRun ? 'planned' : 'downloaded';
    packages.push({ ...k, url: `${mirror}/${k.filename}`, file, status });
  }
  return packages;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+~_/-]*$/;

/** They become parts of URLs and file names: no `..`, no `/` but in a suite (`buster/updates`). */
function checkNames(named: Record<string, string>): void {
  for (const [what, value] of Object.entries(named)) {
    const slashOk = what === 'suite' || !value.includes('/');
    if (!SAFE_NAME.test(value) || value.split('/').includes('..') || !slashOk) {
      throw new UsageError(`${what} "${value}" is not a Debian ${what} name`);
    }
  }
}

/** The file name a pool path gives; an index that points outside the pool is refused, never followed. */
export function poolBasename(filename: string, indexUrl: string): string {
  const parts = filename.split('/');
  const base = parts.at(-1) ?? '';
  if (!SAFE_NAME.test(filename) || parts.includes('..') || !/\.deb$/.test(base)) {
    throw new KabiError(
      `${indexUrl}: refusing Filename "${filename}" (not a .deb path below the mirror root)`,
    );
  }
  return base;
}

async function resolveMirror(o: FetchDebianOptions, arch: string): Promise<{ uri: string; from: string }> {
  if (o.mirror !== undefined) {
    if (!/^https?:\/\/[^/]/i.test(o.mirror))
      throw new UsageError(`--mirror ${o.mirror}: expected an http(s) URL`);
    return { uri: o.mirror.replace(/\/+$/, ''), from: '--mirror' };
  }
  const aptDir = o.aptDir ?? '/etc/apt';
  const config = await readAptSources(aptDir);
  const found = mirrorForSuite(config.sources, o.suite, arch);
  if (found !== null) return found;
  const known = config.sources
    .filter((s) => s.enabled && s.types.includes('deb'))
    .map((s) => `${s.suites.join(' ')} (${s.source}:${s.line})`);
  const lines = [
    `no deb entry of apt's configuration in ${aptDir} lists suite ${o.suite} over http(s); pass --mirror URL`,
    known.length > 0 ? `  suites configured: ${known.join(', ')}` : '  no deb entries found',
    ...config.warnings.map((w) => `  skipped: ${w}`),
  ];
  throw new KabiError(lines.join('\n'));
}

/** Packages.xz, else .gz, else plain: a mirror need not carry every form, and 404 is how it says so. */
async function fetchIndex(
  dir: string,
  o: FetchDebianOptions,
): Promise<{ url: string; packages: DebianPackage[] }> {
  const maxBytes = o.maxIndexBytes ?? 256 * MiB;
  const get = { timeoutMs: o.timeoutMs ?? 60_000, maxBytes };
  const tried: string[] = [];
  for (const name of ['Packages.xz', 'Packages.gz', 'Packages']) {
    const url = dir + name;
    o.onProgress?.({ type: 'index', url });
    let bytes: Uint8Array;
    try {
      bytes = await getBytes(url, get);
    } catch (e) {
      if (!(e instanceof FetchError && (e.status === 404 || e.status === 410))) throw e;
      tried.push(name);
      continue;
    }
    const { data } = await decompress(bytes, { source: url, maxOutput: maxBytes });
    const text = decodeText(data, url, 'a Debian Packages index');
    return { url, packages: parsePackagesIndex(text, { source: url }) };
  }
  const reason = `no Packages index (${tried.join(', ')}: HTTP 404); check the suite, architecture and mirror`;
  throw new FetchError(`${dir}: ${reason}`, dir, 'http', { status: 404 });
}

/** Downloads every `downloaded` package, `concurrency` at a time; one failure does not stop the others. */
async function downloadAll(packages: FetchedPackage[], o: FetchDebianOptions & { timeoutMs: number }) {
  const todo = packages.filter((p) => p.status === 'downloaded');
  o.onProgress?.({ type: 'plan', files: todo.length, bytes: todo.reduce((n, p) => n + p.size, 0) });
  const failures = new Map<FetchedPackage, unknown>();
  let next = 0;
  const worker = async () => {
    for (let p = todo[next++]; p !== undefined; p = todo[next++]) {
      try {
        const onBytes = (bytes: number) => o.onProgress?.({ type: 'bytes', bytes });
        await downloadVerified(p.url, p.file, p, { timeoutMs: o.timeoutMs, onBytes });
        o.onProgress?.({ type: 'package', pkg: p });
      } catch (e) {
        failures.set(p, e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 2) }, worker));
  return failures;
}

function downloadsFailed(failures: Map<FetchedPackage, unknown>, packages: FetchedPackage[]): Error {
  const errors = [...failures.values()];
  const total = packages.filter((p) => p.status === 'downloaded').length;
  if (errors.length === 1 && total === 1) return errors[0] as Error;
  const lines = errors.map((e) => `  ${e instanceof Error ? e.message : String(e)}`);
  const rest = errors.length < total ? ' (the others are in place and in the manifest)' : '';
  const head = `${errors.length} of ${total} downloads failed${rest}:`;
  return new KabiError([head, ...lines].join('\n'));
}
