// `kabi explain OLD NEW [SYMBOL...]`: why CRCs changed, from the BTF of both kernels.
// `kabi btf ARTIFACT [TYPE...]`: a kernel's or module's types as C.
import type { Command } from 'commander';
import type { Btf, ExplainSide, KernelBuild } from '../../index.js';
import { readBuild } from '../inputs.js';
import { type CommandState, emit, formatOption, renderOptions } from '../output.js';

interface ExplainOptions {
  oldBtf?: string;
  newBtf?: string;
  oldHeaders?: string;
  newHeaders?: string;
  modules?: string[];
  symbols?: boolean;
  allowDuplicates?: boolean;
  format: 'text' | 'json' | 'markdown';
  all?: boolean;
  limit: string;
  output?: string;
  color?: boolean;
}

export function registerExplain(program: Command, state: CommandState): void {
  program
    .command('explain')
    .description('name the type changes behind CRC changes between two kernels, from their BTF')
    .argument(
      '<old>',
      'old kernel: linux-image package, tree, vmlinuz or vmlinux (or exports with --old-btf)',
    )
    .argument('<new>', 'new kernel, the same way')
    .argument('[symbol...]', 'only these exports (default: every export whose CRC changed)')
    .option('--old-btf <path>', 'where the old BTF is, when OLD is a Module.symvers or store ref')
    .option('--new-btf <path>', 'where the new BTF is')
    .option('--old-headers <path>', 'linux-headers-*-common package or tree: types of variables BTF lacks')
    .option('--new-headers <path>', 'the same for the new kernel')
    .option('-m, --modules <path...>', 'only the symbols this module corpus imports (.ko, dirs, packages)')
    .option('--symbols', 'list every symbol, however many')
    .option('--allow-duplicates', 'keep the last of a symbol listed twice, with a warning')
    .addOption(formatOption())
    .option('--all', 'no row limits')
    .option('--limit <n>', 'rows per long list', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .action(async (oldPath: string, newPath: string, wanted: string[], o: ExplainOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const [oldBuild, newBuild] = await Promise.all([
        readBuild(oldPath, o, cmd),
        readBuild(newPath, o, cmd),
      ]);
      let selection: Set<string> | undefined = wanted.length ? new Set(wanted) : undefined;
      if (o.modules) {
        const corpus = await lib.readModuleCorpus(o.modules);
        for (const p of corpus.problems)
          process.stderr.write(`kabi: warning: ${p.path}: not read: ${p.reason}\n`);
        selection ??= new Set();
        for (const m of corpus.modules) for (const i of m.imports) selection.add(i.symbol);
      }
      const changed = changedExports(oldBuild, newBuild, selection);
      const [before, after] = await Promise.all([
        side(lib, oldBuild, o.oldBtf ?? oldPath, o.oldHeaders, changed, '--old-btf'),
        side(lib, newBuild, o.newBtf ?? newPath, o.newHeaders, changed, '--new-btf'),
      ]);
      const result = lib.explainCrcChanges(before, after, selection ? { symbols: selection } : {});
      const { limit } = renderOptions(o);
      await emit(lib.explainRenderers[o.format](result, { limit, symbols: o.symbols === true }), o);
      state.exitCode = 0;
    });

  program
    .command('btf')
    .description('print BTF types as C (like bpftool btf dump format c), or count them by kind')
    .argument('<artifact>', 'vmlinux, vmlinuz, raw BTF, linux-image package or tree, or a .ko with --base')
    .argument('[type...]', '`struct device`, `device`, `proc_create`, ...')
    .option('--base <path>', "the kernel a .ko's split BTF builds on")
    .option('--module <name>', "a module's split BTF, from a package or tree")
    .addOption(formatOption())
    .option('-o, --output <file>', 'write to a file')
    .action(
      async (
        path: string,
        types: string[],
        o: { base?: string; module?: string; format: string; output?: string; limit: string },
      ) => {
        const lib = await import('../../index.js');
        let btf: Btf;
        if (o.base) btf = await lib.readModuleBtf(path, (await lib.readKernelBtf(o.base)).btf);
        else {
          const wantedModule = o.module?.replace(/-/g, '_');
          const k = await lib.readKernelBtf(path, wantedModule ? { modules: (n) => n === wantedModule } : {});
          const m = wantedModule ? k.modules.get(wantedModule) : undefined;
          if (wantedModule && !m) throw new lib.UsageError(`${path}: no module ${o.module} with BTF`);
          btf = m ?? k.btf;
        }
        if (types.length === 0) {
          await emit(lib.btfSummaryToText(btf), { ...o, format: 'text', limit: '0' });
          state.exitCode = 0;
          return;
        }
        const ids = types.flatMap((t) => {
          const found = lib.findTypes(btf, t);
          if (found.length === 0) process.stderr.write(`kabi: ${btf.source}: no type ${t}\n`);
          return found;
        });
        const text = o.format === 'json' ? lib.btfTypesToJson(btf, ids) : lib.btfTypesToText(btf, ids);
        await emit(text, { ...o, format: 'text', limit: '0' });
        state.exitCode = ids.length ? 0 : 1;
      },
    );
}

/** Exports whose CRC changed, by exporting module: which modules' split BTF is needed. */
function changedExports(a: KernelBuild, b: KernelBuild, only: ReadonlySet<string> | undefined) {
  const out: { symbol: string; module: string | null }[] = [];
  for (const [symbol, n] of b.exports) {
    const o = a.exports.get(symbol);
    if (!o || o.crc === n.crc || (only && !only.has(symbol))) continue;
    out.push({ symbol, module: n.module });
  }
  return out;
}

async function side(
  lib: typeof import('../../index.js'),
  build: KernelBuild,
  btfPath: string,
  headers: string | undefined,
  changed: { symbol: string; module: string | null }[],
  flag: string,
): Promise<ExplainSide> {
  const modules = new Set(
    changed.filter((c) => c.module && c.module !== 'vmlinux').map((c) => lib.moduleKey(c.module!)),
  );
  let k: Awaited<ReturnType<typeof lib.readKernelBtf>>;
  try {
    k = await lib.readKernelBtf(btfPath, { modules: (n) => modules.has(n) });
  } catch (e) {
    if (e instanceof lib.KabiError)
      throw new lib.UsageError(
        `${btfPath}: no kernel BTF here (${e.message}); give ${flag} a vmlinux, vmlinuz or linux-image package`,
      );
    throw e;
  }
  const result: ExplainSide = { build, btf: k.btf, modules: k.modules };
  if (headers) {
    const vars = new Set(changed.filter((c) => c.module === 'vmlinux').map((c) => c.symbol));
    const found = await lib.readExternDeclarations(headers, vars);
    result.externs = new Map([...found].map(([name, d]) => [name, { ...d, where: `${d.where}` }]));
  }
  return result;
}
