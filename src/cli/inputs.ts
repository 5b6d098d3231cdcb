// Options that say how to read inputs, shared by diff and check.

import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { EntryRecord, ExportsFormat, KernelBuild, Policy } from '../index.js';
import { moduleProgress } from './progress.js';
import { looksLikeRef, openStore } from './store.js';

export interface InputOptions {
  inputFormat?: ExportsFormat;
  allowDuplicates?: boolean;
  policy?: string;
  stablelist?: string[];
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--input-format <format>',
        'force the input format (default: detected from content)',
      ).choices(['module-symvers', 'rpm-provides', 'ubuntu-abi']),
    )
    .option('--allow-duplicates', 'keep the last of a symbol listed twice, with a warning (default: error)')
    .option(
      '-p, --policy <file>',
      'policy: SUSE kabi/severities, Debian ignore-changes, or a kabi policy file',
    )
    .option(
      '-s, --stablelist <file...>',
      'protected symbols (RHEL stablelist, kabi-module tree, Module.kabi, symbol list)',
    );
}

/** A build's exports from a path or a store ref; one that exports nothing is an error naming it. */
export async function readBuild(path: string, o: InputOptions, cmd?: Command): Promise<KernelBuild> {
  const { requireExports } = await import('../index.js');
  const { build } = await readInput(path, o, cmd);
  requireExports(build);
  return build;
}

/** A build and, when it came from the store, its entry (a kernel or a kmod). */
async function readInput(
  path: string,
  o: InputOptions,
  cmd?: Command,
): Promise<{ build: KernelBuild; entry: EntryRecord | null }> {
  if (cmd && !existsSync(path) && looksLikeRef(path)) {
    const store = await openStore(cmd);
    try {
      const entry = await store.resolve(path);
      return { build: await store.loadBuild(entry.id), entry };
    } finally {
      await store.close();
    }
  }
  const { readExportsArtifact } = await import('../index.js');
  const progress = await moduleProgress(path);
  try {
    const build = await readExportsArtifact(path, {
      format: o.inputFormat === 'kernel-binaries' ? undefined : o.inputFormat,
      duplicates: o.allowDuplicates ? 'keep-last' : 'error',
      onProgress: progress.update,
    });
    return { build, entry: null };
  } finally {
    progress.stop();
  }
}

/**
 * The two sides of a comparison (diff, check, impact), read at once. Like is compared with like: two
 * kernel builds, or two kmods' exports. A stored kmod against a kernel is refused with what to run
 * instead (its exports are not a kernel's: every vmlinux export would read as added or removed).
 */
export async function readPair(
  oldPath: string,
  newPath: string,
  o: InputOptions,
  cmd: Command,
): Promise<[KernelBuild, KernelBuild]> {
  const lib = await import('../index.js');
  const [a, b] = await Promise.all([readInput(oldPath, o, cmd), readInput(newPath, o, cmd)]);
  const kmod = (x: typeof a) => x.entry?.kind === 'kmod';
  const kernel = (x: typeof a) => (x.entry ? x.entry.kind === 'kernel' : !lib.modulesOnly(x.build));
  if ((kmod(a) && kernel(b)) || (kmod(b) && kernel(a))) {
    const [k, kArg, other] = kmod(a) ? [a, oldPath, newPath] : [b, newPath, oldPath];
    throw new lib.UsageError(
      `${kArg}: store entry ${k.entry!.id} is a kmod (${lib.formatLabels(k.entry!.labels) || 'no labels'}) and ${other} is not: ` +
        `diff and check compare two kernel builds, or two kmods' exports; whether the kmod loads on the kernel: kabi compat -m ${kArg} -k ${other}`,
    );
  }
  lib.requireComparable(a.build, b.build);
  return [a.build, b.build];
}

export async function readPolicy(o: InputOptions): Promise<Policy> {
  const { loadPolicy } = await import('../index.js');
  return loadPolicy({ policyPath: o.policy, stablelistPaths: o.stablelist });
}
