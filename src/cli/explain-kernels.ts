// The two kernels `kabi explain` and `kabi why --built-for` compare: each read with its BTF (a package,
// tree or image, or exports with --*-btf), or a store ref with the BTF ingest kept (vmlinux's and every
// exporting module's), as a package's. A ref stored before the store kept those has the type digest
// ingest made then: with one on either side, both are compared as digests (the other made in memory).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ExplainSide, KernelBuild, SideTypes, Store, TypeDef, TypeIndex } from '../index.js';
import type { InputOptions } from './inputs.js';
import { type KernelWithBtf, type Lib, readKernel } from './kernels.js';
import { looksLikeRef, openStore } from './store.js';

export type ExplainKernel = KernelWithBtf | { build: KernelBuild; index: TypeIndex };
type Externs = ExplainSide['externs'];

/** Opens the store once, when a ref first needs it; `close` closes it if it was opened. */
export class LazyStore {
  private store: Promise<Store> | null = null;

  constructor(private readonly cmd: Command) {}

  get(): Promise<Store> {
    this.store ??= openStore(this.cmd);
    return this.store;
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }
}

/**
 * A kernel with its BTF, or a store ref with its type index. `symbols`: the exports asked about, the only
 * ones a store ref's build is read with (a file is read whole either way).
 */
export async function readExplainKernel(
  lib: Lib,
  path: string,
  btfPath: string | undefined,
  o: InputOptions,
  cmd: Command,
  flag: string,
  store: LazyStore,
  symbols?: readonly string[],
): Promise<ExplainKernel> {
  if (btfPath === undefined && !existsSync(path) && looksLikeRef(path)) {
    const s = await store.get();
    const entry = await s.resolve(path);
    const build = await s.loadBuild(entry.id, symbols);
    // With symbols, only their exporting modules' split BTF is read (explain declares only those).
    const only =
      symbols &&
      new Set([...build.exports.values()].flatMap((e) => (e.module ? [lib.moduleKey(e.module)] : [])));
    const [vmlinux, modules] = await Promise.all([
      s.loadKernelBtf(entry.id),
      s.loadModuleBtf(entry.id, only),
    ]);
    if (vmlinux && modules) {
      const release = lib.labelOf(entry.labels, 'release') ?? null;
      const btf = lib.kernelBtfFromBlobs(vmlinux.vmlinux, modules, `store entry ${entry.id}`, release);
      return { build, btf };
    }
    const index = await s.loadTypeIndex(entry.id);
    if (index === null)
      throw new lib.UsageError(
        `${path}: store entry ${entry.id} keeps no types (ingested without BTF, or before types were kept: remove it and ingest its package again), so give ${flag} its vmlinux, vmlinuz or package`,
      );
    return { build, index };
  }
  return readKernel(lib, path, btfPath, o, cmd, flag);
}

/**
 * Both sides for `explainCrcChanges`. Read kernels stay BTF sides; with a stored kernel on either side,
 * both become digests and only the types whose reach differs are loaded (`symbols`: the exports asked
 * about, whose declarations are shown).
 */
export async function explainSides(
  lib: Lib,
  kernels: readonly [ExplainKernel, ExplainKernel],
  externs: readonly [Externs, Externs],
  store: LazyStore,
  symbols: ReadonlySet<string> | undefined,
): Promise<[ExplainSide | SideTypes, ExplainSide | SideTypes]> {
  const [a, b] = kernels;
  if (!('index' in a) && !('index' in b)) return [btfSide(a, externs[0]), btfSide(b, externs[1])];
  const digests = kernels.map((k) =>
    'index' in k ? null : lib.typeDigest({ build: k.build, btf: k.btf.btf, modules: k.btf.modules }),
  );
  const inMemory = lib.digestLoader(...digests.filter((d) => d !== null));
  const load = async (hashes: readonly string[]): Promise<Map<string, TypeDef>> => {
    const found = await inMemory(hashes);
    if (found.size === hashes.length) return found;
    const s = await store.get();
    for (const [h, def] of await s.loadTypeDefs(hashes)) found.set(h, def);
    return found;
  };
  const side = (i: 0 | 1) => {
    const k = kernels[i];
    const index = 'index' in k ? k.index : digests[i]!.index;
    return { build: k.build, index, ...(externs[i] && { externs: externs[i] }) };
  };
  return lib.digestSides(side(0), side(1), load, symbols);
}

function btfSide(k: KernelWithBtf, externs: Externs): ExplainSide {
  return { build: k.build, btf: k.btf.btf, modules: k.btf.modules, ...(externs && { externs }) };
}
