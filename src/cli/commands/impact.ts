// `kabi impact`: which modules of a corpus the breaking changes between two builds (or a list of changed
// symbols) affect, and which changed symbols the most modules consume.
import { type Command, Option } from 'commander';
import { readBuild } from '../inputs.js';
import { type CommandState, emit, renderOptions } from '../output.js';

interface ImpactOptions {
  modules: string[];
  changes?: string;
  allowDuplicates?: boolean;
  format: 'text' | 'json' | 'markdown' | 'csv';
  view?: string;
  all?: boolean;
  limit: string;
  output?: string;
  color?: boolean;
}

/** Adds what impact and coverage share: corpus, format, view, limits, output. */
export function addCorpusOptions(cmd: Command, views: string): Command {
  return cmd
    .requiredOption(
      '-m, --modules <path...>',
      'module corpus: .ko files, directories (/lib/modules/<release>), linux-image or kmod .deb/.rpm',
    )
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'csv'])
        .default('text'),
    )
    .option(
      '--view <tables>',
      `only these tables, comma-separated (${views}); CSV: one, the first unless told`,
    )
    .option('--all', 'list every row')
    .option('--limit <n>', 'rows per long table', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours');
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
        const [old, next] = await Promise.all([readBuild(oldPath, o, cmd), readBuild(newPath, o, cmd)]);
        changed = lib.changedSymbolsFromChanges(lib.diffExports(old, next));
      } else {
        const list = await lib.readStablelist(o.changes!, { format: 'plain' });
        changed = lib.changedSymbolsFromList(list.symbols.keys());
      }
      const corpus = await lib.readModuleCorpus(o.modules);
      for (const p of corpus.problems)
        process.stderr.write(`kabi: warning: ${p.path}: not read: ${p.reason}\n`);
      const report = lib.analyzeImpact(changed, corpus.modules);
      const opts = { ...renderOptions({ ...o, format: 'text' }), view: o.view };
      await emit(lib.impactRenderers[o.format](report, opts), { ...o, format: 'text' });
      state.exitCode = 0;
    },
  );
}
