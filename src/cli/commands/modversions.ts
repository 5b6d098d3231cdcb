import type { Command } from 'commander';
import type { ModuleProblem, ModuleVersionsLike } from '../../index.js';
import { type CommandState, emit, formatOption, type OutputOptions, warn } from '../output.js';

export function registerModversions(program: Command, state: CommandState): void {
  program
    .command('modversions')
    .description(
      "a module's imports with the CRCs it was built against (as modprobe --dump-modversions); of a directory or package: every module's, one table",
    )
    .argument('<modules...>', '.ko, .ko.xz, .ko.zst or .ko.gz, or a directory, .deb or .rpm of them')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write to a file')
    .action(async (paths: string[], o: OutputOptions) => {
      // A tree as text needs a few modules of the library (src/index-modversions.ts); the rest waits.
      const slim = await import('../../index-modversions.js');
      const [first] = paths;
      const artifact =
        paths.length === 1 && first !== undefined
          ? await slim.sniffArtifact(first, { what: slim.MODULES_EXPECTED })
          : null;
      // A tree: each module read for its imports only, not whole.
      if (artifact?.kind === 'tree' && o.format === 'text') {
        const { writeTreeModversions } = await import('../modversions-tree.js');
        state.exitCode = await writeTreeModversions(artifact, paths, o.output);
        return;
      }
      // One module file as text: exactly modprobe's lines, as the quick entry (quick.ts) prints them.
      if (artifact?.kind === 'ko' && o.format === 'text') {
        const { moduleModversionsText } = await import('../module-file.js');
        await emit(moduleModversionsText(artifact, first!), o);
        return;
      }
      const lib = await import('../../index.js');
      const report = async (modules: ModuleVersionsLike[], problems: ModuleProblem[]) => {
        lib.requireSome(modules.length, paths.join(' '), 'kernel modules', lib.MODULES_EXPECTED);
        await emit(lib.modversionsTreeRenderers[o.format](modules, problems), o);
        for (const p of problems) warn(`${p.path}: not read: ${p.reason}`);
        if (problems.length > 0) state.exitCode = 1;
      };
      if (artifact !== null) {
        // One module file: exactly modprobe's lines.
        if (artifact.kind === 'ko') {
          const m = lib.parseModuleImage(artifact.data!, { source: first! });
          await emit(lib.modversionsRenderers[o.format](m), o);
          return;
        }
        if (artifact.kind === 'tree') {
          const tree = await lib.readTreeModversions(artifact);
          await report(tree.modules, tree.problems);
          return;
        }
      }
      // Many: each input must hold a module; one that cannot be read is named, and the answer is then
      // partial, so the exit code says so (1) after the rest is written.
      const corpus = await lib.readModuleCorpus(paths);
      await report(corpus.modules, corpus.problems);
    });
}
