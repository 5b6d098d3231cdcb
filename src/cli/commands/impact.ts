// `kabi impact`: which modules of a corpus the breaking changes between two builds (or a list of changed
// symbols) affect, and which changed symbols the most modules consume.
import type { Command } from 'commander';
import { addCorpusOptions, type CorpusOptions, emitCorpusReport, readCorpusModules } from '../corpus.js';
import { readPair } from '../inputs.js';
import type { CommandState } from '../output.js';

interface ImpactOptions extends CorpusOptions {
  changes?: string;
  allowDuplicates?: boolean;
}

export function registerImpact(program: Command, state: CommandState): void {
  const cmd = program
    .command('impact')
    .description(
      'modules of a corpus that use symbols a kernel update changed, and the most-consumed changes',
    )
    .argument('[old]', 'exports of the old build (file, package, tree or store ref)')
    .argument('[new]', 'exports of the new build')
    .option('--changes <file>', 'a plain list of changed symbols, one per line, instead of OLD NEW')
    .option('--allow-duplicates', 'keep the last of a symbol listed twice, with a warning');
  addCorpusOptions(cmd, 'modules, uses, symbols, arch').action(
    async (oldPath: string | undefined, newPath: string | undefined, o: ImpactOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const fromDiff = oldPath !== undefined && newPath !== undefined;
      if (fromDiff === (o.changes !== undefined)) {
        throw new lib.UsageError('impact takes OLD NEW, or --changes FILE (and not both)');
      }
      let changed: ReturnType<typeof lib.changedSymbolsFromList>;
      if (fromDiff) {
        const [old, next] = await readPair(oldPath, newPath, o, cmd);
        changed = lib.changedSymbolsFromChanges(lib.diffExports(old, next));
      } else {
        const list = await lib.readStablelist(o.changes!, { format: 'plain' });
        changed = lib.changedSymbolsFromList(list.symbols.keys());
      }
      const report = lib.analyzeImpact(changed, await readCorpusModules(o.modules));
      await emitCorpusReport((opts) => lib.impactRenderers[o.format](report, opts), o);
      state.exitCode = 0;
    },
  );
}
