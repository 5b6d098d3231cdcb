// Where `kabi watch` looks for new kernel builds, one reader per kind of source:
//
//   deb:URL?suite=bookworm&arch=amd64[&component=main][&flavour=amd64][&images=1]
//        dists/<suite>/InRelease (else Release) → <component>/binary-<arch>/Packages(.xz|.gz), checked
//        against the Release's SHA256; linux-headers (and with images=1 linux-image) as `kabi fetch` picks them.
//        With keyrings, only an InRelease signed by one of them is read (inrelease-signature.ts).
//   rpm:URL[?match=REGEX]            (REGEX against name-version-release.arch)
//        repodata/repomd.xml → its primary (checked against repomd's checksum) → kernel / kernel-core
//   dir:PATH (or an existing directory)
//        regular files that appeared or changed since the last round
//
// A poll asks for the top file (InRelease, repomd.xml) with the validators of the last round: unchanged,
// nothing more is read. Each candidate carries the checksum its index gives, which is also its key.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { KabiError, UsageError } from '../errors.js';
import { compareDebianVersions } from '../model/debian-version.js';
import { decompress } from '../readers/compression.js';
import { decodeText } from '../readers/lines.js';
import { parsePackagesIndex } from '../readers/repo/debian-packages.js';
import { parseDebianRelease } from '../readers/repo/debian-release.js';
import {
  parsePrimary,
  parseRepomd,
  type RepoChecksum,
  type RpmPackage,
} from '../readers/repo/rpm-repodata.js';
import { poolBasename, selectKernelPackages } from './debian.js';
import { FetchError } from './http.js';
import { verifyInRelease } from './inrelease-signature.js';
import { getIfChanged, type RetryOptions, type Validators } from './resumable.js';

export interface WatchCandidate {
  /** Stable across rounds and unique within the source: the package's checksum (a file's name, size, time). */
  key: string;
  name: string;
  version: string;
  /** Where to download it from; null for a local file. */
  url: string | null;
  /** A local file's path; null for one to download. */
  path: string | null;
  /** The name the download takes. */
  fileName: string;
  size: number;
  checksum: RepoChecksum | null;
}

export interface SourcePoll {
  /** false: the index is as it was (HTTP 304), nothing new. */
  changed: boolean;
  candidates: WatchCandidate[];
  /** What to send next round (null: no validators, ask again). */
  validators: Validators | null;
}

export interface PollOptions extends RetryOptions {
  maxIndexBytes?: number;
  /** A Debian source's InRelease must be signed by a key of one of these (gpgv); none: not checked. */
  keyrings?: readonly string[];
}

export interface WatchSource {
  /** The spec as given, normalised: the key of the source's state in the store. */
  id: string;
  kind: 'deb' | 'rpm' | 'dir';
  poll(known: Validators | null, o: PollOptions): Promise<SourcePoll>;
}

const MiB = 1024 * 1024;

/** A source from its spec; a bad spec is a UsageError naming it. */
export function parseWatchSource(spec: string, existsDir = false): WatchSource {
  const m = /^(deb|rpm|dir):(.+)$/.exec(spec);
  if (m === null) {
    if (existsDir) return dirSource(spec);
    throw new UsageError(`${spec}: expected deb:URL?suite=S&arch=A, rpm:URL or dir:PATH (or a directory)`);
  }
  if (m[1] === 'dir') return dirSource(m[2]!);
  let url: URL;
  try {
    url = new URL(m[2]!);
  } catch {
    throw new UsageError(`${spec}: ${m[2]} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`${spec}: expected an http(s) URL`);
  const take = (name: string) => {
    const v = url.searchParams.get(name);
    url.searchParams.delete(name);
    return v ?? undefined;
  };
  const params = { suite: take('suite'), component: take('component'), arch: take('arch') };
  const flavour = take('flavour');
  const images = take('images');
  const match = take('match');
  const root = url.toString().replace(/\/+$/, '');
  const matchRe = match === undefined ? undefined : regex(match, spec);
  if (m[1] === 'rpm') return rpmSource(spec, root, matchRe);
  if (params.suite === undefined || params.arch === undefined)
    throw new UsageError(`${spec}: a deb source needs ?suite=SUITE&arch=ARCH`);
  for (const v of [params.suite, params.component, params.arch, flavour]) {
    if (v !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.+~_-]*(\/[A-Za-z0-9.+~_-]+)?$/.test(v))
      throw new UsageError(`${spec}: "${v}" is not a Debian suite, component, architecture or flavour name`);
  }
  return debSource(spec, root, {
    suite: params.suite,
    component: params.component ?? 'main',
    arch: params.arch,
    flavour: flavour ?? params.arch,
    images: images === '1' || images === 'true',
    match: matchRe,
  });
}

function regex(text: string, spec: string): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`${spec}: match ${text}: ${(e as Error).message}`);
  }
}

interface DebWhere {
  suite: string;
  component: string;
  arch: string;
  flavour: string;
  images: boolean;
  match?: RegExp;
}

function debSource(id: string, root: string, w: DebWhere): WatchSource {
  const dists = `${root}/dists/${w.suite}/`;
  return {
    id,
    kind: 'deb',
    async poll(known, o) {
      const maxBytes = o.maxIndexBytes ?? 256 * MiB;
      const keyrings = o.keyrings ?? [];
      let top = await getIfChanged(`${dists}InRelease`, known, { ...o, maxBytes }).catch(notFound);
      if (top === null && keyrings.length > 0)
        throw new FetchError(
          `${dists}InRelease: not found (HTTP 404), and --keyring requires a signed InRelease`,
          `${dists}InRelease`,
          'http',
          { status: 404 },
        );
      top ??= await getIfChanged(`${dists}Release`, known, { ...o, maxBytes }).catch(notFound);
      if (top === null)
        throw new FetchError(`${dists}: no InRelease or Release (HTTP 404)`, dists, 'http', { status: 404 });
      if (!top.changed) return { changed: false, candidates: [], validators: known };
      // Checked before anything it lists is trusted; a bad signature fails the source (tried next round:
      // the validators are not kept).
      const signed =
        keyrings.length > 0
          ? await verifyInRelease(top.bytes, { url: `${dists}InRelease`, keyrings })
          : top.bytes;
      const source = `${dists}Release`;
      const release = parseDebianRelease(decodeText(signed, source, 'a Debian Release file'), { source });
      const dir = `${w.component}/binary-${w.arch}/`;
      const entry = ['Packages.xz', 'Packages.gz', 'Packages']
        .map((n) => release.files.get(dir + n))
        .find((f) => f !== undefined);
      if (entry === undefined)
        throw new KabiError(
          `${source}: lists no ${dir}Packages index (check the component and architecture)`,
        );
      const want = { size: entry.size, algorithm: 'sha256', hex: entry.sha256 };
      const url = dists + entry.path;
      // By hash where the Release offers it (as apt does): a mirror mid-sync still has the index this
      // Release names there; its plain path may already hold the next one.
      const byHash = `${dists}${dir}by-hash/SHA256/${entry.sha256}`;
      const bytes =
        (release.acquireByHash ? await fetchChecked(byHash, want, o).catch(notFound) : null) ??
        (await fetchChecked(url, want, o));
      const { data } = await decompress(bytes, { source: url, maxOutput: maxBytes });
      const packages = parsePackagesIndex(decodeText(data, url, 'a Debian Packages index'), { source: url });
      const chosen = selectKernelPackages(packages, { flavour: w.flavour, images: w.images, match: w.match });
      const candidates = chosen.map((k) => ({
        key: k.sha256,
        name: k.name,
        version: k.version,
        url: `${root}/${k.filename}`,
        path: null,
        fileName: poolBasename(k.filename, url),
        size: k.size,
        checksum: { algorithm: 'sha256', hex: k.sha256 },
      }));
      return { changed: true, candidates, validators: top.validators };
    },
  };
}

/** A 404 (410) is an answer: the file is not there. */
function notFound(e: unknown): null {
  if (e instanceof FetchError && (e.status === 404 || e.status === 410)) return null;
  throw e;
}

/**
 * An index file, whole, checked against the checksum (and size, when given) its parent lists: a file
 * that changed between the two requests, or was corrupted on the way, is refused.
 */
async function fetchChecked(
  url: string,
  want: { size: number | null; algorithm: string; hex: string },
  o: PollOptions,
): Promise<Uint8Array> {
  const maxBytes = want.size ?? o.maxIndexBytes ?? 256 * MiB;
  const answer = await getIfChanged(url, null, { ...o, maxBytes });
  if (!answer.changed) throw new FetchError(`GET ${url}: 304 to an unconditional request`, url, 'http');
  const { bytes } = answer;
  const got = createHash(want.algorithm).update(bytes).digest('hex');
  if ((want.size !== null && bytes.length !== want.size) || got !== want.hex) {
    const reason = `${bytes.length} bytes, ${want.algorithm} ${got}; its parent index says ${want.size ?? '?'} bytes, ${want.hex}`;
    throw new FetchError(`GET ${url}: ${reason}`, url, 'integrity');
  }
  return bytes;
}

/**
 * The kernel builds of an RPM repository: `kernel` (RHEL 7, openEuler, Fedora before 2018 held the
 * modules), `kernel-core` (RHEL 8+, Fedora: `kernel` is then a meta-package with no files, and is left
 * out when its -core is listed), and their variants (`kernel-rt-core`, `kernel-64k-core`, ...).
 */
export function selectKernelRpms(packages: RpmPackage[], match?: RegExp): RpmPackage[] {
  const kernel = /^kernel(-(rt|debug|rt-debug|64k|64k-debug|zfcpdump|lpae))?(-core)?$/;
  const names = new Set(packages.map((p) => `${p.name}\0${p.epoch}:${p.version}-${p.release}\0${p.arch}`));
  return packages
    .filter((p) => p.arch !== 'src' && p.arch !== 'nosrc' && kernel.test(p.name))
    .filter(
      (p) =>
        p.name.endsWith('-core') ||
        !names.has(`${p.name}-core\0${p.epoch}:${p.version}-${p.release}\0${p.arch}`),
    )
    .filter((p) => match === undefined || match.test(`${p.name}-${p.version}-${p.release}.${p.arch}`))
    .sort(
      (a, b) =>
        compareDebianVersions(`${a.version}-${a.release}`, `${b.version}-${b.release}`) ||
        a.name.localeCompare(b.name),
    );
}

function rpmSource(id: string, root: string, match?: RegExp): WatchSource {
  return {
    id,
    kind: 'rpm',
    async poll(known, o) {
      const maxBytes = o.maxIndexBytes ?? 256 * MiB;
      const repomdUrl = `${root}/repodata/repomd.xml`;
      const top = await getIfChanged(repomdUrl, known, { ...o, maxBytes });
      if (!top.changed) return { changed: false, candidates: [], validators: known };
      const repomd = parseRepomd(decodeText(top.bytes, repomdUrl, 'repomd.xml'), { source: repomdUrl });
      const primary = repomd.data.find((d) => d.type === 'primary');
      if (primary === undefined) throw new KabiError(`${repomdUrl}: no <data type="primary">`);
      const url = `${root}/${safeHref(primary.href, repomdUrl, /\.xml(\.(gz|xz|zst|bz2))?$/)}`;
      const bytes = await fetchChecked(url, { size: primary.size, ...primary.checksum }, o);
      const { data } = await decompress(bytes, { source: url, maxOutput: maxBytes });
      const packages = parsePrimary(decodeText(data, url, 'primary.xml'), { source: url });
      const candidates = selectKernelRpms(packages, match).map((p) => ({
        key: p.checksum.hex,
        name: p.name,
        version: `${p.epoch === '0' ? '' : `${p.epoch}:`}${p.version}-${p.release}`,
        url: `${root}/${safeHref(p.href, url, /\.rpm$/)}`,
        path: null,
        fileName: basename(p.href),
        size: p.size,
        checksum: p.checksum,
      }));
      return { changed: true, candidates, validators: top.validators };
    },
  };
}

/** A location below the repository root; one that climbs out of it is refused, never followed. */
function safeHref(href: string, source: string, ending: RegExp): string {
  const parts = href.split('/');
  if (href.startsWith('/') || /^[a-z]+:/i.test(href) || parts.includes('..') || !ending.test(href)) {
    throw new KabiError(`${source}: refusing location "${href}" (not a file below the repository root)`);
  }
  return href;
}

/** How long a file must be left alone before it is read: one still being copied in is not. */
const SETTLE_MS = 2000;

function dirSource(path: string): WatchSource {
  const dir = resolve(path);
  return {
    id: `dir:${dir}`,
    kind: 'dir',
    async poll() {
      const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
        throw new KabiError(`${dir}: cannot list the directory (${e.code ?? e.message})`, { cause: e });
      });
      const candidates: WatchCandidate[] = [];
      for (const name of names.sort()) {
        if (name.startsWith('.') || name.endsWith('.part')) continue;
        const file = join(dir, name);
        const st = await stat(file).catch(() => null);
        if (st === null || !st.isFile() || Date.now() - st.mtimeMs < SETTLE_MS) continue;
        candidates.push({
          key: `${st.size} ${Math.trunc(st.mtimeMs)} ${name}`,
          name,
          version: '',
          url: null,
          path: file,
          fileName: name,
          size: st.size,
          checksum: null,
        });
      }
      return { changed: true, candidates, validators: null };
    },
  };
}
