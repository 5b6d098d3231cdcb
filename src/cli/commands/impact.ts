// `kabi impact`: which modules of a corpus the breaking changes between two builds (or a list of changed
// symbols) affect, and which changed symbols the most modules consume.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { addCorpusOptions, type CorpusOptions, emitCorpusReport, readCorpusModules } from '../corpus.js';
import { readPair } from '../inputs.js';
import type { CommandState } from '../output.js';
import { looksLikeRef } from '../store.js';

/**
 * `-m` takes every argument up to the next option, so `impact -m a.ko REF1 REF2` hands it the refs too.
 * Store refs cannot be module inputs (those are paths), so two trailing refs that name no file are
 * OLD NEW; trailing paths are ambiguous and refused with the two unambiguous spellings.
 */
async function operandsAfterModules(
  modules: string[],
): Promise<[string[], string | undefined, string | undefined]> {
  const lib = await import('../../index.js');
  const tail = modules.slice(-2);
  const isRef = (a: string) => !existsSync(a) && looksLikeRef(a);
  if (modules.length >= 3 && tail.every(isRef)) return [modules.slice(0, -2), tail[0], tail[1]];
  if (modules.length >= 3)
    throw new lib.UsageError(
      'impact takes OLD NEW, or --changes FILE; -m takes every argument after it, so OLD NEW given after it are read as modules: ' +
        'write kabi impact OLD NEW -m CORPUS..., or end the corpus with -- (kabi impact -m CORPUS... -- OLD NEW)',
    );
  return [modules, undefined, undefined];
}

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
      if (oldPath === undefined && o.changes === undefined)
        [o.modules, oldPath, newPath] = await operandsAfterModules(o.modules);
      const fromDiff = oldPath !== undefined && newPath !== undefined;
      if (fromDiff === (o.changes !== undefined)) {
        throw new lib.UsageError('impact takes OLD NEW, or --changes FILE (and not both)');
      }
      let changed: ReturnType<typeof lib.changedSymbolsFromList>;
      if (oldPath !== undefined && newPath !== undefined) {
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
