// A kernel as `kabi bpf-compat` needs it: vmlinux's BTF, the split BTF of the modules that offer kfuncs
// (where libbpf also looks for kfuncs and types), and the kernel's kfunc list, from anything
// readKernelBtf reads (vmlinux, vmlinuz, linux-image package or tree, raw BTF).
import { basename } from 'node:path';
import { KabiError } from '../../errors.js';
import type { BpfKernel } from '../../model/bpf-compat.js';
import type { Btf } from '../../model/btf.js';
import type { KfuncList } from '../../model/kfunc.js';
import type { Artifact } from '../artifact.js';
import { readBtf } from '../btf/btf.js';
import { readKernelBtf } from '../btf/kernel-btf.js';
import { kfuncsOf } from '../btf/kfuncs.js';

export async function readBpfKernel(
  input: string | Artifact,
  opts: { systemMap?: string } = {},
): Promise<BpfKernel> {
  const k = await readKernelBtf(input, {
    kfuncModules: true,
    ...(opts.systemMap ? { systemMap: opts.systemMap } : {}),
  });
  let kfuncs: BpfKernel['kfuncs'] = null;
  try {
    kfuncs = kfuncsOf(k);
  } catch (e) {
    // A raw BTF from before pahole 1.27 does not say which functions are kfuncs: judged without the list.
    if (!(e instanceof KabiError)) throw e;
  }
  const modules: Btf[] = [];
  for (const name of [...(k.moduleBtfIds?.keys() ?? [])].sort()) {
    const btf = k.modules.get(name);
    if (btf) modules.push(btf);
  }
  const path = typeof input === 'string' ? input : input.path;
  return { name: k.release ?? basename(path), btf: k.btf, modules, kfuncs };
}

/**
 * A stored kernel as bpf-compat needs it: the .BTF bytes a store kept (vmlinux's and each kfunc module's
 * split BTF over it) and the kfunc list recorded at ingest.
 */
export function bpfKernelFromBtf(
  name: string,
  btf: { vmlinux: Uint8Array; modules: readonly { name: string; bytes: Uint8Array }[] },
  kfuncs: KfuncList | null,
): BpfKernel {
  const base = readBtf(btf.vmlinux, { source: `${name} (vmlinux BTF)` });
  const modules = btf.modules.map((m) => readBtf(m.bytes, { source: `${name} (${m.name} BTF)`, base }));
  return { name, btf: base, modules, kfuncs };
}
