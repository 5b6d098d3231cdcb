// `kabi coverage`: how much of what a module corpus imports the stablelists protect, which unprotected
// symbols the most modules need, and the corpus statistics of the Fermilab kmod study.
import type { Command } from 'commander';
import { readBuild } from '../inputs.js';
import { type CommandState, emit, renderOptions } from '../output.js';
import { openStore } from '../store.js';
import { addCorpusOptions } from './impact.js';
import { loadSeries } from './series.js';

interface CoverageOptions {
  modules: string[];
  stablelist: string[];
  kernel?: string;
  series?: string;
  format: 'text' | 'json' | 'markdown' | 'csv';
  view?: string;
  all?: boolean;
  limit: string;
  output?: string;
  color?: boolean;
}

export function registerCoverage(program: Command, state: CommandState): void {
  const cmd = program
    .command('coverage')
    .description('share of a module corpus’s imports the stablelists protect; allowlist candidates')
    .requiredOption(
      '-s, --stablelist <file...>',
      'protected symbols (RHEL stablelist, kabi-module tree, Module.kabi, symbol list)',
    )
    .option(
      '-k, --kernel <build>',
      'count consumed symbols against this build’s exports (file, package or store ref)',
    )
    .option(
      '--series <query>',
      'stored builds: consumed symbols that changed along the series and that did not',
    );
  addCorpusOptions(cmd, 'modules, unprotected, stats').action(async (o: CoverageOptions, cmd: Command) => {
    const lib = await import('../../index.js');
    const lists = await Promise.all(o.stablelist.map((p) => lib.readStablelist(p)));
    const kernel = o.kernel === undefined ? undefined : await readBuild(o.kernel, {}, cmd);
    let series: Awaited<ReturnType<typeof loadSeries>> | undefined;
    if (o.series !== undefined) {
      const store = await openStore(cmd);
      try {
        series = await loadSeries(store, o.series);
      } finally {
        await store.close();
      }
      if (series.length === 0) throw new lib.UsageError(`no stored kernel build matches "${o.series}"`);
    }
    const corpus = await lib.readModuleCorpus(o.modules);
    for (const p of corpus.problems)
      process.stderr.write(`kabi: warning: ${p.path}: not read: ${p.reason}\n`);
    const report = lib.analyzeCoverage(corpus.modules, lists, { kernel, series });
    const opts = { ...renderOptions({ ...o, format: 'text' }), view: o.view };
    await emit(lib.coverageRenderers[o.format](report, opts), { ...o, format: 'text' });
    state.exitCode = 0;
  });
}
