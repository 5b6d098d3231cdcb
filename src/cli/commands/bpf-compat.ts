// `kabi bpf-compat OBJ.o... -k KERNEL...`: will these compiled CO-RE BPF objects load on these kernels?
// Judged from each kernel's BTF (CO-RE relocations, kfuncs, helpers, program and map types); exit 8 when
// an object fails on some kernel, as `kabi compat` does for modules.
import { type Command, Option } from 'commander';
import type { BpfKernel } from '../../index.js';
import { kernelSources } from '../kernel-sources.js';
import { type CommandState, emit, renderOptions } from '../output.js';
import { openStore, requireBuilds } from '../store.js';

/**
 * The kernels of a stored series, in order, each read when its turn comes (a vmlinux BTF parsed is some
 * 100 MB: one at a time). Every build must have its BTF kept: a gap would read as a kernel that has nothing.
 */
async function storedKernels(
  query: string,
  by: string | undefined,
  cmd: Command,
): Promise<(() => Promise<BpfKernel>)[]> {
  const lib = await import('../../index.js');
  const store = await openStore(cmd);
  const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
  try {
    await requireBuilds(entries.length, query);
  } catch (e) {
    await store.close();
    throw e;
  }
  // Ordered as builds are; each keeps its entry by identity (a label could be called anything).
  const asBuilds = entries.map((e) => ({ source: `entry ${e.id}`, labels: e.labels, entry: e }));
  const ordered = lib.orderBuilds(asBuilds, by).builds.map((b) => b.entry);
  let left = ordered.length;
  return ordered.map((b) => async () => {
    try {
      const id = b.id;
      const name = lib.labelOf(b.labels, 'release') ?? `entry ${id}`;
      const btf = await store.loadKernelBtf(id);
      if (!btf)
        throw new lib.UsageError(
          `store entry ${id} (${name}) keeps no BTF (ingested without BTF, or before the store kept it: remove it and ingest its package again)`,
        );
      return lib.bpfKernelFromBtf(name, btf, await store.loadKfuncs(id));
    } finally {
      if (--left === 0) await store.close();
    }
  });
}

interface BpfCompatOptions {
  kernels?: string[];
  series?: string;
  by?: string;
  format: 'text' | 'json' | 'markdown' | 'csv' | 'html';
  systemMap?: string;
  kernelSource?: string[];
  all?: boolean;
  limit: string;
  view?: string;
  output?: string;
  color?: boolean;
}

export function registerBpfCompat(program: Command, state: CommandState): void {
  program
    .command('bpf-compat')
    .description('will these compiled BPF objects (CO-RE) load on these kernels? Object × kernel, from BTF')
    .argument('<object...>', 'BPF object files (clang -target bpf -g -O2 -c)')
    .option('-k, --kernels <kernel...>', 'vmlinux, vmlinuz, linux-image package or tree, or raw BTF')
    .option(
      '--series <query>',
      'the stored builds of a series (label query), in order: matrix and first failure',
    )
    .option('--by <label>', 'with --series: order by this label (default: date, else version)')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'csv', 'html'])
        .default('text'),
    )
    .option('--system-map <file>', 'System.map for a stripped image (names its kfunc sets)')
    .option(
      '--kernel-source <dir...>',
      'Linux source trees (unpacked linux-source, git checkout): the program types each kfunc is registered for, matched to each kernel by version',
    )
    .option('--view <tables>', 'only these tables, comma-separated (matrix, findings)')
    .option('--all', 'list every finding')
    .option('--limit <n>', 'findings listed', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (objects: string[], o: BpfCompatOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      if ((o.kernels === undefined) === (o.series === undefined))
        throw new lib.UsageError('bpf-compat needs --kernels or --series (one of them)');
      const objs = await Promise.all(objects.map((p) => lib.readBpfObject(p)));
      const sourceFor = await kernelSources(o.kernelSource);
      const read =
        o.series !== undefined
          ? await storedKernels(o.series, o.by, cmd)
          : o.kernels!.map((k) => () => lib.readBpfKernel(k, o.systemMap ? { systemMap: o.systemMap } : {}));
      const kernels = [];
      for (const next of read) {
        const kernel = await next();
        if (sourceFor) {
          const regs = sourceFor(kernel.kfuncs?.release ?? kernel.name, kernel.name);
          kernel.kfuncProgTypes = {
            source: regs.source,
            version: regs.version,
            types: lib.kfuncProgTypes(regs),
          };
        }
        kernels.push(kernel);
      }
      const report = lib.bpfCompat(objs, kernels);
      const out = { ...o, format: o.format === 'json' ? ('json' as const) : ('text' as const) };
      await emit(lib.bpfCompatRenderers[o.format](report, { ...renderOptions(out), view: o.view }), out);
      state.exitCode |= lib.bpfCompatExitCode(report);
    });
}
