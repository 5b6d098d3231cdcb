// `kabi bpf-compat OBJ.o... -k KERNEL...`: will these compiled CO-RE BPF objects load on these kernels?
// Judged from each kernel's BTF (CO-RE relocations, kfuncs, helpers, program and map types); exit 8 when
// an object fails on some kernel, as `kabi compat` does for modules.
import { type Command, Option } from 'commander';
import { type CommandState, emit, renderOptions } from '../output.js';

interface BpfCompatOptions {
  kernels: string[];
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
    .requiredOption('-k, --kernels <kernel...>', 'vmlinux, vmlinuz, linux-image package or tree, or raw BTF')
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
    .action(async (objects: string[], o: BpfCompatOptions) => {
      const lib = await import('../../index.js');
      const objs = await Promise.all(objects.map((p) => lib.readBpfObject(p)));
      const kernels = [];
      const sources = (o.kernelSource ?? []).map((d) => lib.readKfuncRegistrations(d));
      for (const k of o.kernels) {
        const kernel = await lib.readBpfKernel(k, o.systemMap ? { systemMap: o.systemMap } : {});
        if (sources.length > 0) {
          const regs = lib.registrationsForRelease(sources, kernel.kfuncs?.release ?? kernel.name);
          if (!regs)
            throw new lib.UsageError(
              `no --kernel-source of ${kernel.name}'s version (${sources.map((s) => s.version ?? s.source).join(', ')})`,
            );
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
