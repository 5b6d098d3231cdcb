// `kabi explain OLD NEW [SYMBOL...]`: why CRCs changed, from the BTF of both kernels.
// `kabi btf ARTIFACT [TYPE...]`: a kernel's or module's types as C.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { Btf, ExplainModule, ExplainSide, KernelBuild, ModuleImage } from '../../index.js';
import { readCorpusModules } from '../corpus.js';
import { type ExplainKernel, explainSides, LazyStore, readExplainKernel } from '../explain-kernels.js';
import type { Lib } from '../kernels.js';
import { type CommandState, emit, formatOption, openSink, renderOptions, warn } from '../output.js';

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

interface BtfOptions {
  base?: string;
  module?: string;
  subset?: string;
  pointerDepth: string;
  format: string;
  output?: string;
  limit: string;
}

export function registerExplain(program: Command, state: CommandState): void {
  program
    .command('explain')
    .description('name the type changes behind CRC changes between two kernels, from their BTF')
    .argument(
      '<old>',
      'old kernel: linux-image package, tree, vmlinuz, vmlinux, store ref (or exports with --old-btf)',
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
      const store = new LazyStore(cmd);
      try {
        await explain(lib, [oldPath, newPath], wanted, o, cmd, store);
      } finally {
        await store.close();
      }
      state.exitCode = 0;
    });

  program
    .command('btf')
    .description('print BTF types as C or raw JSON (as bpftool btf dump prints them), or count them by kind')
    .argument('<artifact>', 'vmlinux, vmlinuz, raw BTF, linux-image package or tree, or a .ko with --base')
    .argument('[type...]', '`struct device`, `device`, `proc_create`, ...')
    .option('--base <path>', "the kernel a .ko's split BTF builds on")
    .option('--module <name>', "a module's split BTF, from a package or tree")
    .option('--subset <file>', 'write the TYPEs and what they need as a small raw BTF file instead')
    .option('--pointer-depth <n>', 'with --subset: follow pointers this deep, then forward-declare', '4')
    .addOption(
      new Option(
        '-f, --format <format>',
        'c: one C header, as bpftool btf dump format c; json: the raw types, as bpftool btf dump -j',
      )
        .choices(['text', 'json', 'markdown', 'c'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write to a file')
    .action(async (path: string, types: string[], o: BtfOptions) => {
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
      if (o.format === 'c' && !o.subset) {
        const ids = types.length ? findAll(lib, btf, types) : undefined;
        const dump = lib.btfHeader(btf, ids);
        for (const p of dump.problems) warn(`${btf.source}: ${p}`);
        await emit(dump.text, { ...o, format: 'text', limit: '0' });
        state.exitCode = dump.problems.length || ids?.length === 0 ? 1 : 0;
        return;
      }
      if (o.format === 'json' && !o.subset) {
        // bpftool btf dump file F -j: every type, or the TYPEs named (bpftool's root types).
        const ids = types.length ? findAll(lib, btf, types) : undefined;
        const sink = openSink(o.output);
        for (const chunk of lib.btfRawJsonChunks(btf, ids)) await sink.write(chunk);
        await sink.close();
        state.exitCode = ids?.length === 0 ? 1 : 0;
        return;
      }
      if (types.length === 0) {
        await emit(lib.btfSummaryToText(btf), { ...o, format: 'text', limit: '0' });
        state.exitCode = 0;
        return;
      }
      const ids = findAll(lib, btf, types);
      if (o.subset) {
        if (btf.base) throw new lib.UsageError('--subset works on a kernel BTF, not on split module BTF');
        const types = lib.btfSubset(btf, ids, Number.parseInt(o.pointerDepth, 10));
        await writeFile(o.subset, lib.encodeBtf(types));
        process.stderr.write(`kabi: wrote ${types.length} types to ${o.subset}\n`);
        state.exitCode = ids.length ? 0 : 1;
        return;
      }
      await emit(lib.btfTypesToText(btf, ids), { ...o, format: 'text', limit: '0' });
      state.exitCode = ids.length ? 0 : 1;
    });
}

/** The ids of every TYPE named, warning about those the BTF lacks. */
function findAll(lib: Lib, btf: Btf, types: readonly string[]): number[] {
  return types.flatMap((t) => {
    const found = lib.findTypes(btf, t);
    if (found.length === 0) warn(`${btf.source}: no type ${t}`);
    return found;
  });
}

async function explain(
  lib: Lib,
  [oldPath, newPath]: [string, string],
  wanted: string[],
  o: ExplainOptions,
  cmd: Command,
  store: LazyStore,
): Promise<void> {
  const modules = o.modules ? await readCorpusModules(o.modules) : undefined;
  let selection: Set<string> | undefined = wanted.length ? new Set(wanted) : undefined;
  if (modules) {
    selection ??= new Set();
    for (const m of modules) for (const i of m.imports) selection.add(i.symbol);
  }
  // Both read at once; an error about OLD is reported before one about NEW, whichever came first. A store
  // ref's build only with the exports asked about, when some are.
  const only = selection && [...selection];
  const [oldKernel, newKernel] = (
    await Promise.allSettled([
      readExplainKernel(lib, oldPath, o.oldBtf, o, cmd, '--old-btf', store, only),
      readExplainKernel(lib, newPath, o.newBtf, o, cmd, '--new-btf', store, only),
    ])
  ).map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }) as [ExplainKernel, ExplainKernel];
  // A symbol neither kernel exports has no CRC to explain: a typo, not "0 CRC changes".
  const unknown = wanted.filter((s) => !oldKernel.build.exports.has(s) && !newKernel.build.exports.has(s));
  lib.requireSome(
    unknown.length ? 0 : 1,
    unknown.join(', '),
    `export of ${unknown.length > 1 ? 'these names' : 'that name'} in ${oldPath} or ${newPath}`,
    'symbols one of the two kernels exports',
  );
  const changed = changedExports(oldKernel.build, newKernel.build, selection);
  const externs = await Promise.all([
    externsOf(lib, o.oldHeaders, changed),
    externsOf(lib, o.newHeaders, changed),
  ]);
  const [before, after] = await explainSides(lib, [oldKernel, newKernel], externs, store, selection);
  const result = lib.explainCrcChanges(before, after, {
    ...(selection && { symbols: selection }),
    ...(modules && { modules: await withBtf(lib, modules, 'btf' in oldKernel ? oldKernel.btf.btf : null) }),
  });
  const { limit } = renderOptions(o);
  await emit(lib.explainRenderers[o.format](result, { limit, symbols: o.symbols === true }), o);
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

/** Declared types of exported variables BTF lacks, from a headers package: only for vmlinux's. */
async function externsOf(
  lib: Lib,
  headers: string | undefined,
  changed: { symbol: string; module: string | null }[],
): Promise<ExplainSide['externs']> {
  if (!headers) return undefined;
  const vars = new Set(changed.filter((c) => c.module === 'vmlinux').map((c) => c.symbol));
  return lib.readExternDeclarations(headers, vars);
}

/**
 * Each corpus module with its split BTF, read on the old kernel it was built for where it has one and
 * is a file (given as a .ko, or in a directory); inside a package it is not read (a warning says so).
 */
async function withBtf(lib: Lib, modules: ModuleImage[], base: Btf | null): Promise<ExplainModule[]> {
  const out: ExplainModule[] = [];
  let inPackage = 0;
  let unread = 0;
  for (const image of modules) {
    let btf: Btf | null = null;
    const file = image.hasBtf ? await moduleFile(image.source) : null;
    if (file !== null && base === null) {
      // A stored kernel keeps no BTF for a module's split BTF to build on.
      unread++;
      out.push({ image, btf });
      continue;
    }
    if (image.hasBtf && file === null) inPackage++;
    if (file !== null && base !== null)
      try {
        btf = await lib.readModuleBtf(file, base);
      } catch (e) {
        if (!(e instanceof lib.KabiError)) throw e;
        warn(`warning: ${e.message}`);
      }
    out.push({ image, btf });
  }
  if (unread)
    process.stderr.write(
      `kabi: warning: ${unread} module(s) with BTF: their own types are not read against a stored kernel (give OLD as a package or vmlinux to see them)\n`,
    );
  if (inPackage)
    process.stderr.write(
      `kabi: warning: ${inPackage} module(s) with BTF inside packages: their own types are not read (extract the .ko files to see them)\n`,
    );
  return out;
}

/** The file a corpus module was read from: `x.ko`, or `DIR (relative/path.ko)` for a directory. */
async function moduleFile(source: string): Promise<string | null> {
  const inTree = /^(.*) \((.*)\)$/.exec(source);
  const path = inTree ? join(inTree[1]!, inTree[2]!) : source;
  const s = await stat(path).catch(() => null);
  return s?.isFile() ? path : null;
}
