// `kabi kfuncs`: the BPF kfuncs a kernel offers (with prototypes and KF_* flags, and how they were
// found), or, with --series, what changed in them from build to build of a stored series.
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { KfuncList } from '../../index.js';
import { kernelSources } from '../kernel-sources.js';
import { type CommandState, emit, type OutputOptions, renderOptions } from '../output.js';
import { looksLikeRef, openStore, requireBuilds } from '../store.js';

interface KfuncsOptions extends Omit<OutputOptions, 'format'> {
  format: 'text' | 'json' | 'markdown' | 'csv';
  systemMap?: string;
  series?: string;
  by?: string;
  kernelSource?: string[];
}

/** A kernel artifact's kfuncs, or a stored build's (`12`, `release=6.1.0-47-amd64`). */
export async function loadKfuncList(arg: string, cmd: Command, systemMap?: string): Promise<KfuncList> {
  const lib = await import('../../index.js');
  if (!existsSync(arg) && looksLikeRef(arg)) {
    const store = await openStore(cmd);
    try {
      const e = await store.resolve(arg);
      const list = await store.loadKfuncs(e.id);
      if (!list)
        throw new lib.UsageError(
          `store entry ${e.id} has no kfuncs recorded (no BTF, or stored before kfuncs were: ingest it again)`,
        );
      return list;
    } finally {
      await store.close();
    }
  }
  return lib.readKfuncs(arg, systemMap ? { systemMap } : {});
}

export function registerKfuncs(program: Command, _state: CommandState): void {
  program
    .command('kfuncs')
    .description('the BPF kfuncs a kernel offers, or (--series) what changed in them across stored builds')
    .argument('[artifact]', 'kernel package, tree, vmlinux, vmlinuz, BTF file, or a store REF')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'csv'])
        .default('text'),
    )
    .option('--system-map <file>', 'System.map of a stripped image (from its -dbg package)')
    .option(
      '--kernel-source <dir...>',
      'Linux source trees: the program types each kfunc is registered for (matched to each build by version)',
    )
    .option('--series <query>', 'label query selecting stored builds: kfuncs added, removed, changed')
    .option('--by <label>', 'order the series by this label (default: date, else version)')
    .option('--view <tables>', 'only these tables, comma-separated (kfuncs; steps, stability, changes)')
    .option('--all', 'list every row')
    .option('--limit <n>', 'rows per list', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (artifact: string | undefined, o: KfuncsOptions & { view?: string }, cmd: Command) => {
      const lib = await import('../../index.js');
      const sourceFor = await kernelSources(o.kernelSource);
      const typed = (list: KfuncList): KfuncList =>
        sourceFor ? lib.withKfuncProgTypes(list, sourceFor(list.release ?? list.source)) : list;
      const opts = { ...renderOptions({ ...o, format: 'text' }), view: o.view };
      const out = { ...o, format: 'text' as const };
      if (o.series !== undefined) {
        if (artifact !== undefined) throw new lib.UsageError('give an artifact or --series, not both');
        const store = await openStore(cmd);
        try {
          const kernels = (await store.list(o.series)).filter((e) => e.kind === 'kernel');
          const lists = await Promise.all(kernels.map((e) => store.loadKfuncs(e.id)));
          const points = kernels.flatMap((e, i) => {
            const list = lists[i];
            return list
              ? [{ label: e.labels.release ?? `entry ${e.id}`, labels: e.labels, list: typed(list) }]
              : [];
          });
          await requireBuilds(points.length, o.series, 'stored kernel builds with kfuncs recorded');
          await emit(lib.kfuncSeriesRenderers[o.format](lib.kfuncSeries(points, o.by), opts), out);
        } finally {
          await store.close();
        }
        return;
      }
      if (artifact === undefined) throw new lib.UsageError('kfuncs needs an ARTIFACT or --series QUERY');
      const list = typed(await loadKfuncList(artifact, cmd, o.systemMap));
      await emit(lib.kfuncListRenderers[o.format](list, opts), out);
    });
}
