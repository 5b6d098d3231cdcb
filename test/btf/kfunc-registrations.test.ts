// Which program types may call each kfunc, read from the kernel's source (excerpts of Debian's
// linux-source 6.1 and 6.12 in test/fixtures/kfuncs/source): checked against the kfunc sets of the built
// kernels (derived from the -dbg packages' System.map without kabi-tracker: debian-*.tsv) and against
// what the kernel source says for a few kfuncs, read by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../../src/errors.js';
import { kfuncAllowedFor, kfuncProgTypes } from '../../src/model/kfunc-registration.js';
import {
  parseKfuncRegistrations,
  readKfuncRegistrations,
} from '../../src/readers/kernel-source/kfunc-registrations.js';
import { FIXTURES } from '../helpers/independent.js';

const DIR = join(FIXTURES, 'kfuncs');

/** kfunc → the set names the built kernel lists it in (its own System.map names them). */
function builtSets(abi: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(join(DIR, `debian-${abi}-amd64.tsv`), 'utf8').split('\n')) {
    const f = line.split('\t');
    if (!line || f[0] === '#set') continue;
    out.set(f[1]!, (out.get(f[1]!) ?? new Set()).add(f[2]!));
  }
  return out;
}

for (const [v, abi] of [
  ['6.1', '6.1.0-47'],
  ['6.12', '6.12.117+deb12'],
] as const) {
  describe(`kfunc registrations of Linux ${v}`, () => {
    const regs = readKfuncRegistrations(join(DIR, 'source', v));
    const types = kfuncProgTypes(regs);
    const built = builtSets(abi);

    it('reads the version, the hook switch and no warnings', () => {
      assert.equal(regs.version?.startsWith(`${v}.`), true);
      assert.equal(regs.hooks.get('BPF_PROG_TYPE_LSM'), 'BTF_KFUNC_HOOK_TRACING');
      assert.deepEqual(regs.warnings, []);
    });

    it('every kfunc of the built kernel is registered or an fmodret target, in the sets it was built in', () => {
      for (const [name, sets] of built) {
        const t = types.get(name);
        if (!t) {
          assert.ok(regs.fmodret.includes(name), `${name}: neither registered nor fmodret`);
          continue;
        }
        const sourceSets = new Set(t.sets.map((s) => s.replace(/.*:/, '')));
        // A function may also be an fmodret target (bpf_modify_return_test_tp: in both kinds of set).
        for (const s of sets)
          assert.ok(
            sourceSets.has(s) || regs.fmodret.includes(name),
            `${name}: built in ${s}, source says ${t.sets}`,
          );
      }
    });
  });
}

describe('program types by the kernel’s rules', () => {
  const r61 = kfuncProgTypes(readKfuncRegistrations(join(DIR, 'source', '6.1')));
  const r612 = kfuncProgTypes(readKfuncRegistrations(join(DIR, 'source', '6.12')));
  it('6.1: a set registered for TRACING is callable from tracing and lsm programs (one hook), nothing else', () => {
    // kernel/bpf/helpers.c: register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &tracing_kfunc_set)
    assert.deepEqual(r61.get('crash_kexec')?.progTypes, ['lsm', 'tracing']);
    // kernel/trace/bpf_trace.c: bpf_key_sig_kfunc_set for TRACING only
    assert.equal(kfuncAllowedFor(r61.get('bpf_lookup_system_key')!, 'BPF_PROG_TYPE_TRACEPOINT'), false);
    // net/netfilter/nf_conntrack_bpf.c: XDP and SCHED_CLS
    assert.deepEqual(r61.get('bpf_xdp_ct_lookup')?.progTypes, ['sched_cls', 'xdp']);
  });
  it('6.12: the TRACING hook also serves tracepoint and perf_event; UNSPEC means every type', () => {
    assert.equal(kfuncAllowedFor(r612.get('bpf_lookup_system_key')!, 'tracepoint'), true);
    // kernel/bpf/helpers.c: common_kfunc_set registered for BPF_PROG_TYPE_UNSPEC (the COMMON hook)
    assert.deepEqual(r612.get('bpf_iter_css_new')?.progTypes, ['*']);
    assert.equal(kfuncAllowedFor(r612.get('bpf_iter_css_new')!, 'socket_filter'), true);
    // generic_kfunc_set: TRACING, SCHED_CLS, XDP, STRUCT_OPS, SYSCALL, CGROUP_SKB (and the hooks they share)
    const acquire = r612.get('bpf_task_acquire')!;
    for (const t of ['tracing', 'lsm', 'xdp', 'sched_cls', 'struct_ops', 'syscall', 'cgroup_sock_addr'])
      assert.ok(kfuncAllowedFor(acquire, t), t);
    assert.equal(kfuncAllowedFor(acquire, 'kprobe'), false);
    // net/core/xdp.c builds its set from XDP_METADATA_KFUNC_xxx (include/net/xdp.h): macros expanded
    assert.deepEqual(r612.get('bpf_xdp_metadata_rx_hash')?.progTypes, ['xdp']);
  });
  it('two files’ static sets of one name stay apart', () => {
    // helpers.c and arena.c both define `common_kfunc_set`
    assert.deepEqual(r612.get('bpf_arena_alloc_pages')?.sets, ['kernel/bpf/arena.c:arena_kfuncs']);
  });
});

describe('bad trees', () => {
  it('a tree without the hook switch is an error that says what was expected', () => {
    assert.throws(
      () => parseKfuncRegistrations([{ path: 'x.c', text: 'BTF_KFUNCS_START(s)\nBTF_KFUNCS_END(s)\n' }], 'T'),
      (e: unknown) => e instanceof ArtifactFormatError && /bpf_prog_type_to_kfunc_hook/.test(e.message),
    );
    assert.throws(() => readKfuncRegistrations('/nonexistent/tree'), ArtifactFormatError);
  });
  it('a registration through a variable is a warning, not a guess', () => {
    const r = parseKfuncRegistrations(
      [
        {
          path: 'kernel/bpf/btf.c',
          text: 'static int bpf_prog_type_to_kfunc_hook(enum bpf_prog_type t)\n{\n\tswitch (t) {\n\tcase BPF_PROG_TYPE_XDP:\n\t\treturn BTF_KFUNC_HOOK_XDP;\n\t}\n}\n',
        },
        {
          path: 'a.c',
          text: 'BTF_KFUNCS_START(s)\nBTF_ID_FLAGS(func, f)\nBTF_KFUNCS_END(s)\nstatic const struct btf_kfunc_id_set k = { .set = &s };\nx = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &k);\ny = register_btf_kfunc_id_set(t, &k);\n',
        },
      ],
      'T',
    );
    assert.equal(r.registrations.length, 1);
    assert.match(r.warnings[0]!, /a\.c:6: .*variable \(t\)/);
    assert.deepEqual(kfuncProgTypes(r).get('f')?.progTypes, ['xdp']);
  });
});
