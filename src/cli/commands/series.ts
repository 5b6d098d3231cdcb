import { type Command, Option } from 'commander';
import type { KernelBuild, Store } from '../../index.js';
import { type CommandState, emit, type OutputOptions, renderOptions } from '../output.js';
import { openStore, requireBuilds } from '../store.js';

interface SeriesOptions extends Omit<OutputOptions, 'format'> {
  format: 'text' | 'json' | 'markdown' | 'csv';
  by?: string;
  baseline?: string;
  streams?: string[];
  stablelist?: string[];
  view?: string;
}

const seriesFormat = () =>
  new Option('-f, --format <format>', 'report format')
    .choices(['text', 'json', 'markdown', 'csv'])
    .default('text');

/** The kernel builds a label query selects, loaded from the store; a query that selects none is an error. */
export async function loadSeries(store: Store, query: string): Promise<KernelBuild[]> {
  const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
  await requireBuilds(entries.length, query);
  return store.loadBuilds(entries.map((e) => e.id));
}

export function registerSeries(program: Command, _state: CommandState): void {
  program
    .command('series')
    .description('rate of change over a series of stored builds: per step, drift from a baseline, ABI epochs')
    .argument('[query]', 'label query selecting the builds, e.g. stream=debian-6.1', '')
    .addOption(seriesFormat())
    .option('--by <label>', 'order by this label (default: date when every build has one, else version)')
    .option('--baseline <ref>', 'drift from this stored build (default: the first of the series)')
    .option('--streams <query...>', 'two label queries: compare the two streams date by date')
    .option('-s, --stablelist <file...>', 'protected-set size per build and protected symbols that changed')
    .option(
      '--view <tables>',
      'only these tables, comma-separated (steps, drift, epochs, builds; points, zero; builds, changes)',
    )
    .option('--all', 'list every row')
    .option('--limit <n>', 'rows per change list', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (query: string, o: SeriesOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd);
      try {
        const opts = { ...renderOptions({ ...o, format: 'text' }), view: o.view };
        if (o.streams) {
          if (o.streams.length !== 2) throw new lib.UsageError('--streams takes two label queries');
          const [a, b] = (await Promise.all(o.streams.map((q) => loadSeries(store, q)))) as [
            KernelBuild[],
            KernelBuild[],
          ];
          const drift = lib.streamDrift(a, b, { names: o.streams as [string, string] });
          return await emit(lib.streamDriftRenderers[o.format](drift, opts), { ...o, format: 'text' });
        }
        const builds = await loadSeries(store, query);
        if (o.stablelist) {
          const lists = await Promise.all(o.stablelist.map((p) => lib.readStablelist(p)));
          const ordered = lib.orderBuilds(builds, o.by).builds;
          return await emit(lib.stablelistRenderers[o.format](lib.stablelistOverTime(ordered, lists), opts), {
            ...o,
            format: 'text',
          });
        }
        let baseline = 0;
        if (o.baseline) {
          const ref = await store.resolve(o.baseline);
          const ordered = lib.orderBuilds(builds, o.by).builds;
          baseline = ordered.findIndex((b) => b.labels.id === String(ref.id));
          if (baseline === -1)
            throw new lib.UsageError(
              `--baseline ${o.baseline} (entry ${ref.id}) is not in the series "${query}"`,
            );
        }
        const report = lib.seriesReport(builds, { by: o.by, baseline });
        await emit(lib.seriesRenderers[o.format](report, opts), { ...o, format: 'text' });
      } finally {
        await store.close();
      }
    });

  program
    .command('history')
    .description("one symbol's CRC, module, export type and namespace in every build of a series")
    .argument('<symbol>', 'the exported symbol')
    .argument('[query]', 'label query selecting the builds', '')
    .addOption(seriesFormat())
    .option('--by <label>', 'order by this label')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (symbol: string, query: string, o: SeriesOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd);
      try {
        const ordered = lib.orderBuilds(await loadSeries(store, query), o.by).builds;
        const history = lib.symbolHistory(ordered, symbol);
        lib.requireSome(
          history.entries.filter((e) => e.export !== null).length,
          symbol,
          `export of that name in the ${ordered.length} stored kernel build(s) ${query ? `"${query}" selects` : 'of the store'}`,
          'a symbol at least one of them exports',
        );
        await emit(
          lib.symbolHistoryRenderers[o.format](history, {
            ...renderOptions({ ...o, format: 'text', limit: '0', all: true }),
          }),
          {
            ...o,
            format: 'text',
          },
        );
      } finally {
        await store.close();
      }
    });
}
