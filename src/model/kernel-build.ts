import type { Export } from './export.js';

/**
 * Where a kernel's exports were read from: text tables (`module-symvers`, `rpm-provides`, `ubuntu-abi`)
 * or the kernel's binaries (`kernel-binaries`: vmlinux/vmlinuz and module ksymtabs, in a package, a tree
 * or a single file).
 */
export type ExportsFormat = 'module-symvers' | 'rpm-provides' | 'ubuntu-abi' | 'kernel-binaries';

/** A kernel build as far as its exports go: what a Module.symvers (or equivalent) says. */
export interface KernelBuild {
  /** Where the exports were read from (a path, or a name given by the caller). */
  source: string;
  format: ExportsFormat;
  /** Identity labels (release, version, distro, arch, flavour, ...), where known. */
  labels: Record<string, string>;
  /** Exports by symbol name. A symbol is exported at most once in a kernel build. */
  exports: ReadonlyMap<string, Export>;
  /** Things the reader tolerated (duplicates kept-last, ...), one line each. */
  warnings: string[];
}
