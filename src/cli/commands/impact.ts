// `kabi impact`: which modules of a corpus the breaking changes between two builds (or a list of changed
// symbols) affect, and which changed symbols the most modules consume.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ModuleImage } from '../../index.js';
import { addCorpusOptions, type CorpusOptions, emitCorpusReport, readCorpusModules } from '../corpus.js';
import { type InputOptions, readBuild, readPair } from '../inputs.js';
import type { Lib } from '../kernels.js';
import { type CommandState, emit } from '../output.js';
import { looksLikeRef } from '../store.js';

/**
 * `-m` takes every argument up to the next option, so `impact -m a.ko REF1 REF2` hands it the refs too.
 * Store refs cannot be module inputs (those are paths), so two trailing refs that name no file are
 * OLD NEW; trailing paths are ambiguous and refused with the two unambiguous spellings.
 */
async function operandsAfterModules(
  modules: string[],
): Promise<[string[], string | undefined, string | undefined]> {
  const lib = await import('../../index.js');
  const tail = modules.slice(-2);
  const isRef = (a: string) => !existsSync(a) && looksLikeRef(a);
  if (modules.length >= 3 && tail.every(isRef)) return [modules.slice(0, -2), tail[0], tail[1]];
  if (modules.length >= 3)
    throw new lib.UsageError(
      'impact takes OLD NEW, or --changes FILE; -m takes every argument after it, so OLD NEW given after it are read as modules: ' +
        'write kabi impact OLD NEW -m CORPUS..., or end the corpus with -- (kabi impact -m CORPUS... -- OLD NEW)',
    );
  return [modules, undefined, undefined];
}

interface ImpactOptions extends Omit<CorpusOptions, 'format'> {
  format: CorpusOptions['format'] | 'html';
  changes?: string;
  allowDuplicates?: boolean;
  byArch?: boolean;
  only?: string;
}

export function registerImpact(program: Command, state: CommandState): void {
  const cmd = program
    .command('impact')
    .description(
      'modules of a corpus that use symbols a kernel update changed, and the most-consumed changes',
    )
    .argument('[old]', 'exports of the old build (file, package, tree or store ref)')
    .argument('[new]', 'exports of the new build')
    .argument('[more...]', 'with --by-arch: further OLD NEW pairs, one pair per architecture')
    .option('--changes <file>', 'a plain list of changed symbols, one per line, instead of OLD NEW')
    .option('--allow-duplicates', 'keep the last of a symbol listed twice, with a warning')
    .option(
      '--by-arch',
      "OLD NEW pairs, one per architecture: each arch's affected modules (its package's own and the corpus's) and the interfaces that affect each",
    )
    .option('--only <list>', 'with --by-arch: only these changed interfaces (a symbol list or stablelist)');
  addCorpusOptions(cmd, 'modules, uses, symbols, arch');
  // --by-arch takes its packages' own modules: a corpus is then optional; HTML is its format too.
  const modules = cmd.options.find((x) => x.long === '--modules')!;
  modules.mandatory = false;
  cmd.options.find((x) => x.long === '--format')!.choices(['text', 'json', 'markdown', 'csv', 'html']);
  cmd.action(
    async (
      oldPath: string | undefined,
      newPath: string | undefined,
      more: string[],
      o: ImpactOptions,
      cmd: Command,
    ) => {
      const lib = await import('../../index.js');
      if (o.byArch) {
        const operands = [oldPath, newPath, ...more].filter((x) => x !== undefined);
        await byArch(lib, operands, o, cmd);
        state.exitCode = 0;
        return;
      }
      if (more.length) throw new lib.UsageError('impact takes one OLD NEW pair (several with --by-arch)');
      if (o.only) throw new lib.UsageError('--only goes with --by-arch');
      if (o.format === 'html') throw new lib.UsageError('-f html goes with --by-arch');
      if (!o.modules?.length)
        throw new lib.UsageError("required option '-m, --modules <path...>' not specified");
      if (oldPath === undefined && o.changes === undefined)
        [o.modules, oldPath, newPath] = await operandsAfterModules(o.modules);
      const fromDiff = oldPath !== undefined && newPath !== undefined;
      if (fromDiff === (o.changes !== undefined)) {
        throw new lib.UsageError('impact takes OLD NEW, or --changes FILE (and not both)');
      }
      let changed: ReturnType<typeof lib.changedSymbolsFromList>;
      if (oldPath !== undefined && newPath !== undefined) {
        const [old, next] = await readPair(oldPath, newPath, o, cmd);
        changed = lib.changedSymbolsFromChanges(lib.diffExports(old, next));
      } else {
        const list = await lib.readStablelist(o.changes!, { format: 'plain' });
        changed = lib.changedSymbolsFromList(list.symbols.keys());
      }
      const report = lib.analyzeImpact(changed, await readCorpusModules(o.modules));
      const format = o.format;
      await emitCorpusReport((opts) => lib.impactRenderers[format](report, opts), { ...o, format });
      state.exitCode = 0;
    },
  );
}

/**
 * `--by-arch OLD NEW [OLD NEW ...]`: each pair one architecture's update. A package or tree brings its
 * own in-tree modules (read with its exports, in one pass); a Module.symvers or store ref brings none, so
 * only the corpus speaks for that arch. The arch is the in-tree modules' ELF machine, else the arch label.
 */
async function byArch(lib: Lib, operands: string[], o: ImpactOptions, cmd: Command): Promise<void> {
  if (o.changes) throw new lib.UsageError('--by-arch takes OLD NEW pairs, not --changes');
  if (operands.length < 2 || operands.length % 2)
    throw new lib.UsageError('--by-arch takes OLD NEW pairs: OLD1 NEW1 [OLD2 NEW2 ...], one pair per arch');
  const only = o.only ? new Set((await lib.readStablelist(o.only)).symbols.keys()) : null;
  const pairs = [];
  for (let i = 0; i < operands.length; i += 2) {
    const [a, b] = [operands[i]!, operands[i + 1]!];
    const { build: old, modules } = await withModules(lib, a, o, cmd);
    const next = await readBuild(b, o, cmd);
    lib.requireExports(old, a);
    const changed = lib
      .changedSymbolsFromChanges(lib.diffExports(old, next))
      .filter((s) => only === null || only.has(s.symbol));
    const inTree = modules.filter((m) => m.path !== null);
    const arch = mostCommon(inTree.map((m) => lib.moduleArch(m.elf))) ?? labelArch(lib, old.labels.arch);
    if (arch === null)
      throw new lib.UsageError(`${a}: no in-tree modules and no arch label: which architecture is it for?`);
    pairs.push({ arch, old: old.labels.release ?? a, new: next.labels.release ?? b, changed, inTree });
  }
  const corpus = o.modules?.length ? await readCorpusModules(o.modules) : [];
  const result = lib.analyzeImpactByArch(pairs, corpus);
  const format = o.format === 'csv' ? null : o.format;
  if (format === null) throw new lib.UsageError('--by-arch writes text, markdown, json or html');
  await emit(lib.impactByArchRenderers[format](result), {
    format: format === 'json' ? 'json' : 'text',
    limit: '0',
    output: o.output,
    color: o.color,
  });
}

async function withModules(
  lib: Lib,
  path: string,
  o: InputOptions,
  cmd: Command,
): Promise<{ build: Awaited<ReturnType<typeof readBuild>>; modules: ModuleImage[] }> {
  if (existsSync(path)) {
    const artifact = await lib.sniffArtifact(path, { what: 'a kernel package, tree or Module.symvers' });
    if (['deb', 'rpm', 'tree'].includes(artifact.kind)) {
      const k = await lib.readKernelArtifact(artifact);
      return { build: k.build, modules: k.modules };
    }
  }
  return { build: await readBuild(path, o, cmd), modules: [] };
}

function labelArch(lib: Lib, label: string | undefined): string | null {
  return label === undefined ? null : lib.archOfLabel(label);
}

function mostCommon(xs: readonly string[]): string | null {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
