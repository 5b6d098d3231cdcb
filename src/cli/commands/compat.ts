import { setFlagsFromString } from 'node:v8';
import { type Command, Option } from 'commander';
import type { KernelVerdicts, Verdict } from '../../index.js';
import { explainSides, LazyStore, readExplainKernel } from '../explain-kernels.js';
import type { Lib } from '../kernels.js';
import { type CommandState, emit, openSink, renderOptions, terminalSafe, warn } from '../output.js';
import { fileSpool } from '../spool.js';
import {
  builtForBuild,
  type ModuleSet,
  readModuleSets,
  readSeriesTargets,
  readStoredTargets,
  readTarget,
} from '../targets.js';

interface CompatOptions {
  modules: string[];
  kernels?: string[];
  series?: string;
  by?: string;
  format: 'text' | 'json' | 'markdown' | 'csv' | 'sarif' | 'junit';
  output?: string;
  usable?: boolean;
  view?: 'package' | 'module';
  kernelModules?: boolean;
}

export function registerCompat(program: Command, state: CommandState): void {
  program
    .command('compat')
    .description('will these modules load on these kernels? The loader’s verdict, module × kernel')
    .requiredOption(
      '-m, --modules <module...>',
      '.ko files, directories, kmod .deb/.rpm, or stored kmods (id or label query)',
    )
    .option('-k, --kernels <kernel...>', 'kernel packages, trees, Module.symvers, or stored builds')
    .option(
      '--series <query>',
      'the stored builds of a series (label query): matrix, first failure, rebuild count',
    )
    .option('--by <label>', 'with --series: order by this label')
    .addOption(
      new Option(
        '-f, --format <format>',
        'report format (json: a verdict table, written as each kernel is judged; sarif, junit: for CI)',
      )
        .choices(['text', 'json', 'markdown', 'csv', 'sarif', 'junit'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to a file')
    .option('--config <file>', LOADER_OPTIONS.config)
    .option('--sig-enforce', LOADER_OPTIONS.sigEnforce)
    .option(
      '--usable',
      'per kernel: which modules it can use as they are, which need a rebuild (weak-modules)',
    )
    .addOption(
      new Option(
        '--view <view>',
        'with --series: per package (default when every module came from a package) or per module',
      ).choices(['package', 'module']),
    )
    .option('--kernel-modules', "resolve depends and imports against the kernel's own modules too (default)")
    .option('--no-kernel-modules', 'resolve them against vmlinux and the modules given only')
    .action(async (o: CompatOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const sets = await readModuleSets(o.modules, cmd);
      for (const w of sets.flatMap((s) => s.warnings)) warn(`warning: ${w}`);
      // One install per package (and one for the modules given alone), judged together: see installGroups.
      const modules = sets.flatMap((s) => s.modules);
      const options = { kernelModules: o.kernelModules ?? true };
      if (o.series !== undefined) {
        if (o.format === 'sarif' || o.format === 'junit')
          throw new lib.UsageError(
            `--format ${o.format} judges modules on kernels: use --kernels, not --series`,
          );
        const targets = await readSeriesTargets(o.series, o.by, cmd);
        const result = lib.compatSeries(modules, targets, options);
        const view = o.view ?? lib.defaultCompatView(result);
        await emit(lib.compatSeriesRenderers[o.format](result, { view }), {
          format: 'text',
          limit: '0',
          output: o.output,
        });
        state.exitCode = result.modules.every((m) => m.firstFailure === null) ? 0 : 8;
        return;
      }
      if (!o.kernels?.length) throw new lib.UsageError('compat needs --kernels or --series');
      const streamed = o.format === 'json' || o.format === 'sarif' || o.format === 'junit';
      // Before the kernels are read: they are held while every kernel is judged.
      if (streamed) lessHeapHeadroom();
      const stored = await readStoredTargets(o.kernels, cmd);
      // A stored kernel is let go once judged for the last time: what judging built on it (its export
      // index, the rows it materialised) goes with it.
      const lastUse = new Map(o.kernels.map((k, i) => [k, i]));
      let judged = 0;
      // A kernel's verdicts as the judge keeps them (typed arrays), and the rpm requires' after them.
      const judgeKernel = async (k: string): Promise<{ table: KernelVerdicts | null; rpm: Verdict[] }> => {
        const target = stored.get(k) ?? (await readTarget(k, cmd));
        if (lastUse.get(k) === judged++) stored.delete(k);
        const table = modules.length ? lib.kernelVerdicts(modules, target, options) : null;
        const rpm: Verdict[] = [];
        for (const set of sets) {
          if (set.rpm)
            rpm.push({
              ...lib.rpmRequiresVerdict(set.rpm.name, set.rpm.requires, target),
              module: `${set.rpm.name} (rpm requires)`,
            });
        }
        return { table, rpm };
      };
      const judge = async (k: string): Promise<Verdict[]> => {
        const { table, rpm } = await judgeKernel(k);
        return table ? [...table.verdicts(), ...rpm] : rpm;
      };
      if (o.format === 'json' || o.format === 'sarif' || o.format === 'junit') {
        // Written kernel by kernel: only one kernel's verdicts are ever held, the reasons' text waits on disk.
        const spool = fileSpool();
        try {
          const stream = lib.compatStreams[o.format]({ spool });
          const sink = openSink(o.output);
          let loads = true;
          await sink.write(stream.begin());
          for (const k of o.kernels) {
            const { table, rpm } = await judgeKernel(k);
            if (table && stream.table) {
              loads &&= table.allLoad();
              await sink.write(stream.table(table));
              loads &&= rpm.every((v) => v.loads);
              if (rpm.length) await sink.write(stream.kernel(rpm));
              continue;
            }
            const verdicts = table ? [...table.verdicts(), ...rpm] : rpm;
            loads &&= verdicts.every((v) => v.loads);
            await sink.write(stream.kernel(verdicts));
          }
          for (const piece of stream.end()) await sink.write(piece);
          await sink.close();
          state.exitCode = loads ? 0 : 8;
        } finally {
          spool.dispose();
        }
        return;
      }
      if (o.format === 'text' && !o.usable) {
        // Written as the matrix is complete: each kernel's verdicts become cells and lines, then go.
        const matrix = lib.matrixTextStream();
        let loads = true;
        for (const k of o.kernels) {
          const { table, rpm } = await judgeKernel(k);
          if (table) {
            loads &&= table.allLoad();
            matrix.table(table);
          }
          loads &&= rpm.every((v) => v.loads);
          matrix.kernel(rpm);
        }
        const sink = openSink(o.output);
        const color = renderOptions({ format: 'text', limit: '0', output: o.output }).color;
        for (const piece of matrix.end()) await sink.write(terminalSafe(piece, color));
        await sink.close();
        state.exitCode = loads ? 0 : 8;
        return;
      }
      const verdicts = [];
      for (const k of o.kernels) verdicts.push(...(await judge(k)));
      const text =
        o.usable && o.format === 'text' ? lib.usableText(verdicts) : lib.compatRenderers[o.format](verdicts);
      await emit(text, { format: 'text', limit: '0', output: o.output });
      state.exitCode = verdicts.every((v) => v.loads) ? 0 : 8;
    });

  program
    .command('why')
    .description(
      'one module on one kernel: every reason it would not load, in the order the loader meets them',
    )
    .argument('<module>', 'a .ko file, or a stored kmod')
    .argument('<kernel>', 'a kernel artifact or stored build')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json']).default('text'))
    .option(
      '--built-for <kernel>',
      'the kernel the module was built for (package, vmlinuz, vmlinux or store ref): say from BTF why each CRC changed',
    )
    .option('--kernel-btf <path>', "KERNEL's BTF, when KERNEL is a Module.symvers or store ref")
    .option('--config <file>', LOADER_OPTIONS.config)
    .option('--sig-enforce', LOADER_OPTIONS.sigEnforce)
    .action(async (module: string, kernel: string, o: WhyOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const [set] = (await readModuleSets([module], cmd)) as [ModuleSet];
      const target = await readTarget(kernel, cmd);
      const verdicts = await Promise.all(
        lib.moduleVerdicts(set.modules, target).map(async (v, i) => {
          const builtFor = await builtForBuild(set.modules[i]!, cmd);
          return builtFor ? lib.annotateMoves(v, builtFor) : v;
        }),
      );
      let text =
        o.format === 'json' ? lib.compatRenderers.json(verdicts) : verdicts.map(lib.whyText).join('\n');
      if (o.builtFor && o.format !== 'json') text += await crcCauses(lib, verdicts, kernel, o, cmd);
      await emit(text, { format: 'text', limit: '0' });
      state.exitCode = verdicts.every((v) => v.loads) ? 0 : 8;
    });
}

/**
 * V8 lets its heap grow to up to four times what is live before it collects again: with the corpus, the
 * table of reasons and one kernel's verdicts live (some 150 MB for 4,022 modules), that was 600 MB and
 * more. A growing factor (V8's --heap-growing-percent, read at each collection) collects sooner; it caps
 * nothing, so a larger input only collects more often. 1.1 peaked no lower over 11 kernels than 1.3 and
 * cost 15% more CPU in collections; since the reasons are told apart without their text, 1.8 peaks at
 * 251 MB against 1.3's 242-244 MB, for 0.07-0.16 CPU-s less (medians of 5 and 6 runs, alternated); 2.5
 * peaked at 269 MB.
 */
function lessHeapHeadroom(): void {
  setFlagsFromString('--heap-growing-percent=80');
}

/** The loader's configuration, for kernels that do not carry it (read in targets.ts). */
const LOADER_OPTIONS = {
  config:
    "the kernel's configuration (.config, config.gz, or a vmlinux with IKCONFIG), for kernels without one",
  sigEnforce:
    'as booted with module.sig_enforce=1 or under Secure Boot lockdown: unsigned modules are refused',
};

interface WhyOptions {
  format: string;
  builtFor?: string;
  kernelBtf?: string;
}

/** For each CRC the module and the kernel disagree on: the type changes behind it, from both kernels' BTF. */
async function crcCauses(
  lib: Lib,
  verdicts: Verdict[],
  kernel: string,
  o: WhyOptions,
  cmd: Command,
): Promise<string> {
  const symbols = new Set(
    verdicts.flatMap((v) =>
      v.reasons
        .filter((r) => (r.code === 'crc-mismatch' || r.code === 'module-layout') && r.symbol)
        .map((r) => r.symbol!),
    ),
  );
  if (symbols.size === 0) return '';
  // Either kernel may be a store ref whose types ingest kept.
  const store = new LazyStore(cmd);
  let r: ReturnType<Lib['explainCrcChanges']>;
  try {
    const kernels = await Promise.all([
      readExplainKernel(lib, o.builtFor!, undefined, {}, cmd, '--built-for', store),
      readExplainKernel(lib, kernel, o.kernelBtf, {}, cmd, '--kernel-btf', store),
    ]);
    const [before, after] = await explainSides(lib, kernels, [undefined, undefined], store, symbols);
    r = lib.explainCrcChanges(before, after, { symbols });
  } finally {
    await store.close();
  }
  const lines = ['', `Why the CRCs changed (BTF of ${o.builtFor} and ${kernel}):`];
  for (const s of r.symbols)
    lines.push(
      `  ${lib.textSafe(s.symbol)}: ${lib.textSafe(lib.explainSymbolLine(s) ?? lib.explainStatusLine(s))}`,
    );
  return `${lines.join('\n')}\n`;
}
