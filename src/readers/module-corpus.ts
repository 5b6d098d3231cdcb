// A corpus of module images: every .ko of a package (.deb, .rpm) or directory, or single module files.
// Used by the compat, impact and coverage analyses (which take ModuleImage[] and never read files).
import type { ModuleImage } from '../model/module-image.js';
import { isDirectory } from './file.js';
import { inTreeModulePath, loadModuleImage, readModuleImage } from './module/module-image.js';
import { openArtifact } from './pkg/index.js';

export interface ModuleCorpus {
  modules: ModuleImage[];
  /** Files that could not be read, with the reason. */
  problems: { path: string; reason: string }[];
}

const MODULE_FILE = /\.ko(\.(xz|gz|zst))?$/;

/** Modules from each path: a `.ko*` file, or every module in a directory, `.deb` or `.rpm`. */
export async function readModuleCorpus(paths: string[]): Promise<ModuleCorpus> {
  const out: ModuleCorpus = { modules: [], problems: [] };
  for (const path of paths) {
    if (!(await isDirectory(path, 'modules')) && MODULE_FILE.test(path)) {
      out.modules.push(await readModuleImage(path));
      continue;
    }
    const source = await openArtifact(path);
    for await (const f of source.files((p) => MODULE_FILE.test(p))) {
      if (f.linkTarget !== undefined || f.hardLinkTarget !== undefined) continue;
      const where = `${path} (${f.path})`;
      try {
        out.modules.push(await loadModuleImage(f.data, { source: where, path: inTreeModulePath(f.path) }));
      } catch (e) {
        out.problems.push({ path: where, reason: (e as Error).message });
      }
    }
  }
  return out;
}
