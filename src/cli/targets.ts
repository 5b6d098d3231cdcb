// Reading the two sides of a compatibility question: module sets (files, directories, packages, stored
// kmods) and kernels (any build artifact or stored build, with its module names and vermagic).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CompatTarget, KernelBuild, ModuleImage, SqliteStore } from '../index.js';
import { readBuild } from './inputs.js';
import type { Lib } from './kernels.js';
import { looksLikeRef, openStore } from './store.js';

export interface ModuleSet {
  name: string;
  modules: ModuleImage[];
  warnings: string[];
  /** An .rpm kmod's kernel(sym)/ksym(sym) requires: judged as dnf would, beside its modules. */
  rpm?: { name: string; requires: { symbol: string; crc: number | null }[] };
}

export async function readModuleSets(args: string[], cmd: Command): Promise<ModuleSet[]> {
  const lib = await import('../index.js');
  const sets: ModuleSet[] = [];
  for (const arg of args) {
    if (!existsSync(arg) && looksLikeRef(arg)) {
      const store = await openStore(cmd);
      try {
        for (const e of store
          .list(/^\d+$/.test(arg) ? '' : arg)
          .filter((x) => x.kind === 'kmod' && (!/^\d+$/.test(arg) || String(x.id) === arg))) {
          sets.push({
            name: e.labels.name ?? `kmod ${e.id}`,
            modules: store.loadModules(e.id),
            warnings: [],
          });
        }
      } finally {
        store.close();
      }
      continue;
    }
    const c = await lib.readModuleCorpus([arg]);
    const set: ModuleSet = {
      name: arg,
      modules: c.modules,
      warnings: c.problems.map((p) => `${p.path}: not read: ${p.reason}`),
    };
    set.rpm = await rpmRequires(arg);
    sets.push(set);
  }
  return sets;
}

/** A kmod .rpm's kernel(sym) / ksym(sym) requires (recognised by its lead, not its name). */
async function rpmRequires(arg: string): Promise<ModuleSet['rpm']> {
  const lib = await import('../index.js');
  const source = await lib.openArtifact(arg).catch(() => null);
  if (source?.kind !== 'rpm') return undefined;
  const meta = await source.metadata();
  const requires = lib.parseRpmDependencies(`${meta.requires.join('\n')}\n`, { source: arg });
  if (requires.length === 0) return undefined;
  return { name: meta.name ?? arg, requires: requires.map((r) => ({ symbol: r.symbol, crc: r.crc })) };
}

export async function readTarget(arg: string, cmd: Command): Promise<CompatTarget> {
  const lib = await import('../index.js');
  if (!existsSync(arg) && looksLikeRef(arg)) {
    const store = await openStore(cmd);
    try {
      return storedTarget(lib, store, store.loadBuild(store.resolve(arg).id));
    } finally {
      store.close();
    }
  }
  const binary = existsSync(arg) && (lib.isDirectoryPath(arg) || (await isPackage(arg)));
  if (binary) {
    const a = await lib.readKernelArtifact(arg);
    const modules = new Set([...a.modules.map((m) => m.name), ...a.builtin].map(lib.moduleName));
    return { name: a.release ?? arg, build: a.build, vermagic: a.build.labels.vermagic ?? null, modules };
  }
  const build = await readBuild(arg, {}, cmd);
  return {
    name: build.labels.release ?? lib.releaseFromFileName(arg) ?? arg,
    build,
    vermagic: build.labels.vermagic ?? null,
    modules: lib.modulesOfBuild(build),
  };
}

/** The stored kernel builds of a series, in order, as loader targets. */
export async function readSeriesTargets(
  query: string,
  by: string | undefined,
  cmd: Command,
): Promise<CompatTarget[]> {
  const lib = await import('../index.js');
  const store = await openStore(cmd);
  try {
    const entries = store.list(query).filter((e) => e.kind === 'kernel');
    if (entries.length === 0) throw new lib.UsageError(`no stored kernel build matches "${query}"`);
    const ordered = lib.orderBuilds(store.loadBuilds(entries.map((e) => e.id)), by).builds;
    return ordered.map((build) => storedTarget(lib, store, build));
  } finally {
    store.close();
  }
}

/**
 * A stored kernel build (its labels carry the store id) as the loader sees it. The store's module names
 * say which modules exist; a build stored without them (a Module.symvers) names its exporting modules.
 */
function storedTarget(lib: Lib, store: SqliteStore, build: KernelBuild): CompatTarget {
  const names = store.loadModuleNames(Number(build.labels.id));
  const modules = new Set([...names.modules, ...names.builtin].map(lib.moduleName));
  return {
    name: build.labels.release ?? `entry ${build.labels.id}`,
    build,
    vermagic: build.labels.vermagic ?? null,
    modules: modules.size ? modules : lib.modulesOfBuild(build),
  };
}

async function isPackage(path: string): Promise<boolean> {
  const lib = await import('../index.js');
  const source = await lib.openArtifact(path).catch(() => null);
  // An RPM that provides kernel(sym) = CRC speaks through its provides (readBuild); others through binaries.
  if (!source || source.kind === 'directory') return false;
  if (source.kind === 'rpm')
    return !(await source.metadata()).provides.some((p) => /^(kernel|ksym)\(/.test(p));
  return true;
}

/** The stored build a module was built for (its vermagic's release), if the store has it. */
export async function builtForBuild(m: ModuleImage, cmd: Command): Promise<KernelBuild | undefined> {
  const lib = await import('../index.js');
  const release = m.vermagic?.split(' ')[0];
  const path = lib.defaultStorePath(cmd.optsWithGlobals().db as string | undefined);
  if (!release || !existsSync(path)) return undefined;
  const store = lib.openSqliteStore(path);
  try {
    const abi = lib.releaseLabels(release).abi;
    const hit = [`release=${release}`, ...(abi ? [`release=${abi}`, `abi=${abi}`] : [])]
      .map((q) => store.list(q).filter((e) => e.kind === 'kernel'))
      .find((list) => list.length > 0);
    return hit ? store.loadBuild(hit[0]!.id) : undefined;
  } finally {
    store.close();
  }
}
