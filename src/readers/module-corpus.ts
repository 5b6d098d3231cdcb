// A corpus of module images: the .ko files of a package, tree or directory, or single module files.
// Used by the compat, impact and coverage analyses (which take ModuleImage[] and never read files).
import type { ModuleImage } from '../model/module-image.js';
import { isDirectory } from './file.js';
import { readKernelArtifact } from './kernel-artifact.js';
import { readModuleImage } from './module/module-image.js';

export interface ModuleCorpus {
  modules: ModuleImage[];
  /** Files that could not be read, with the reason. */
  problems: { path: string; reason: string }[];
}

/** Modules from each path: a `.ko*` file, or every module of a directory, `.deb` or `.rpm`. */
export async function readModuleCorpus(paths: string[]): Promise<ModuleCorpus> {
  const out: ModuleCorpus = { modules: [], problems: [] };
  for (const path of paths) {
    if (!(await isDirectory(path, 'modules')) && /\.ko(\.(xz|gz|zst))?$/.test(path)) {
      out.modules.push(await readModuleImage(path));
      continue;
    }
    const a = await readKernelArtifact(path);
    out.modules.push(...a.modules);
    out.problems.push(...a.problems);
  }
  return out;
}
