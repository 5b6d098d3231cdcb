// Two small kernels for bpf-compat's tests, written as BTF types: "old" keeps `task_struct.state` and
// lacks what 6.2 added (kfuncs bpf_task_from_pid/bpf_task_release, cgroup storage), "new" has `__state`
// and all of it. Ids from 1 in the order given.
import { type BpfKernel, Btf, type BtfType, type KfuncList } from '../../src/index.js';

const enumOf = (name: string, values: [string, number][]): BtfType => ({
  kind: 'enum',
  name,
  size: 4,
  signed: false,
  values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })),
});

export function kernelTypes(modern: boolean): BtfType[] {
  const types: BtfType[] = [
    { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 }, // 1
    { kind: 'int', name: 'unsigned int', size: 4, encoding: 'unsigned', bitOffset: 0, bits: 32 }, // 2
    { kind: 'int', name: 'long', size: 8, encoding: 'signed', bitOffset: 0, bits: 64 }, // 3
    {
      kind: 'struct', // 4
      name: 'task_struct',
      size: 64,
      members: [
        { name: 'thread_info', type: 3, bitOffset: 0, bitfieldSize: 0 },
        modern
          ? { name: '__state', type: 2, bitOffset: 192, bitfieldSize: 0 }
          : { name: 'state', type: 3, bitOffset: 192, bitfieldSize: 0 },
        { name: 'pid', type: 1, bitOffset: 256, bitfieldSize: 0 },
      ],
    },
    { kind: 'ptr', name: '', type: 4 }, // 5
    { kind: 'func_proto', name: '', type: 5, params: [{ name: 'pid', type: 1 }], variadic: false }, // 6
    { kind: 'func_proto', name: '', type: 0, params: [{ name: 'p', type: 5 }], variadic: false }, // 7
    { kind: 'typedef', name: 'btf_trace_task_newtask', type: 5 }, // 8
    { kind: 'typedef', name: 'btf_trace_cgroup_mkdir', type: 5 }, // 9
    enumOf('bpf_prog_type', [
      ['BPF_PROG_TYPE_TRACEPOINT', 5],
      ['BPF_PROG_TYPE_RAW_TRACEPOINT', 17],
      ['BPF_PROG_TYPE_TRACING', 26],
    ]),
    enumOf('bpf_attach_type', [['BPF_TRACE_RAW_TP', 23]]),
    enumOf('bpf_map_type', [
      ['BPF_MAP_TYPE_RINGBUF', 27],
      ...(modern ? ([['BPF_MAP_TYPE_CGRP_STORAGE', 32]] as [string, number][]) : []),
    ]),
    enumOf('bpf_func_id', [
      ['BPF_FUNC_get_current_pid_tgid', 14],
      ['BPF_FUNC_get_current_task', 35],
      ['BPF_FUNC_probe_read_kernel', 113],
      ['BPF_FUNC_ringbuf_output', 130],
      ...(modern ? ([['BPF_FUNC_cgrp_storage_get', 210]] as [string, number][]) : []),
    ]),
  ];
  if (modern) {
    types.push({ kind: 'func', name: 'bpf_task_from_pid', type: 6, linkage: 'global' });
    types.push({ kind: 'func', name: 'bpf_task_release', type: 7, linkage: 'global' });
  }
  return types;
}

/** A kernel as bpf-compat takes it: "old" (`state`, nothing from 6.2) or "new" (`__state`, kfuncs, cgroup storage). */
export function kernel(name: string, modern: boolean): BpfKernel {
  const types = kernelTypes(modern);
  const btf = new Btf(types, 1, null, name);
  const kfuncs: KfuncList = {
    source: name,
    release: name,
    method: 'btf-ids',
    symbolSource: 'symtab',
    setFlag: true,
    modules: [],
    kfuncs: modern
      ? [
          {
            name: 'bpf_task_from_pid',
            prototype: '',
            signature: '',
            flags: 5,
            sets: ['generic_btf_ids'],
            module: null,
            btfId: 14,
          },
          {
            name: 'bpf_task_release',
            prototype: '',
            signature: '',
            flags: 2,
            sets: ['generic_btf_ids'],
            module: null,
            btfId: 15,
          },
        ]
      : [],
    warnings: [],
  };
  return { name, btf, modules: [], kfuncs };
}
