import { type Command, Option } from 'commander';
import type { KernelBuild, Store } from '../../index.js';
import { type CommandState, emit, type OutputOptions, renderOptions } from '../output.js';
import { openStore, requireBuilds } from '../store.js';

interface SeriesOptions extends Omit<OutputOptions, 'format'> {
  format: 'text' | 'json' | 'markdown' | 'csv' | 'html';
  by?: string;
  baseline?: string;
  streams?: string[];
  stablelist?: string[];
  view?: string;
  comm?: boolean;
  driftFrom?: string;
  modules?: string[];
  maintainers?: string;
  sources?: string;
}

const seriesFormat = (html = false) =>
  new Option('-f, --format <format>', `report format${html ? ' (html: with --comm or --modules)' : ''}`)
    .choices(['text', 'json', 'markdown', 'csv', ...(html ? ['html'] : [])])
    .default('text');

/** The kernel builds a label query selects, loaded from the store; a query that selects none is an error. */
export async function loadSeries(store: Store, query: string): Promise<KernelBuild[]> {
  const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
  await requireBuilds(entries.length, query);
  return store.loadBuilds(entries.map((e) => e.id));
}

type Lib = typeof import('../../index.js');

/** One HTML page: a stream's page, or a section per stream. */
function htmlOf<T>(
  lib: Lib,
  results: { stream: string | null; result: T }[],
  page: (r: T) => import('../../index.js').HtmlReport,
  query: string,
  what: string,
): string {
  const generator = `kabi series ${query} --${what}`;
  if (results.length === 1) return lib.renderHtmlReport({ ...page(results[0]!.result), generator });
  const pages = results.map((r) => ({ stream: r.stream, page: page(r.result) }));
  return lib.renderHtmlReport(lib.streamPages(pages, query, { generator }));
}

/** `--comm`: the Fermilab counts per stream; the reference is loaded with the series (one symbol numbering). */
async function seriesComm(
  lib: Lib,
  store: Store,
  query: string,
  o: SeriesOptions,
  opts: Parameters<Lib['seriesCommRenderers']['text']>[1],
): Promise<string> {
  const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
  await requireBuilds(entries.length, query);
  const refText = o.driftFrom ?? o.baseline;
  const ref = refText ? await store.resolve(refText) : null;
  const ids = entries.map((e) => e.id);
  const loaded = await store.loadExportColumns(ref && !ids.includes(ref.id) ? [...ids, ref.id] : ids);
  const reference = ref ? loaded.find((b) => b.labels.id === String(ref.id)) : undefined;
  if (o.baseline && !o.driftFrom && !ids.includes(ref!.id))
    throw new lib.UsageError(`--baseline ${o.baseline} (entry ${ref!.id}) is not in the series "${query}"`);
  const builds = loaded.filter((b) => ids.includes(Number(b.labels.id)));
  const results = lib.groupByStream(builds).map((g) => ({
    stream: g.stream,
    builds: g.builds.length,
    result: lib.seriesCommOfColumns(g.builds, { by: o.by, reference }),
  }));
  if (o.format === 'html') return htmlOf(lib, results, lib.seriesCommPage, query, 'comm');
  if (results.length === 1) return lib.seriesCommRenderers[o.format](results[0]!.result, opts);
  return lib.seriesCommSectionRenderers[o.format](results, opts);
}

/** `--modules`: consumed vs changed per stream, subsystems from MAINTAINERS and a symbol→source map. */
async function seriesConsumed(
  lib: Lib,
  store: Store,
  query: string,
  o: SeriesOptions,
  opts: Parameters<Lib['seriesConsumedRenderers']['text']>[1],
): Promise<string> {
  const { readCorpusModules } = await import('../corpus.js');
  const [builds, modules, maintainers, sources] = await Promise.all([
    loadSeries(store, query),
    readCorpusModules(o.modules!),
    o.maintainers ? lib.readMaintainers(o.maintainers) : undefined,
    o.sources ? lib.readSymbolSources(o.sources) : undefined,
  ]);
  const subsystemOf = lib.subsystemResolver({ maintainers, sources });
  const results = lib.groupByStream(builds).map((g) => ({
    stream: g.stream,
    builds: g.builds.length,
    result: lib.seriesConsumed(g.builds, modules, { by: o.by, subsystemOf }),
  }));
  if (o.format === 'html') return htmlOf(lib, results, lib.seriesConsumedPage, query, 'modules');
  if (results.length === 1) return lib.seriesConsumedRenderers[o.format](results[0]!.result, opts);
  return lib.seriesConsumedSectionRenderers[o.format](results, opts);
}

export function registerSeries(program: Command, _state: CommandState): void {
  program
    .command('series')
    .description(
      'rate of change over a series of stored builds: per step, drift from a baseline, ABI epochs; one series per stream label',
    )
    .argument('[query]', 'label query selecting the builds, e.g. stream=debian-6.1', '')
    .addOption(seriesFormat(true))
    .option('--by <label>', 'order by this label (default: date when every build has one, else version)')
    .option('--baseline <ref>', 'drift from this stored build (default: the first of the series)')
    .option('--streams <query...>', 'two label queries: compare the two streams date by date')
    .option('-s, --stablelist <file...>', 'protected-set size per build and protected symbols that changed')
    .option(
      '--view <tables>',
      'only these tables, comma-separated (steps, drift, epochs, builds; points, zero; builds, changes)',
    )
    .option(
      '--comm',
      'comm of symbol-CRC lines: in common, only old, only new per step and against a reference; survivors',
    )
    .option(
      '--drift-from <ref>',
      'with --comm: the reference (GA kernel), any stored build; default --baseline or the first',
    )
    .option(
      '-m, --modules <path...>',
      'consumed vs changed: of what this module corpus imports, what each update changed, by subsystem',
    )
    .option('--maintainers <file>', "with --modules: the kernel's MAINTAINERS, to name subsystems")
    .option(
      '--sources <file>',
      "with --modules: vmlinux exports' source files from a linux-image-*-dbg .deb, its vmlinux, or symbol<TAB>file lines",
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
        if (o.format === 'html' && !o.comm && !o.modules)
          throw new lib.UsageError('--format html goes with --comm or --modules; else kabi report series');
        const format = o.format as Exclude<SeriesOptions['format'], 'html'>;
        if (o.streams) {
          if (o.streams.length !== 2) throw new lib.UsageError('--streams takes two label queries');
          const [a, b] = (await Promise.all(o.streams.map((q) => loadSeries(store, q)))) as [
            KernelBuild[],
            KernelBuild[],
          ];
          const drift = lib.streamDrift(a, b, { names: o.streams as [string, string] });
          return await emit(lib.streamDriftRenderers[format](drift, opts), { ...o, format: 'text' });
        }
        const out = { ...o, format: 'text' as const };
        if (o.stablelist) {
          const builds = await loadSeries(store, query);
          const lists = await Promise.all(o.stablelist.map((p) => lib.readStablelist(p)));
          // One series per stream: 6.1 and 6.12 in one timeline would read as one kernel changing ABI.
          const results = lib.groupByStream(builds).map((g) => ({
            stream: g.stream,
            builds: g.builds.length,
            result: lib.stablelistOverTime(lib.orderBuilds(g.builds, o.by).builds, lists),
          }));
          if (results.length === 1)
            return await emit(lib.stablelistRenderers[format](results[0]!.result, opts), out);
          return await emit(lib.stablelistSectionRenderers[format](results, opts), out);
        }
        if (o.modules) return await emit(await seriesConsumed(lib, store, query, o, opts), out);
        if (o.maintainers || o.sources)
          throw new lib.UsageError('--maintainers and --sources go with --modules');
        if (o.comm) return await emit(await seriesComm(lib, store, query, o, opts), out);
        if (o.driftFrom) throw new lib.UsageError('--drift-from goes with --comm (else --baseline)');
        // Steps, drift and epochs are set work: builds as export columns kept at ingest, not Maps of Exports.
        const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
        await requireBuilds(entries.length, query);
        const builds = await store.loadExportColumns(entries.map((e) => e.id));
        const ref = o.baseline ? await store.resolve(o.baseline) : null;
        if (ref && !builds.some((b) => b.labels.id === String(ref.id)))
          throw new lib.UsageError(
            `--baseline ${o.baseline} (entry ${ref.id}) is not in the series "${query}"`,
          );
        const results = lib.groupByStream(builds).map((g) => {
          const ordered = lib.orderBuilds(g.builds, o.by).builds;
          const baseline = ref
            ? Math.max(
                0,
                ordered.findIndex((b) => b.labels.id === String(ref.id)),
              )
            : 0;
          return {
            stream: g.stream,
            builds: g.builds.length,
            result: lib.seriesReportOfColumns(g.builds, { by: o.by, baseline }),
          };
        });
        if (results.length === 1)
          return await emit(lib.seriesRenderers[format](results[0]!.result, opts), out);
        await emit(lib.seriesSectionRenderers[format](results, opts), out);
      } finally {
        await store.close();
      }
    });

  program
    .command('history')
    .description(
      "one symbol's CRC, module, export type and namespace in every build of a series (one per stream label)",
    )
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
        const builds = await loadSeries(store, query);
        const opts = renderOptions({ ...o, format: 'text', limit: '0', all: true });
        const results = lib.groupByStream(builds).map((g) => ({
          stream: g.stream,
          builds: g.builds.length,
          result: lib.symbolHistory(lib.orderBuilds(g.builds, o.by).builds, symbol),
        }));
        lib.requireSome(
          results.flatMap((r) => r.result.entries).filter((e) => e.export !== null).length,
          symbol,
          `export of that name in the ${builds.length} stored kernel build(s) ${query ? `"${query}" selects` : 'of the store'}`,
          'a symbol at least one of them exports',
        );
        const out = { ...o, format: 'text' as const };
        // One history per stream, as `kabi series`; one stream reads as before.
        if (results.length === 1)
          return await emit(
            lib.symbolHistoryRenderers[o.format as Exclude<SeriesOptions['format'], 'html'>](
              results[0]!.result,
              opts,
            ),
            out,
          );
        await emit(
          lib.symbolHistorySectionRenderers[o.format as Exclude<SeriesOptions['format'], 'html'>](
            results,
            opts,
          ),
          out,
        );
      } finally {
        await store.close();
      }
    });
}
