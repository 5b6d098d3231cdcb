import { type Command, Option } from 'commander';
import type { SimulatePolicy } from '../../index.js';
import { type CommandState, emit, renderOptions } from '../output.js';
import { openStore } from '../store.js';
import { loadSeries } from './series.js';

interface SimulateOptions {
  series: string;
  policy?: SimulatePolicy[];
  boundary: string[];
  ltsBoundary: string[];
  modules: string[];
  by?: string;
  format: 'text' | 'json' | 'markdown' | 'csv' | 'html';
  view?: string;
  all?: boolean;
  limit: string;
  output?: string;
  color?: boolean;
}

export function registerSimulate(program: Command, _state: CommandState): void {
  program
    .command('simulate')
    .description(
      'replay a stored series under kABI policies (strict, lts, sp, none): changes refused and let through, driver rebuilds, stablelist size',
    )
    .requiredOption('--series <query>', 'label query selecting the builds, e.g. stream=debian-6.1')
    .addOption(
      new Option(
        '--policy <policy...>',
        'policies to compare (default: all four; sp with --boundary)',
      ).choices(['strict', 'lts', 'sp', 'none']),
    )
    .option('--boundary <label=value...>', 'a service pack begins at the build with this label (sp)', [])
    .option(
      '--lts-boundary <label=value...>',
      'an LTS begins at the build with this label (lts, sp); a change of the stream label is one too',
      [],
    )
    .requiredOption('-m, --modules <path...>', 'the driver corpus: .ko files, directories, kmod packages')
    .option('--by <label>', 'order by this label (default: date when every build has one, else version)')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'csv', 'html'])
        .default('text'),
    )
    .option('--view <tables>', 'only these tables, comma-separated (policies, packages, spans); CSV: one')
    .option('--all', 'list every row')
    .option('--limit <n>', 'rows per long table', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (o: SimulateOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const { readCorpusModules } = await import('../corpus.js');
      const store = await openStore(cmd);
      try {
        const [builds, modules] = await Promise.all([
          loadSeries(store, o.series),
          readCorpusModules(o.modules),
        ]);
        const result = lib.simulate(builds, modules, {
          policies: o.policy,
          boundaries: o.boundary.map(lib.parseBoundary),
          ltsBoundaries: o.ltsBoundary.map(lib.parseBoundary),
          by: o.by,
        });
        const opts = {
          ...renderOptions({ ...o, format: 'text' }),
          view: o.view,
          generator: `kabi simulate --series ${o.series}`,
        };
        await emit(lib.simulateRenderers[o.format](result, opts), { ...o, format: 'text' });
      } finally {
        await store.close();
      }
    });
}
