// A corpus of module images: every .ko of a package (.deb, .rpm) or directory, or single module files.
// Used by the compat, impact and coverage analyses (which take ModuleImage[] and never read files).
// Each module says the package it came from: a .deb's Package and Version, an .rpm's NAME and
// VERSION-RELEASE, or for a directory the nearest directory named `<source>-<version>` (DKMS's build
// trees and ../kmods/<abi>/<source>-<version>); a module file given alone, or found in a directory not
// so named, has none.
import { basename, resolve } from 'node:path';
import type { ModuleImage, ModulePackage } from '../model/module-image.js';
import { type Artifact, sniffArtifact, unexpectedKind } from './artifact.js';
import { inTreeModulePath, loadModuleImage, parseModuleImage } from './module/module-image.js';
import { openPackage } from './pkg/index.js';
import type { PackageMetadata } from './pkg/types.js';

export interface ModuleCorpus {
  modules: ModuleImage[];
  /** Files that could not be read, with the reason. */
  problems: { path: string; reason: string }[];
}

const MODULE_FILE = /\.ko(\.(xz|gz|zst))?$/;
const EXPECTED = 'modules: a .ko file (plain, .xz, .zst or .gz), or a directory or package of them';

/** Modules from each input: a module file, or every module in a directory, `.deb` or `.rpm`. */
export async function readModuleCorpus(inputs: (string | Artifact)[]): Promise<ModuleCorpus> {
  const out: ModuleCorpus = { modules: [], problems: [] };
  const share = sharedStrings();
  for (const input of inputs) {
    const artifact = typeof input === 'string' ? await sniffArtifact(input, { what: EXPECTED }) : input;
    if (artifact.kind === 'ko') {
      out.modules.push(parseModuleImage(artifact.data!, { source: artifact.path }));
      continue;
    }
    if (artifact.kind !== 'tree' && artifact.kind !== 'deb' && artifact.kind !== 'rpm')
      throw unexpectedKind(artifact, EXPECTED);
    const source = await openPackage(artifact);
    const pkg = artifact.kind === 'tree' ? null : packageOf(await source.metadata());
    // Lent: each module is parsed (and its .ko.xz bytes copied to a decoder) before the next is read.
    for await (const f of source.files((p) => MODULE_FILE.test(p), { lend: true })) {
      if (f.linkTarget !== undefined || f.hardLinkTarget !== undefined) continue;
      const where = `${artifact.path} (${f.path})`;
      try {
        const m = share(await loadModuleImage(f.data, { source: where, path: inTreeModulePath(f.path) }));
        const from = pkg ?? directoryPackage(artifact.path, f.path);
        out.modules.push(from ? { ...m, package: from } : m);
      } catch (e) {
        out.problems.push({ path: where, reason: (e as Error).message });
      }
    }
  }
  return out;
}

/**
 * One string per distinct name across the corpus: the 4,022 modules of a kernel package import
 * `__fentry__` 8,000 times and carry 26,000 `alias` keys; shared, their names take a quarter of the memory.
 */
function sharedStrings(): (m: ModuleImage) => ModuleImage {
  const pool = new Map<string, string>();
  const s = (x: string): string => {
    const had = pool.get(x);
    if (had !== undefined) return had;
    pool.set(x, x);
    return x;
  };
  const n = (x: string | null) => (x === null ? null : s(x));
  return (m) => {
    for (const i of m.imports) i.symbol = s(i.symbol);
    return {
      ...m,
      modinfo: m.modinfo.map((e) => ({ key: s(e.key), value: s(e.value) })),
      vermagic: n(m.vermagic),
      license: n(m.license),
      depends: m.depends.map(s),
      importNs: m.importNs.map(s),
      ...(m.needs ? { needs: m.needs.map(s) } : {}),
    };
  };
}

function packageOf(meta: PackageMetadata): ModulePackage | null {
  if (meta.name === null) return null;
  const version =
    meta.version === null ? null : meta.release ? `${meta.version}-${meta.release}` : meta.version;
  return { name: meta.name, version };
}

/** `<source>-<version>`: a name of words that start with a letter, a version that starts with a digit. */
const SOURCE_VERSION = /^[A-Za-z][\w.+]*(?:-[A-Za-z][\w.+]*)*-\d[\w.+~:-]*$/;

/** The nearest directory named `<source>-<version>` from the module's up to the root given (included). */
export function directoryPackage(root: string, file: string): ModulePackage | null {
  const dirs = [basename(resolve(root)), ...file.split('/').slice(0, -1)];
  const dir = dirs.reverse().find((d) => SOURCE_VERSION.test(d));
  return dir === undefined ? null : { name: dir, version: null };
}
