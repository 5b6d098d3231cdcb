// `kabi coverage`: how much of what a module corpus imports the stablelists protect, which kernel symbols
// should join them (the unprotected ones the kernel exports, most used and most changed first), and the
// corpus statistics of the Fermilab kmod study.
import type { Command } from 'commander';
import { addCorpusOptions, type CorpusOptions, emitCorpusReport, readCorpusModules } from '../corpus.js';
import { readBuild } from '../inputs.js';
import type { CommandState } from '../output.js';
import { openStore } from '../store.js';
import { loadSeries } from './series.js';

interface CoverageOptions extends CorpusOptions {
  stablelist: string[];
  kernel?: string;
  series?: string;
  by?: string;
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
      'stored builds: consumed symbols that changed along the series and how often; the kernel without -k',
    )
    .option(
      '--by <label>',
      'with --series: order by this label (default: date when every build has one, else version)',
    );
  addCorpusOptions(cmd, 'modules, candidates, unprotected, stats').action(
    async (o: CoverageOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const lists = await Promise.all(o.stablelist.map((p) => lib.readStablelist(p)));
      const kernel = o.kernel === undefined ? undefined : await readBuild(o.kernel, {}, cmd);
      let series: Awaited<ReturnType<typeof loadSeries>> | undefined;
      if (o.series !== undefined) {
        const store = await openStore(cmd);
        try {
          series = lib.orderBuilds(await loadSeries(store, o.series), o.by).builds;
        } finally {
          await store.close();
        }
      }
      const report = lib.analyzeCoverage(await readCorpusModules(o.modules), lists, { kernel, series });
      await emitCorpusReport((opts) => lib.coverageRenderers[o.format](report, opts), o);
      state.exitCode = 0;
    },
  );
}
