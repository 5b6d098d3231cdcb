import type { Command } from 'commander';
import { type CommandState, emit, formatOption, type OutputOptions } from '../output.js';

interface ModinfoOptions extends OutputOptions {
  field?: string;
}

export function registerModinfo(program: Command, _state: CommandState): void {
  program
    .command('modinfo')
    .description(
      "a module's .modinfo fields (license, vermagic, depends, import_ns, ...) and what it exports",
    )
    .argument('<module>', '.ko, .ko.xz, .ko.zst or .ko.gz')
    .addOption(formatOption())
    .option('-F, --field <key>', 'print only the values of one field, one per line (as modinfo -F)')
    .option('-o, --output <file>', 'write to a file')
    .action(async (path: string, o: ModinfoOptions) => {
      // As text, what the quick entry (quick.ts) prints too: one function for both.
      if (o.format === 'text') {
        const { moduleModinfoText } = await import('../module-file.js');
        await emit(await moduleModinfoText(path, o.field), o);
        return;
      }
      const lib = await import('../../index.js');
      const m = await lib.readModuleImage(path);
      const text = o.field ? lib.modinfoFieldText(m, o.field) : lib.modinfoRenderers[o.format](m);
      await emit(text, o);
    });
}
