import type { Command } from 'commander';
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
      const lib = await import('../../index.js');
      const [first] = paths;
      if (paths.length === 1 && first !== undefined) {
        const artifact = await lib.sniffArtifact(first, { what: lib.MODULES_EXPECTED });
        // One module file: exactly modprobe's lines.
        if (artifact.kind === 'ko') {
          const m = lib.parseModuleImage(artifact.data!, { source: first });
          await emit(lib.modversionsRenderers[o.format](m), o);
          return;
        }
      }
      // Many: each input must hold a module; one that cannot be read is named, and the answer is then
      // partial, so the exit code says so (1) after the rest is written.
      const corpus = await lib.readModuleCorpus(paths);
      lib.requireSome(corpus.modules.length, paths.join(' '), 'kernel modules', lib.MODULES_EXPECTED);
      await emit(lib.modversionsTreeRenderers[o.format](corpus.modules, corpus.problems), o);
      for (const p of corpus.problems) warn(`${p.path}: not read: ${p.reason}`);
      if (corpus.problems.length > 0) state.exitCode = 1;
    });
}
