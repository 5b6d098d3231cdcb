// `kabi stablelist generate NEW --from LIST`: the kABI reference of a new SP from its build and an
// allowlist (Module.kabi_<arch>, a RHEL stablelist, SUSE's symvers, Android's abi_symbol_list), and what
// changed from the previous reference.
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { readBuild } from '../inputs.js';
import { type CommandState, emit, warn } from '../output.js';

interface GenerateOptions {
  from: string;
  as: 'module-kabi' | 'rhel' | 'suse' | 'gki';
  arch?: string;
  name?: string;
  previous?: string;
  allowMissing?: boolean;
  allowDuplicates?: boolean;
  output?: string;
  format: 'text' | 'json';
  limit: string;
}

export function registerStablelist(program: Command, state: CommandState): void {
  const stablelist = program.command('stablelist').description('kABI stablelists: generate a reference');
  stablelist
    .command('generate')
    .description(
      "a new kABI reference from a build's exports and an allowlist, and what changed from the last",
    )
    .argument('<new>', 'the new build: Module.symvers, a package, a tree or a store ref')
    .requiredOption('--from <list>', 'the allowlist: kabi_whitelist_<arch>, a stablelist, a symbol list')
    .addOption(
      new Option('--as <format>', 'the reference written: Module.kabi_<arch> (module-kabi), rhel, suse, gki')
        .choices(['module-kabi', 'rhel', 'suse', 'gki'])
        .default('module-kabi'),
    )
    .option('--arch <arch>', "the reference's arch (default: the list's or the build's arch label)")
    .option(
      '--name <prefix>',
      'rhel: the section prefix, distro and major (rhel9 → [rhel9_x86_64_stablelist])',
    )
    .option(
      '--previous <reference>',
      'the previous reference (Module.kabi_<arch>, a stablelist): report changes',
    )
    .option('--allow-missing', 'write the reference even when the build does not export a listed symbol')
    .option('--allow-duplicates', 'keep the last of a symbol the build lists twice, with a warning')
    .option(
      '-o, --output <file>',
      'write the reference here (default: standard output, the report on stderr)',
    )
    .addOption(
      new Option('-f, --format <format>', 'the change report: text or json')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--limit <n>', 'symbols named per list in the text report (0: all)', '20')
    .action(async (newPath: string, o: GenerateOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const [build, list, previous] = await Promise.all([
        readBuild(newPath, o, cmd.parent?.parent ?? cmd),
        lib.readStablelist(o.from),
        o.previous ? lib.readStablelist(o.previous) : null,
      ]);
      lib.requireSome(list.symbols.size, o.from, 'symbols', 'an allowlist of at least one symbol');
      const r = lib.generateReference(build, list, previous);
      if (r.missing.length && !o.allowMissing)
        throw new lib.KabiError(
          `${r.missing.length} listed symbol(s) not exported by ${newPath}: ${r.missing.slice(0, 10).map(lib.printable).join(', ')}${r.missing.length > 10 ? ', ...' : ''} (--allow-missing writes the reference without them)`,
        );
      // A package's arch label is Debian's (amd64); references name the machine (x86_64).
      const label = build.labels.arch;
      const arch = o.arch ?? list.arch ?? (label === undefined ? null : lib.archOfLabel(label));
      const text = lib.formatReference(o.as, r.exports, { arch, name: o.name });
      if (o.output) await writeFile(o.output, text);
      else process.stdout.write(text);
      const json = lib.stablelistGenerateJson(r, o.as, o.output ?? null);
      const report =
        o.format === 'json'
          ? `${JSON.stringify(json, null, 2)}\n`
          : lib.stablelistGenerateToText(json, Number.parseInt(o.limit, 10) || 0);
      // The reference took standard output: the report goes beside it, on stderr.
      if (o.output) await emit(report, { format: o.format, limit: '0' });
      else if (o.format === 'json') process.stderr.write(report);
      else for (const line of report.trimEnd().split('\n')) warn(line);
      state.exitCode = 0;
    });
}
