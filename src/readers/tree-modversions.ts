// Every module's imports in a directory tree, as `modprobe --dump-modversions` gives them one file at a
// time. Uncompressed modules are read sparsely (module/module-versions-file.ts: the headers and the few
// sections the imports need); compressed ones are decompressed whole and read as module images. A module
// that cannot be read is a problem named with its reason, never a silently shorter table.
import type { ModuleImage } from '../model/module-image.js';
import { type Artifact, unexpectedKind } from './artifact.js';
import { readInputFile } from './file.js';
import { fileModuleName, loadModuleImage } from './module/module-image.js';
import { type ModuleVersions, readModuleVersionsFile } from './module/module-versions-file.js';
import { openDirectory } from './pkg/directory.js';
import { DEFAULT_LIMITS } from './pkg/types.js';

export type { ModuleVersions } from './module/module-versions-file.js';

const MODULE_FILE = /\.ko(\.(xz|gz|zst))?$/;

export interface TreeModversions {
  modules: ModuleVersions[];
  problems: { path: string; reason: string }[];
}

export async function readTreeModversions(artifact: Artifact): Promise<TreeModversions> {
  const out: TreeModversions = { modules: [], problems: [] };
  for await (const r of treeModversions(artifact)) {
    if ('problem' in r) out.problems.push(r.problem);
    else out.modules.push(r.module);
  }
  return out;
}

/** Each module's imports (or why it could not be read) as it is read: nothing of the tree held whole. */
export async function* treeModversions(
  artifact: Artifact,
): AsyncGenerator<{ module: ModuleVersions } | { problem: { path: string; reason: string } }> {
  if (artifact.kind !== 'tree') throw unexpectedKind(artifact, 'a directory of kernel modules');
  const tree = await openDirectory(artifact.path, DEFAULT_LIMITS);
  for (const f of await tree.regularFiles((p) => MODULE_FILE.test(p))) {
    const source = `${artifact.path} (${f.path})`;
    let module: ModuleVersions;
    try {
      module =
        readModuleVersionsFile(f.absolute, source, fileModuleName(f.path)) ??
        versionsOf(await loadModuleImage(await readInputFile(f.absolute, 'a kernel module'), { source }));
    } catch (e) {
      yield { problem: { path: source, reason: (e as Error).message } };
      continue;
    }
    yield { module };
  }
}

function versionsOf(m: ModuleImage): ModuleVersions {
  return { source: m.source, name: m.name, modversions: m.modversions, imports: m.imports };
}
