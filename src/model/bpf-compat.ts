// Findings of `kabi bpf-compat`: what a BPF object needs from a kernel, judged against the kernel's BTF
// the way libbpf (CO-RE relocation, extern kfuncs) and the verifier (helpers, program and map types) would.
import type { CoreReloKind } from './bpf-object.js';
import type { Btf } from './btf.js';
import type { KfuncList } from './kfunc.js';
import type { KfuncProgTypes } from './kfunc-registration.js';

export interface BpfKernel {
  /** How reports name it: a release (`6.1.0-47-amd64`) or the path given. */
  name: string;
  btf: Btf;
  /** Modules' split BTF, searched when vmlinux lacks a type or function (as libbpf does). */
  modules: readonly Btf[];
  /** The kernel's kfuncs; null when they cannot be known (raw BTF without decl tags). */
  kfuncs: KfuncList | null;
  /**
   * Which program types may call each kfunc, from the kernel's source (readers/kernel-source); absent or
   * null when no source was given: the verifier's "calling kernel function X is not allowed" is then not
   * checked.
   */
  kfuncProgTypes?: {
    source: string;
    version: string | null;
    types: ReadonlyMap<string, KfuncProgTypes>;
  } | null;
}

/**
 * - `error`: the object is refused (libbpf fails to load it, or the verifier rejects a program);
 * - `warning`: may be refused, but this analysis cannot tell (e.g. kfunc program-type registration);
 * - `info`: loads, with a difference worth knowing (an offset that moved, a field that is absent
 *   behind an existence check).
 */
export type BpfSeverity = 'error' | 'warning' | 'info';

/** Why a CO-RE relocation found no target, in libbpf's terms. */
export type CoreFailReason =
  | 'no-candidate-type'
  | 'no-member'
  | 'incompatible-member'
  | 'array-index'
  | 'ambiguous'
  | 'memory-size'
  | 'bad-relocation';

export type BpfFinding =
  | {
      code: 'core-relo-failed' | 'core-relo-guarded';
      severity: BpfSeverity;
      program: string | null;
      section: string;
      insn: number;
      kind: CoreReloKind;
      /** `task_struct.state`, as the program wrote it (flavour kept: `task_struct___pre514.state`). */
      access: string;
      reason: CoreFailReason;
      /** The target type that lacked what was asked, and what it lacked (`state`). */
      targetType: string | null;
      missing: string | null;
      /** Members of the target type whose names contain the missing one (`__state`). */
      similar: string[];
    }
  | {
      code: 'core-relo-moved';
      severity: 'info';
      program: string | null;
      section: string;
      insn: number;
      kind: CoreReloKind;
      access: string;
      /** As compiled, and as relocated for this kernel. */
      local: string;
      target: string;
    }
  | {
      code: 'core-relo-absent';
      severity: 'info';
      program: string | null;
      section: string;
      insn: number;
      kind: CoreReloKind;
      access: string;
    }
  | {
      code: 'kfunc-missing' | 'kfunc-prototype' | 'kfunc-not-registered';
      severity: BpfSeverity;
      kfunc: string;
      weak: boolean;
      /** The object's prototype, and the kernel's when it has the function. */
      expected: string;
      actual: string | null;
    }
  | {
      /** The verifier's "calling kernel function X is not allowed": no registration for the program's type. */
      code: 'kfunc-prog-type';
      severity: BpfSeverity;
      kfunc: string;
      program: string;
      section: string;
      insn: number;
      /** `tracepoint`, as bpftool names program types. */
      progType: string;
      /** The types the kernel registers it for (`*`: every type); empty when no registered set lists it. */
      allowed: string[];
    }
  | {
      code: 'kfunc-ok';
      severity: 'info';
      kfunc: string;
      /** KF_* names, null when the kernel's list does not say. */
      flags: string[] | null;
      sets: string[];
      module: string | null;
      /**
       * The kernel's prototype when its types differ from the object's but libbpf accepts them (a struct
       * renamed: `struct bpf_dynptr_kern *` → `struct bpf_dynptr *`); null when they are the same.
       */
      kernelPrototype: string | null;
    }
  | {
      code: 'helper-unknown';
      severity: BpfSeverity;
      helper: number;
      /** `bpf_cgrp_storage_get`, where another kernel given names it. */
      name: string | null;
      program: string | null;
      section: string;
      insn: number;
    }
  | {
      code: 'prog-type-unknown' | 'attach-type-unknown' | 'section-unknown';
      severity: 'error';
      program: string;
      section: string;
      /** `BPF_PROG_TYPE_LSM`, `BPF_LSM_CGROUP`; null for a section libbpf does not know. */
      name: string | null;
    }
  | {
      code: 'attach-target-missing';
      severity: 'error';
      program: string;
      section: string;
      /** The BTF name the kernel must have: `do_unlinkat`, `btf_trace_sched_switch`, `bpf_lsm_file_open`. */
      target: string;
    }
  | {
      code: 'map-type-unknown';
      severity: 'error';
      map: string;
      /** The number in enum bpf_map_type, and its name where some kernel or the object names it. */
      type: number;
      name: string | null;
    };

export type BpfFindingCode = BpfFinding['code'];

export interface BpfKernelVerdict {
  /** `6.1.0-47-amd64`, or the path given. */
  kernel: string;
  loads: boolean;
  /** The first error, in the order libbpf meets them; null when it loads. */
  reason: BpfFinding | null;
  findings: BpfFinding[];
  /** What could not be checked on this kernel, one line each (no kfunc list, ...). */
  notes: string[];
}

export interface BpfObjectVerdicts {
  object: string;
  programs: { name: string; section: string; type: string | null }[];
  kernels: BpfKernelVerdict[];
  /** The first kernel, in the order given, on which the object stops loading; null when it loads on all. */
  firstFailing: string | null;
}

export interface BpfCompatReport {
  kernels: string[];
  objects: BpfObjectVerdicts[];
}
