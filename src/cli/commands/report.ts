// `kabi report diff | series | compat`: the analyses of `kabi diff`, `kabi series` and `kabi compat` as one
// self-contained HTML file (inline SVG charts, sortable and filterable tables), and with --png DIR one
// PNG per chart for slides. Options mirror those commands; module corpora add the module-side views.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type {
  CompatSeries,
  HtmlReport,
  ModuleImage,
  ModuleViews,
  Stablelist,
  VerdictMatrix,
} from '../../index.js';
import { addInputOptions, type InputOptions, readPair, readPolicy } from '../inputs.js';
import { type CommandState, emit, warn } from '../output.js';
import { openStore } from '../store.js';
import { readModuleSets, readSeriesTargets, readTarget } from '../targets.js';
import { loadSeries } from './series.js';

interface ReportOptions extends InputOptions {
  modules?: string[];
  kernels?: string[];
  series?: string;
  by?: string;
  baseline?: string;
  output?: string;
  png?: string;
  all?: boolean;
  limit: string;
}

function common(cmd: Command, limitWhat: string): Command {
  return cmd
    .option('-o, --output <file>', 'write the HTML to a file (default: standard output)')
    .option('--png <dir>', 'also write one PNG per chart into this directory (<chart>.png)')
    .option('--all', 'list every change row')
    .option('--limit <n>', `change rows per kind${limitWhat}`, '500');
}

/** The modules named by --modules, each with its package: judged as `kabi compat` judges them. */
async function moduleCorpus(o: ReportOptions, cmd: Command): Promise<ModuleImage[]> {
  if (!o.modules?.length) return [];
  const sets = await readModuleSets(o.modules, cmd);
  for (const w of sets.flatMap((s) => s.warnings)) warn(`warning: ${w}`);
  return sets.flatMap((s) => s.modules);
}

async function stablelists(o: ReportOptions): Promise<Stablelist[]> {
  const lib = await import('../../index.js');
  return Promise.all((o.stablelist ?? []).map((p) => lib.readStablelist(p)));
}

async function write(page: HtmlReport, o: ReportOptions): Promise<void> {
  const lib = await import('../../index.js');
  if (o.png) {
    await mkdir(o.png, { recursive: true });
    for (const chart of page.charts) {
      const { png } = await lib.chartToPng(chart);
      await writeFile(join(o.png, `${chart.id}.png`), png);
    }
  }
  await emit(lib.renderHtmlReport(page), { format: 'text', limit: '0', output: o.output });
}

const pageOptions = (o: ReportOptions) => ({
  limit: o.all ? null : Number.parseInt(o.limit, 10) || 500,
  generator: `kabi ${process.argv.slice(2).join(' ')}`,
});

export function registerReport(program: Command, state: CommandState): void {
  const report = program
    .command('report')
    .description('charts and tables as one self-contained HTML file (and PNGs): diff, series or compat');

  const diff = report
    .command('diff')
    .description('one diff: changes by kind and severity; with --modules, impact (and coverage with -s)')
    .argument('<old>', 'exports of the old build (file, package, tree or store ref)')
    .argument('<new>', 'exports of the new build')
    .option(
      '-m, --modules <module...>',
      'module corpus: .ko files, directories, kmod packages, stored kmods',
    );
  addInputOptions(common(diff, '')).action(
    async (oldPath: string, newPath: string, o: ReportOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const [[old, next], policy] = await Promise.all([readPair(oldPath, newPath, o, cmd), readPolicy(o)]);
      const diffReport = lib.compareBuilds(old, next, { policy });
      const corpus = await moduleCorpus(o, cmd);
      const views: ModuleViews = {};
      if (corpus.length) {
        views.impact = lib.analyzeImpact(lib.changedSymbolsFromChanges(diffReport.changes), corpus);
        if (o.stablelist?.length)
          views.coverage = lib.analyzeCoverage(corpus, await stablelists(o), { kernel: next });
      }
      await write(lib.diffPage(diffReport, views, pageOptions(o)), o);
      state.exitCode = 0;
    },
  );

  const series = report
    .command('series')
    .description('a stored series: changes per update, drift from the baseline, ABI epochs; modules optional')
    .argument('[query]', 'label query selecting the builds, e.g. stream=debian-6.1', '')
    .option('--by <label>', 'order by this label (default: date when every build has one, else version)')
    .option('--baseline <ref>', 'drift from this stored build (default: the first of the series)')
    .option('-m, --modules <module...>', 'kmods: module × build heatmap (and coverage with -s)');
  addInputOptions(common(series, ' and update')).action(
    async (query: string, o: ReportOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd);
      let builds: Awaited<ReturnType<typeof loadSeries>>;
      let baselineId: string | null = null;
      try {
        builds = await loadSeries(store, query);
        if (o.baseline) {
          const ref = await store.resolve(o.baseline);
          baselineId = String(ref.id);
          if (!builds.some((b) => b.labels.id === baselineId))
            throw new lib.UsageError(
              `--baseline ${o.baseline} (entry ${ref.id}) is not in the series "${query}"`,
            );
        }
      } finally {
        await store.close();
      }
      const policy = await readPolicy(o);
      const corpus = await moduleCorpus(o, cmd);
      const allTargets = corpus.length ? await readSeriesTargets(query, o.by, cmd) : [];
      const lists = corpus.length && o.stablelist?.length ? await stablelists(o) : [];
      // One series per stream (one section each), as `kabi series`.
      const pages = lib.groupByStream(builds).map((g) => {
        const ordered = lib.orderBuilds(g.builds, o.by).builds;
        const baseline = Math.max(
          0,
          ordered.findIndex((b) => b.labels.id === baselineId),
        );
        const seriesReport = lib.seriesReport(ordered, { by: o.by, baseline });
        const stepChanges = seriesReport.steps.map(
          (s) => lib.compareBuilds(ordered[s.from]!, ordered[s.to]!, { policy }).changes,
        );
        const views: ModuleViews = {};
        if (corpus.length) {
          const byId = new Map(allTargets.map((t) => [t.build.labels.id, t]));
          const targets = ordered.flatMap((b) => byId.get(b.labels.id) ?? []);
          views.compat = lib.compatSeries(corpus, targets);
          if (lists.length) views.coverage = lib.analyzeCoverage(corpus, lists, { series: ordered });
        }
        return {
          stream: g.stream,
          page: lib.seriesPage({ report: seriesReport, stepChanges, query }, views, pageOptions(o)),
        };
      });
      await write(pages.length === 1 ? pages[0]!.page : lib.streamPages(pages, query, pageOptions(o)), o);
      state.exitCode = 0;
    },
  );

  report
    .command('compat')
    .description('modules × kernels: the loader’s verdicts as a heatmap, every reason in a table')
    .requiredOption('-m, --modules <module...>', '.ko files, directories, kmod .deb/.rpm, or stored kmods')
    .option('-k, --kernels <kernel...>', 'kernel packages, trees, Module.symvers, or stored builds')
    .option('--series <query>', 'the stored builds of a series (label query), in order')
    .option('--by <label>', 'with --series: order by this label')
    .option('-s, --stablelist <file...>', 'add the stablelist coverage of each module')
    .option('-o, --output <file>', 'write the HTML to a file (default: standard output)')
    .option('--png <dir>', 'also write one PNG per chart into this directory (<chart>.png)')
    .action(async (o: ReportOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const corpus = await moduleCorpus(o, cmd);
      let matrix: VerdictMatrix | CompatSeries;
      if (o.series !== undefined) {
        const targets = await readSeriesTargets(o.series, o.by, cmd);
        matrix = lib.compatSeries(corpus, targets);
      } else {
        if (!o.kernels?.length) throw new lib.UsageError('report compat needs --kernels or --series');
        const verdicts = [];
        for (const k of o.kernels) verdicts.push(...lib.moduleVerdicts(corpus, await readTarget(k, cmd)));
        matrix = lib.verdictMatrix(verdicts);
      }
      const coverage = o.stablelist?.length ? lib.analyzeCoverage(corpus, await stablelists(o)) : undefined;
      await write(
        lib.compatPage(matrix, coverage ? { coverage } : {}, pageOptions({ ...o, limit: '0', all: true })),
        o,
      );
      state.exitCode = 0;
    });
}
