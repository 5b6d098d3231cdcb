// BPF kfuncs: kernel functions that BPF programs may call, declared by the kernel in kfunc sets
// (BTF_KFUNCS_START / BTF_SET8_START … BTF_ID_FLAGS(func, name, KF_…) … END) and registered with
// register_btf_kfunc_id_set(). Unlike helpers they carry no stability promise: this list, build by build,
// is the record the kernel does not publish.

export interface Kfunc {
  name: string;
  /** The C prototype, as libbpf's btf_dump writes it: `struct task_struct *bpf_task_acquire(struct task_struct *p)`. */
  prototype: string;
  /** The prototype's types without parameter names: what a BPF program is compiled against. */
  signature: string;
  /** KF_* bits from its set; null when the method that found it does not tell (decl tags alone). */
  flags: number | null;
  /** The sets that list it (`generic_btf_ids`); empty when no symbols name them. */
  sets: string[];
  /** The module that offers it; null for vmlinux. */
  module: string | null;
  /** Its BTF FUNC id in this build; null when loaded from a store (ids change with every build). */
  btfId: number | null;
  /**
   * Program types that may call it (`tracing`, `lsm`; `*`: every type; empty: none), from the kernel's
   * source (kfunc-registration.ts); absent when no source was read.
   */
  progTypes?: string[];
}

/**
 * How the list was found:
 * - `decl-tag`: BTF DECL_TAG "bpf_kfunc" on each FUNC (pahole ≥ 1.27 with BTF_SET8_KFUNCS kernels);
 * - `btf-ids`: the set8 sets of .BTF_ids, located by their `__BTF_ID__set8__` symbols (symtab or System.map);
 * - `btf-ids-scan`: the set8 sets of .BTF_ids recognised by their shape, for a stripped image without a
 *   System.map (documented in docs/kfuncs.md with its measured precision).
 */
export type KfuncMethod = 'decl-tag' | 'btf-ids' | 'btf-ids-scan';

export interface KfuncList {
  source: string;
  release: string | null;
  method: KfuncMethod;
  /** Where the set symbols came from, for `btf-ids`. */
  symbolSource: 'symtab' | 'System.map' | null;
  /** Whether the kernel marks kfunc sets with BTF_SET8_KFUNCS (6.9 and later). */
  setFlag: boolean;
  /** Modules read for their kfunc sets; null when the input had none to read (a vmlinux file). */
  modules: string[] | null;
  /** Sorted by module (vmlinux first), then name. */
  kfuncs: Kfunc[];
  warnings: string[];
  /** The source tree the program types came from (`… (6.1.192)`); absent when none was read. */
  progTypesFrom?: string;
}

/** include/linux/btf.h. Bit 3 was KF_KPTR_GET until 6.4; later bits were added as kernels grew them. */
export const KF_FLAGS: readonly (readonly [string, number])[] = [
  ['KF_ACQUIRE', 1 << 0],
  ['KF_RELEASE', 1 << 1],
  ['KF_RET_NULL', 1 << 2],
  ['KF_KPTR_GET', 1 << 3],
  ['KF_TRUSTED_ARGS', 1 << 4],
  ['KF_SLEEPABLE', 1 << 5],
  ['KF_DESTRUCTIVE', 1 << 6],
  ['KF_RCU', 1 << 7],
  ['KF_ITER_NEW', 1 << 8],
  ['KF_ITER_NEXT', 1 << 9],
  ['KF_ITER_DESTROY', 1 << 10],
  ['KF_RCU_PROTECTED', 1 << 11],
  ['KF_FASTCALL', 1 << 12],
  ['KF_ARENA_RET', 1 << 13],
  ['KF_ARENA_ARG1', 1 << 14],
  ['KF_ARENA_ARG2', 1 << 15],
];

/** `KF_ACQUIRE | KF_RET_NULL`; bits this list does not know are written `1 << n`. */
export function kfFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const v = 2 ** bit;
    if (Math.floor(flags / v) % 2 === 0) continue;
    out.push(KF_FLAGS.find(([, f]) => f === v)?.[0] ?? `1 << ${bit}`);
  }
  return out;
}

export function compareKfuncs(a: Kfunc, b: Kfunc): number {
  const ma = a.module ?? '';
  const mb = b.module ?? '';
  if (ma !== mb) return ma < mb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
