// Reading the two sides of a compatibility question: module sets (files, directories, packages, stored
// kmods) and kernels (any build artifact or stored build, with its module names and vermagic).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Artifact, CompatTarget, EntryRecord, KernelBuild, ModuleImage } from '../index.js';
import { requireModules } from './corpus.js';
import type { Lib } from './kernels.js';
import { looksLikeRef, openStore, openStoreAt, requireBuilds, storeExists, storeLocation } from './store.js';

export interface ModuleSet {
  name: string;
  modules: ModuleImage[];
  warnings: string[];
  /** An .rpm kmod's kernel(sym)/ksym(sym) requires: judged as dnf would, beside its modules. */
  rpm?: { name: string; requires: { symbol: string; crc: number | null }[] };
}

/**
 * The module sets the arguments name. Each argument must yield a module: an empty directory, a
 * meta-package, a query that selects no stored kmod (or selects only empty ones) is an error naming it.
 */
export async function readModuleSets(args: string[], cmd: Command): Promise<ModuleSet[]> {
  const lib = await import('../index.js');
  const sets: ModuleSet[] = [];
  for (const arg of args) {
    if (!existsSync(arg) && looksLikeRef(arg)) {
      const store = await openStore(cmd);
      try {
        const id = /^\d+$/.test(arg);
        const entries = (await store.list(id ? '' : arg)).filter((x) => !id || String(x.id) === arg);
        const kmods = entries.filter((x) => x.kind === 'kmod');
        if (id && entries.length === 1 && kmods.length === 0)
          throw new lib.UsageError(
            `${arg}: store entry ${arg} is a kernel build, not a kmod (kabi list kind=kmod lists the kmods)`,
          );
        const found: ModuleSet[] = [];
        for (const e of kmods) {
          const pkg = lib.kmodPackage(e);
          // Only what judging reads: the loader's facts kept at ingest, not each image's whole modinfo.
          const modules = (await store.loadModules(e.id, { loader: true })).map((m) => ({
            ...m,
            package: pkg,
          }));
          found.push({ name: pkg.name, modules, warnings: [] });
        }
        lib.requireSome(
          found.reduce((n, s) => n + s.modules.length, 0),
          arg,
          kmods.length ? `kernel modules in the ${kmods.length} stored kmod(s) it selects` : 'stored kmods',
          'a store id or label query selecting stored kmods (kabi list kind=kmod lists them), or .ko files, directories or packages',
        );
        sets.push(...found);
      } finally {
        await store.close();
      }
      continue;
    }
    const artifact = await lib.sniffArtifact(arg, { what: 'modules, or a package or directory of them' });
    const c = await lib.readModuleCorpus([artifact]);
    const set: ModuleSet = {
      name: arg,
      modules: c.modules,
      warnings: c.problems.map((p) => `${p.path}: not read: ${p.reason}`),
    };
    if (artifact.kind === 'rpm') set.rpm = await rpmRequires(artifact);
    // A kmod RPM's kernel(sym) requires are judged as dnf judges them, with or without modules in it.
    if (!set.rpm) await requireModules(arg, c);
    sets.push(set);
  }
  return sets;
}

/** A kmod .rpm's kernel(sym) / ksym(sym) requires. */
async function rpmRequires(artifact: Artifact): Promise<ModuleSet['rpm']> {
  const lib = await import('../index.js');
  const meta = await (await lib.openPackage(artifact)).metadata();
  const requires = lib.parseRpmDependencies(`${meta.requires.join('\n')}\n`, { source: artifact.path });
  if (requires.length === 0) return undefined;
  return {
    name: meta.name ?? artifact.path,
    requires: requires.map((r) => ({ symbol: r.symbol, crc: r.crc })),
  };
}

/** A kernel to judge modules on; one that exports nothing (an empty directory) is an error naming it. */
export async function readTarget(arg: string, cmd: Command): Promise<CompatTarget> {
  const { requireExports } = await import('../index.js');
  const target = await readAnyTarget(arg, cmd);
  requireExports(target.build, arg);
  return target;
}

async function readAnyTarget(arg: string, cmd: Command): Promise<CompatTarget> {
  const lib = await import('../index.js');
  if (!existsSync(arg) && looksLikeRef(arg)) {
    const store = await openStore(cmd);
    try {
      const rec = await store.resolve(arg);
      if (rec.kind !== 'kernel') throw notAKernel(lib, arg, rec);
      const build = await store.loadBuild(rec.id);
      return {
        ...storedTarget(lib, build, await store.loadModuleNames(rec.id)),
        ...(await loaderOf(lib, build, cmd)),
      };
    } finally {
      await store.close();
    }
  }
  const artifact = await lib.sniffArtifact(arg, { what: 'a kernel build' });
  if (await lib.carriesModules(artifact)) {
    const a = await lib.readKernelArtifact(artifact);
    const modules = new Set([...a.modules.map((m) => m.name), ...a.builtin].map(lib.moduleName));
    return { name: a.release ?? arg, build: a.build, modules, ...(await loaderOf(lib, a.build, cmd)) };
  }
  const build = await lib.readExportsArtifact(artifact);
  return {
    name: build.labels.release ?? lib.releaseFromFileName(arg) ?? arg,
    build,
    modules: lib.modulesOfBuild(build),
    ...(await loaderOf(lib, build, cmd)),
  };
}

/**
 * The stored kernels among the arguments, read together: one loadBuilds (one scan of the export rows,
 * one object per tuple the builds share) rather than a store opened and scanned per kernel.
 */
export async function readStoredTargets(args: string[], cmd: Command): Promise<Map<string, CompatTarget>> {
  const lib = await import('../index.js');
  const out = new Map<string, CompatTarget>();
  const refs = [...new Set(args.filter((a) => !existsSync(a) && looksLikeRef(a)))];
  if (refs.length < 2) return out;
  const store = await openStore(cmd);
  try {
    const recs: EntryRecord[] = [];
    for (const arg of refs) {
      const rec = await store.resolve(arg);
      if (rec.kind !== 'kernel') throw notAKernel(lib, arg, rec);
      recs.push(rec);
    }
    // Export rows as typed columns (loadExportIds): a Map per build only if something iterates it.
    const builds = lib.kernelBuildsOfRows(await store.loadExportIds(recs.map((r) => r.id)));
    for (const [i, arg] of refs.entries()) {
      const build = builds[i]!;
      const target = {
        ...storedTarget(lib, build, await store.loadModuleNames(recs[i]!.id)),
        ...(await loaderOf(lib, build, cmd)),
      };
      lib.requireExports(target.build, arg);
      out.set(arg, target);
    }
  } finally {
    await store.close();
  }
  return out;
}

/** A stored kmod where a kernel build was wanted: say so, and what answers the question instead. */
function notAKernel(lib: Lib, arg: string, rec: EntryRecord): Error {
  return new lib.UsageError(
    `${arg}: store entry ${rec.id} is a kmod (${lib.formatLabels(rec.labels) || 'no labels'}), not a kernel build; ` +
      `whether it loads on a kernel: kabi compat -m ${arg} -k KERNEL`,
  );
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
    const entries = (await store.list(query)).filter((e) => e.kind === 'kernel');
    await requireBuilds(entries.length, query);
    const builds = lib.kernelBuildsOfRows(await store.loadExportIds(entries.map((e) => e.id)));
    const ordered = lib.orderBuilds(builds, by).builds;
    const moduleNames = await Promise.all(ordered.map((b) => store.loadModuleNames(Number(b.labels.id))));
    return Promise.all(
      ordered.map(async (build, i) => ({
        ...storedTarget(lib, build, moduleNames[i]!),
        ...(await loaderOf(lib, build, cmd)),
      })),
    );
  } finally {
    await store.close();
  }
}

/**
 * A stored kernel build (its labels carry the store id) as the loader sees it. The store's module names
 * say which modules exist; a build stored without them (a Module.symvers) names its exporting modules.
 */
function storedTarget(
  lib: Lib,
  build: KernelBuild,
  names: { modules: string[]; builtin: string[] },
): CompatTarget {
  const modules = new Set([...names.modules, ...names.builtin].map(lib.moduleName));
  return {
    name: build.labels.release ?? `entry ${build.labels.id}`,
    build,
    vermagic: build.labels.vermagic ?? null,
    modules: modules.size ? modules : lib.modulesOfBuild(build),
  };
}

/** The stored build a module was built for (its vermagic's release), if the store has it. */
export async function builtForBuild(m: ModuleImage, cmd: Command): Promise<KernelBuild | undefined> {
  const lib = await import('../index.js');
  const release = lib.vermagicRelease(m.vermagic);
  const path = await storeLocation(cmd);
  if (!release || !(await storeExists(path))) return undefined;
  const store = await openStoreAt(path);
  try {
    const abi = lib.releaseLabels(release).abi;
    const queries = [`release=${release}`, ...(abi ? [`release=${abi}`, `abi=${abi}`] : [])];
    const hit = (await Promise.all(queries.map((q) => store.list(q))))
      .map((list) => list.filter((e) => e.kind === 'kernel'))
      .find((list) => list.length > 0);
    return hit ? await store.loadBuild(hit[0]!.id) : undefined;
  } finally {
    await store.close();
  }
}

/**
 * The loader's profile and vermagic: the build's `loader` label (from its config file, IKCONFIG or banner),
 * or `--config FILE`; `--sig-enforce` on top (module.sig_enforce=1, Secure Boot lockdown). A build without
 * a vermagic gets the one its configuration implies, where that can be told.
 */
async function loaderOf(
  lib: Lib,
  build: KernelBuild,
  cmd: Command,
): Promise<Pick<CompatTarget, 'profile' | 'vermagic'>> {
  const o = cmd.opts() as { config?: string; sigEnforce?: boolean };
  const label = build.labels[lib.LOADER_LABEL];
  let profile = label === undefined ? null : lib.parseLoaderLabel(label, `${build.source} (loader label)`);
  let vermagic = build.labels.vermagic ?? null;
  if (o.config) {
    const config = await lib.readKernelConfig(o.config);
    profile = lib.loaderProfileOf(config, profile?.vendor ?? null);
    // Only a release the build itself names (a file name's `6.1.0-47` may lack the flavour); a stored
    // package keeps the whole of it as `uname`.
    const release = build.labels.uname ?? build.labels.release;
    vermagic ??= release ? lib.vermagicOf(config, release) : null;
  }
  if (o.sigEnforce) profile = { ...(profile ?? lib.UNKNOWN_PROFILE), sig: true, sigForce: true };
  return { profile, vermagic };
}
