// Options that say how to read inputs, shared by diff and check.

import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { ExportsFormat, KernelBuild, Policy } from '../index.js';
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

export async function readBuild(path: string, o: InputOptions, cmd?: Command): Promise<KernelBuild> {
  if (cmd && !existsSync(path) && looksLikeRef(path)) {
    const store = await openStore(cmd);
    try {
      return await store.loadBuild((await store.resolve(path)).id);
    } finally {
      await store.close();
    }
  }
  const { readExportsArtifact } = await import('../index.js');
  const progress = await moduleProgress(path);
  try {
    return await readExportsArtifact(path, {
      format: o.inputFormat === 'kernel-binaries' ? undefined : o.inputFormat,
      duplicates: o.allowDuplicates ? 'keep-last' : 'error',
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
}

export async function readPolicy(o: InputOptions): Promise<Policy> {
  const { loadPolicy } = await import('../index.js');
  return loadPolicy({ policyPath: o.policy, stablelistPaths: o.stablelist });
}
