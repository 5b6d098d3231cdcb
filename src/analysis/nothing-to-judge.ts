// The guards every judging analysis shares: a verdict over zero exports, modules or builds is no verdict.
// A gate that judged nothing must neither pass (exit 0) nor fail (exit 4 or 8): it is an error naming the
// input and what it should have held (NothingToJudgeError, exit 1).
import { NothingToJudgeError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';

/** What a kernel build should hold, for messages. */
export const KERNEL_EXPECTED =
  "a kernel build's exports (Module.symvers, a kernel package or tree, vmlinux or vmlinuz)";
/** What a module corpus should hold, for messages. */
export const MODULES_EXPECTED = '.ko files, or a directory, package or stored kmod holding them';

/** Throws unless `count` > 0: `INPUT: no WHAT; expected EXPECTED`. */
export function requireSome(count: number, input: string, what: string, expected: string): void {
  if (count <= 0) throw new NothingToJudgeError(input, what, expected);
}

/** A build must export something to be judged (an empty directory reads as a build of no exports). */
export function requireExports(build: KernelBuild, name = build.source): void {
  requireSome(build.exports.size, name, 'exports', KERNEL_EXPECTED);
}

/** Exports `vmlinux` itself makes, and how many name their module at all (RPM provides name none). */
function vmlinuxShare(build: KernelBuild): { vmlinux: number; named: number } {
  let vmlinux = 0;
  let named = 0;
  for (const e of build.exports.values()) {
    if (e.module === null) continue;
    named++;
    if (e.module === 'vmlinux') vmlinux++;
  }
  return { vmlinux, named };
}

/** Exports that all name a module other than vmlinux: a kmod's, or an external module build's. */
export function modulesOnly(build: KernelBuild): boolean {
  const { vmlinux, named } = vmlinuxShare(build);
  return named > 0 && vmlinux === 0;
}

/**
 * Two builds can be compared when both export something and they are the same kind of thing: both a
 * kernel (vmlinux exports some symbols) or both modules only (a kmod, an external module's Module.symvers).
 * A kernel against a modules-only file would report every vmlinux export added or removed.
 */
export function requireComparable(old: KernelBuild, next: KernelBuild): void {
  requireExports(old);
  requireExports(next);
  const [a, b] = [vmlinuxShare(old), vmlinuxShare(next)];
  if (a.named === 0 || b.named === 0 || a.vmlinux > 0 === b.vmlinux > 0) return;
  const [modulesOnly, kernel, n] = a.vmlinux === 0 ? [old, next, a.named] : [next, old, b.named];
  throw new NothingToJudgeError(
    modulesOnly.source,
    `vmlinux exports (its ${n} exports are all of modules: a kmod or an external module build), while ${kernel.source} is a kernel`,
    'two kernel builds, or two sets of module exports',
  );
}
