import type { Command } from 'commander';
import { type CommandState, emit, formatOption, type OutputOptions } from '../output.js';

export function registerModversions(program: Command, _state: CommandState): void {
  program
    .command('modversions')
    .description("a module's imports with the CRCs it was built against (as modprobe --dump-modversions)")
    .argument('<module>', '.ko, .ko.xz, .ko.zst or .ko.gz')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write to a file')
    .action(async (path: string, o: OutputOptions) => {
      const lib = await import('../../index.js');
      const m = await lib.readModuleImage(path);
      await emit(lib.modversionsRenderers[o.format](m), o);
    });
}
