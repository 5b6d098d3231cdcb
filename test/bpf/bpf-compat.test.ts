// bpf-compat on the clang-built objects of test/fixtures/bpf against two small kernels written here: "old"
// keeps `task_struct.state` and lacks what 6.2 added (kfuncs, cgroup storage), "new" has `__state` and all
// of it. The real kernels (Debian 6.1 and 6.12) are judged in bpf-compat-real.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type BpfKernel,
  Btf,
  type BtfType,
  bpfCompat,
  bpfCompatExitCode,
  bpfCompatRenderers,
  type KfuncList,
  parseBpfObject,
} from '../../src/index.js';

const BPF = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'bpf');
const object = (name: string) => parseBpfObject(readFileSync(join(BPF, name)), { source: name });

const enumOf = (name: string, values: [string, number][]): BtfType => ({
  kind: 'enum',
  name,
  size: 4,
  signed: false,
  values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })),
});

/** A kernel's BTF, ids from 1 in the order given. */
function kernel(name: string, modern: boolean): BpfKernel {
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

const OLD = kernel('old', false);
const NEW = kernel('new', true);
const OBJECTS = [
  'state_core.bpf.o',
  'state_legacy.bpf.o',
  'kfunc_task.bpf.o',
  'ringbuf.bpf.o',
  'cgrp_storage.bpf.o',
];

describe('bpfCompat on the fixtures', () => {
  const report = bpfCompat(OBJECTS.map(object), [OLD, NEW]);
  const verdict = (o: string) => report.objects.find((x) => x.object === o)!;

  it('gives the matrix: which object loads where, the first failing kernel and why', () => {
    assert.deepEqual(
      report.objects.map((o) => [
        o.object,
        ...o.kernels.map((k) => (k.loads ? 'loads' : k.reason!.code)),
        o.firstFailing,
      ]),
      [
        ['state_core.bpf.o', 'loads', 'loads', null],
        ['state_legacy.bpf.o', 'loads', 'core-relo-failed', 'new'],
        ['kfunc_task.bpf.o', 'kfunc-missing', 'loads', 'old'],
        ['ringbuf.bpf.o', 'loads', 'loads', null],
        ['cgrp_storage.bpf.o', 'map-type-unknown', 'loads', 'old'],
      ],
    );
    assert.equal(bpfCompatExitCode(report), 8);
  });

  it('says why task_struct.state fails on a kernel that renamed it, and suggests __state', () => {
    const r = verdict('state_legacy.bpf.o').kernels[1]!.reason!;
    assert.equal(r.code, 'core-relo-failed');
    assert.ok(r.code === 'core-relo-failed');
    assert.deepEqual(
      [r.access, r.reason, r.targetType, r.missing, r.similar],
      ['task_struct___pre514.state', 'no-member', 'struct task_struct', 'state', ['__state']],
    );
  });

  it('a failed read behind bpf_core_field_exists is not reached: guarded, and the object loads', () => {
    const oldFindings = verdict('state_core.bpf.o').kernels[0]!.findings;
    const newFindings = verdict('state_core.bpf.o').kernels[1]!.findings;
    // old: __state is absent (exists → 0) and its read is poisoned but dead; state reads at 24
    assert.deepEqual(
      oldFindings.map((f) => [f.code, 'insn' in f ? f.insn : null]),
      [
        ['core-relo-absent', 1],
        ['core-relo-guarded', 3],
        ['core-relo-moved', 12],
      ],
    );
    assert.deepEqual(
      newFindings.map((f) => [f.code, 'insn' in f ? f.insn : null]),
      [
        ['core-relo-moved', 3],
        ['core-relo-guarded', 12],
      ],
    );
  });

  it('reports kfunc flags where the kernel offers them, and helpers and map types the kernel lacks', () => {
    const k = verdict('kfunc_task.bpf.o').kernels[1]!.findings;
    assert.deepEqual(
      k.map((f) => (f.code === 'kfunc-ok' ? [f.kfunc, f.flags] : f.code)),
      [
        ['bpf_task_from_pid', ['KF_ACQUIRE', 'KF_RET_NULL']],
        ['bpf_task_release', ['KF_RELEASE']],
      ],
    );
    const c = verdict('cgrp_storage.bpf.o').kernels[0]!.findings;
    assert.deepEqual(
      c.map((f) => [f.code, f.severity]),
      [
        ['map-type-unknown', 'error'],
        ['helper-unknown', 'error'],
      ],
    );
    const h = c[1]!;
    assert.ok(h.code === 'helper-unknown' && h.name === 'bpf_cgrp_storage_get' && h.helper === 210);
  });

  it('renders the matrix as text and JSON', () => {
    const text = bpfCompatRenderers.text(report, { color: false, limit: null });
    assert.match(text, /state_legacy\.bpf\.o\s+loads\s+fails: core-relo-failed\s+new/);
    const json = JSON.parse(bpfCompatRenderers.json(report, { color: false, limit: null }));
    assert.equal(json.objects[2].firstFailing, 'old');
    assert.equal(json.objects[2].kernels[0].reason.kfunc, 'bpf_task_from_pid');
  });
});
