// A corpus of module images: every .ko of a package (.deb, .rpm) or directory, or single module files.
// Used by the compat, impact and coverage analyses (which take ModuleImage[] and never read files).
import type { ModuleImage } from '../model/module-image.js';
import { type Artifact, sniffArtifact, unexpectedKind } from './artifact.js';
import { inTreeModulePath, loadModuleImage, parseModuleImage } from './module/module-image.js';
import { openPackage } from './pkg/index.js';

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
  for (const input of inputs) {
    const artifact = typeof input === 'string' ? await sniffArtifact(input, { what: EXPECTED }) : input;
    if (artifact.kind === 'ko') {
      out.modules.push(parseModuleImage(artifact.data!, { source: artifact.path }));
      continue;
    }
    if (artifact.kind !== 'tree' && artifact.kind !== 'deb' && artifact.kind !== 'rpm')
      throw unexpectedKind(artifact, EXPECTED);
    const source = await openPackage(artifact);
    for await (const f of source.files((p) => MODULE_FILE.test(p))) {
      if (f.linkTarget !== undefined || f.hardLinkTarget !== undefined) continue;
      const where = `${artifact.path} (${f.path})`;
      try {
        out.modules.push(await loadModuleImage(f.data, { source: where, path: inTreeModulePath(f.path) }));
      } catch (e) {
        out.problems.push({ path: where, reason: (e as Error).message });
      }
    }
  }
  return out;
}
