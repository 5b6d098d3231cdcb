// `--kernel-source DIR...` (kfuncs, bpf-compat): the trees read once, and for each kernel the tree of its
// version; a kernel none matches is a usage error (a silent gap would read as "registered for nothing").
import type { KfuncRegistrations } from '../index.js';

export type SourceFor = (release: string, name?: string) => KfuncRegistrations;

/** null when no tree was given. */
export async function kernelSources(dirs: readonly string[] | undefined): Promise<SourceFor | null> {
  if (!dirs?.length) return null;
  const lib = await import('../index.js');
  const sources = dirs.map((d) => lib.readKfuncRegistrations(d));
  return (release, name = release) => {
    const regs = lib.registrationsForRelease(sources, release);
    if (!regs)
      throw new lib.UsageError(
        `no --kernel-source of ${name}'s version (${sources.map((s) => s.version ?? s.source).join(', ')})`,
      );
    return regs;
  };
}
