// `manifest.json` in a fetch's output directory: what a later `kabi ingest` reads, one entry per package.
//
//   { "kabiFetchManifest": 1,
//     "packages": [ { "name", "version", "abi", "flavour", "arch", "kind": "headers"|"image", "suite",
//                     "file" (relative to the manifest), "filename" (pool path), "size", "sha256" } ] }
//
// Runs into the same directory add up (bookworm, then bookworm-security): entries for other files stay,
// as long as their file is still there. No mirror URL is recorded; the mirror is a local choice.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArtifactFormatError } from '../errors.js';
import { compareDebianVersions } from '../model/debian-version.js';

export interface ManifestEntry {
  name: string;
  version: string;
  abi: string;
  flavour: string;
  arch: string;
  kind: 'headers' | 'image';
  suite: string;
  /** Relative to the manifest's directory. */
  file: string;
  /** Path below the mirror root. */
  filename: string;
  size: number;
  sha256: string;
}

export interface FetchManifest {
  kabiFetchManifest: 1;
  packages: ManifestEntry[];
}

export const MANIFEST_NAME = 'manifest.json';

/** Reads `<dir>/manifest.json`; null when there is none. */
export async function readManifest(dir: string): Promise<FetchManifest | null> {
  const path = join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ArtifactFormatError(`not JSON (${(cause as Error).message})`, { source: path, cause });
  }
  const m = data as Partial<FetchManifest> | null;
  if (m?.kabiFetchManifest !== 1 || !Array.isArray(m.packages) || !m.packages.every(isEntry)) {
    throw new ArtifactFormatError('not a kabi fetch manifest (version 1)', { source: path });
  }
  return m as FetchManifest;
}

function isEntry(e: unknown): e is ManifestEntry {
  const x = e as Record<string, unknown> | null;
  const strings = [
    'name',
    'version',
    'abi',
    'flavour',
    'arch',
    'kind',
    'suite',
    'file',
    'filename',
    'sha256',
  ];
  return (
    x !== null &&
    typeof x === 'object' &&
    strings.every((k) => typeof x[k] === 'string') &&
    typeof x.size === 'number'
  );
}

type Fetched = Omit<ManifestEntry, 'arch' | 'suite' | 'file'> & { file: string };

/** Adds `packages` to the directory's manifest (replacing entries for the same files), atomically. */
export async function writeManifest(
  dir: string,
  packages: Fetched[],
  where: { suite: string; arch: string },
): Promise<string> {
  const fresh: ManifestEntry[] = packages.map((p) => ({
    name: p.name,
    version: p.version,
    abi: p.abi,
    flavour: p.flavour,
    arch: where.arch,
    kind: p.kind,
    suite: where.suite,
    file: basename(p.file),
    filename: p.filename,
    size: p.size,
    sha256: p.sha256,
  }));
  const names = new Set(fresh.map((e) => e.file));
  const kept: ManifestEntry[] = [];
  for (const e of (await readManifest(dir))?.packages ?? []) {
    if (!names.has(e.file) && (await stat(join(dir, e.file)).catch(() => null)) !== null) kept.push(e);
  }
  const all = [...kept, ...fresh].sort(
    (a, b) =>
      compareDebianVersions(a.abi, b.abi) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  const manifest: FetchManifest = { kabiFetchManifest: 1, packages: all };
  const path = join(dir, MANIFEST_NAME);
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  try {
    await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return path;
}
