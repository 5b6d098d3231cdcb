// Kernels with their types, for the commands that read BTF: from the artifact itself in one pass, or
// exports from a Module.symvers or store ref and BTF from a separate file.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { KernelBuild } from '../index.js';
import { type InputOptions, readBuild } from './inputs.js';

export type Lib = typeof import('../index.js');
export type KernelBtf = Awaited<ReturnType<Lib['readKernelBtf']>>;
export type KernelWithBtf = { build: KernelBuild; btf: KernelBtf };

/** Exports and BTF: from the kernel artifact itself in one pass, or exports from OLD and BTF from --*-btf. */
export async function readKernel(
  lib: Lib,
  path: string,
  btfPath: string | undefined,
  o: InputOptions,
  cmd: Command,
  flag: string,
): Promise<KernelWithBtf> {
  if (btfPath === undefined && existsSync(path)) {
    const both = await lib.readKernelWithBtf(path, { duplicates: o.allowDuplicates ? 'keep-last' : 'error' });
    if (both) return both;
  }
  if (btfPath === undefined)
    throw new lib.UsageError(
      `${path} carries no types: give ${flag} a vmlinux, vmlinuz or linux-image package`,
    );
  const [build, btf] = await Promise.all([readBuild(path, o, cmd), lib.readKernelBtf(btfPath)]);
  return { build, btf };
}
