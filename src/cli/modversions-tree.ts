// `kabi modversions DIR` as text, shared by the command (commands/modversions.ts) and the quick entry
// (quick.ts): no commander here, and only the part of the library it calls (src/index-modversions.ts).
import type { Artifact, ModuleProblem } from '../index.js';
import {
  MODULES_EXPECTED,
  modversionsTreeRenderers,
  requireSome,
  sniffArtifact,
  treeModversions,
} from '../index-modversions.js';
import { openSink, warn } from './sink.js';

/** Each module's imports of a tree, written as read; the exit code (1: a module could not be read). */
export async function writeTreeModversions(
  tree: Artifact,
  paths: string[],
  output: string | undefined,
): Promise<number> {
  // Written as read: a module's strings die young instead of living until the end.
  const sink = openSink(output);
  const problems: ModuleProblem[] = [];
  let count = 0;
  for await (const r of treeModversions(tree)) {
    if ('problem' in r) problems.push(r.problem);
    else {
      count++;
      // No terminalSafe pass over the 20 MB of a kernel's table: the renderer shows every character
      // of a file name or symbol through printable, whose set holds every one terminalSafe shows;
      // the rest is tabs, newlines and hex (test/cli/control-chars.test.ts).
      await sink.write(modversionsTreeRenderers.text([r.module], []));
    }
  }
  await sink.close();
  requireSome(count, paths.join(' '), 'kernel modules', MODULES_EXPECTED);
  for (const p of problems) warn(`${p.path}: not read: ${p.reason}`);
  return problems.length > 0 ? 1 : 0;
}

/** The directory sniffed as commands/modversions.ts sniffs it, or null when it is not a tree. */
export async function sniffTree(path: string): Promise<Artifact | null> {
  const artifact = await sniffArtifact(path, { what: MODULES_EXPECTED });
  return artifact.kind === 'tree' ? artifact : null;
}
