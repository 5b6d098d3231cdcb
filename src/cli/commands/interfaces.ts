// `kabi interfaces OLD NEW [SYMBOL...] [--module-path drivers/vfio ...]`: oEEP-0009's interface table,
// each interface classified between two kernels with the type-level reason for a CRC change (BTF).
import { type Command, Option } from 'commander';
import { type ExplainKernel, explainSides, LazyStore, readExplainKernel } from '../explain-kernels.js';
import { readBuild } from '../inputs.js';
import type { Lib } from '../kernels.js';
import { type CommandState, emit, warn } from '../output.js';

interface InterfacesOptions {
  modulePath: string[];
  oldBtf?: string;
  newBtf?: string;
  allowDuplicates?: boolean;
  format: 'text' | 'json' | 'markdown' | 'html';
  output?: string;
  color?: boolean;
}

export function registerInterfaces(program: Command, state: CommandState): void {
  program
    .command('interfaces')
    .description(
      'each interface between two kernels: added, removed, not changed, or CRC changed and why (its prototype, or the types it reaches, from BTF)',
    )
    .argument(
      '<old>',
      'old kernel: linux-image package, tree, vmlinux, store ref, or exports (no reasons then)',
    )
    .argument('<new>', 'new kernel, the same way')
    .argument('[symbol...]', 'the interfaces asked about')
    .option(
      '--module-path <path>',
      'every export of the modules under this path (drivers/vfio); repeat for more',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--old-btf <path>', 'where the old BTF is, when OLD is a Module.symvers or store ref')
    .option('--new-btf <path>', 'where the new BTF is')
    .option('--allow-duplicates', 'keep the last of a symbol listed twice, with a warning')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'html'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(
      async (oldPath: string, newPath: string, wanted: string[], o: InterfacesOptions, cmd: Command) => {
        const lib = await import('../../index.js');
        if (wanted.length === 0 && o.modulePath.length === 0)
          throw new lib.UsageError(
            'interfaces takes SYMBOL... or --module-path PATH (the interfaces to classify)',
          );
        const store = new LazyStore(cmd);
        try {
          const kernels = await withTypes(lib, [oldPath, newPath], o, cmd, store);
          const [old, next] = kernels
            ? [kernels[0].build, kernels[1].build]
            : await Promise.all([readBuild(oldPath, o, cmd), readBuild(newPath, o, cmd)]);
          const symbols = lib.selectInterfaces(old, next, { symbols: wanted, modulePaths: o.modulePath });
          lib.requireSome(
            symbols.length,
            o.modulePath.join(', '),
            `export under ${o.modulePath.length > 1 ? 'these module paths' : 'that module path'} in ${oldPath} or ${newPath}`,
            'a module path such as drivers/vfio',
          );
          const changed = new Set(
            symbols.filter((s) => {
              const a = old.exports.get(s);
              const b = next.exports.get(s);
              return a && b && a.crc !== b.crc;
            }),
          );
          // Only the CRC changes asked about are explained: the type walk is the costly part.
          const explanation = kernels
            ? lib.explainCrcChanges(
                ...(await explainSides(lib, kernels, [undefined, undefined], store, changed)),
                { symbols: changed },
              )
            : null;
          const report = lib.classifyInterfaces(old, next, symbols, explanation, o.modulePath);
          await emit(lib.interfacesRenderers[o.format](report), {
            format: o.format === 'json' ? 'json' : 'text',
            limit: '0',
            output: o.output,
            color: o.color,
          });
        } finally {
          await store.close();
        }
        state.exitCode = 0;
      },
    );
}

/** Both kernels with their types; null (a warning said why) when either carries none. */
async function withTypes(
  lib: Lib,
  [oldPath, newPath]: [string, string],
  o: InterfacesOptions,
  cmd: Command,
  store: LazyStore,
): Promise<[ExplainKernel, ExplainKernel] | null> {
  try {
    return (await Promise.all([
      readExplainKernel(lib, oldPath, o.oldBtf, o, cmd, '--old-btf', store),
      readExplainKernel(lib, newPath, o.newBtf, o, cmd, '--new-btf', store),
    ])) as [ExplainKernel, ExplainKernel];
  } catch (e) {
    if (!(e instanceof lib.UsageError) || !/carries no types|keeps no types/.test(e.message)) throw e;
    warn(
      `warning: ${e.message.replace(/, so give .*| give --.*/, '')}: CRC changes are listed without their reason`,
    );
    return null;
  }
}
