// kabi's bpf-compat verdicts on the committed BPF objects for each Debian kernel package, as
// test/bpf/bpf-compat-real.test.ts, test/loader/bpf-qemu.test.ts and test/real-data/kfuncs.test.ts (the
// second computation of bpf-compat --series over the stored packages) need them: each kernel read from
// its package unpacked (readBpfKernel of the tree, once per run: test/helpers/unpacked-package.ts; ~1.5
// CPU-s for 6.1, ~6 for 6.12, against ~5 and ~10 from the .deb, whose read is what `kabi kfuncs` of the
// .debs asserts in test/real-data/kfuncs.test.ts) with its kernel-source program types, and each object
// judged on that kernel alone. Read once per run: the run's memo keeps the verdicts the first
// file computed (test/helpers/run-cache.ts), and a file asking while another reads the packages waits.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type BpfKernel, type BpfObject, bpfCompat, readBpfKernel, readBpfObject } from '../../src/index.js';
import { FIXTURES } from './independent.js';
import { withKfuncSource } from './kfunc-sources.js';
import { memoValue } from './run-cache.js';
import { needs } from './tools.js';
import { unpackedPackage } from './unpacked-package.js';

export interface KernelVerdicts {
  /** The kernel's name, as bpf-compat names it (e.g. 6.1.0-47-amd64). */
  kernel: string;
  /** Each object (its file name), whether bpf-compat says it loads there, and if not, its reason's code. */
  loads: { object: string; loads: boolean; reason: string | null }[];
}

/** The committed BPF objects (test/fixtures/bpf/*.bpf.o), sorted: every asker passes these, one memo key. */
export const BPF_OBJECTS = readdirSync(join(FIXTURES, 'bpf'))
  .filter((f) => f.endsWith('.bpf.o'))
  .sort()
  .map((f) => join(FIXTURES, 'bpf', f));

/**
 * Each kernel of `packages`, with the program types of the committed kernel-source excerpts: from the
 * package unpacked, or, without dpkg-deb, from the package itself (the same kernel either way).
 */
export async function readBpfKernels(packages: readonly string[]): Promise<BpfKernel[]> {
  const kernels: BpfKernel[] = [];
  for (const p of packages)
    kernels.push(withKfuncSource(await readBpfKernel(needs('dpkg-deb') ? p : await unpackedPackage(p))));
  return kernels;
}

/** bpfCompat of the objects on each kernel alone. */
export function verdictsOf(objects: readonly BpfObject[], kernels: readonly BpfKernel[]): KernelVerdicts[] {
  return kernels.map((k) => ({
    kernel: k.name,
    loads: bpfCompat([...objects], [k]).objects.map((o) => ({
      object: basename(o.object),
      loads: o.kernels[0]!.loads,
      reason: o.kernels[0]!.reason?.code ?? null,
    })),
  }));
}

/**
 * The verdicts of `objects` (paths) on each package's kernel, from the run's memo; else `read()` gives the
 * kernels (a caller that needs them itself passes its own reading), and they are kept for the others.
 */
export function packageVerdicts(
  packages: readonly string[],
  objects: readonly string[],
  read: () => Promise<BpfKernel[]> = () => readBpfKernels(packages),
): Promise<KernelVerdicts[]> {
  const sources = join(FIXTURES, 'kfuncs', 'source');
  return memoValue('bpf-compat verdicts per kernel package', [...packages, ...objects, sources], async () =>
    verdictsOf(await Promise.all(objects.map((o) => readBpfObject(o))), await read()),
  );
}
