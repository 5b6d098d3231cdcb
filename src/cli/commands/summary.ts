import { type Command, Option } from 'commander';
import { readBuild } from '../inputs.js';
import { type CommandState, emit, formatOption, type OutputOptions, renderOptions } from '../output.js';

interface SummaryOptions extends OutputOptions {
  inputFormat?: 'module-symvers' | 'rpm-provides' | 'ubuntu-abi';
}

export function registerSummary(program: Command, _state: CommandState): void {
  program
    .command('summary')
    .description('count exports by type, namespace and module; digest of the (symbol, crc) set')
    .argument('<file>', 'exports of a kernel build')
    .addOption(formatOption())
    .option('--all', 'list every module (text and markdown list 20 by default)')
    .option('--limit <n>', 'rows per table', '20')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .addOption(
      new Option('--input-format <format>', 'force the input format').choices([
        'module-symvers',
        'rpm-provides',
        'ubuntu-abi',
      ]),
    )
    .action(async (path: string, o: SummaryOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const build = await readBuild(path, { inputFormat: o.inputFormat }, cmd);
      await emit(lib.summaryRenderers[o.format](lib.summarizeExports(build), renderOptions(o)), o);
    });
}
