import { type Command, Option } from 'commander';
import { addInputOptions, type InputOptions, readPair, readPolicy } from '../inputs.js';
import { type CommandState, emit, type OutputOptions, renderOptions } from '../output.js';

interface CheckOptions extends Omit<OutputOptions, 'format'>, InputOptions {
  format: 'text' | 'json' | 'markdown' | 'sarif' | 'junit';
  baseline: string;
  abiVersion?: string;
  update?: boolean;
}

export function registerCheck(program: Command, state: CommandState): void {
  const cmd = program
    .command('check')
    .description(
      'gate a kernel build against a baseline under a policy; exit 0, 4 (compatible) or 12 (incompatible)',
    )
    .requiredOption('-b, --baseline <file>', 'exports of the last release (the baseline)')
    .argument('<new>', 'exports of the build to check')
    .addOption(
      new Option('-f, --format <format>', 'report format (sarif: GitHub code scanning; junit: test reports)')
        .choices(['text', 'json', 'markdown', 'sarif', 'junit'])
        .default('text'),
    )
    .option('--all', 'list every change (text and markdown list 50 per kind by default)')
    .option('--limit <n>', 'changes listed per kind', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .option(
      '--abi-version <n>',
      "the baseline's ABI version number: say whether it must be bumped, and to what",
    )
    .option('--update', 'after checking, replace the baseline with the new exports (atomically)');
  addInputOptions(cmd).action(async (newPath: string, o: CheckOptions, cmd: Command) => {
    const lib = await import('../../index.js');
    let abiVersion: number | undefined;
    if (o.abiVersion !== undefined) {
      abiVersion = Number(o.abiVersion);
      if (!Number.isInteger(abiVersion) || abiVersion < 0) {
        throw new lib.UsageError(`--abi-version expects a whole number, got "${o.abiVersion}"`);
      }
    }
    const [[old, next], policy] = await Promise.all([readPair(o.baseline, newPath, o, cmd), readPolicy(o)]);
    const report = lib.compareBuilds(old, next, { policy, abiVersion });
    const out = { ...o, format: 'text' as const };
    await emit(lib.checkRenderers[o.format](report, renderOptions(out)), out);
    if (o.update) {
      await lib.writeBaseline(o.baseline, next);
      process.stderr.write(`kabi: baseline ${o.baseline} updated (${next.exports.size} exports)\n`);
    }
    state.exitCode = report.exitCode;
  });
}
