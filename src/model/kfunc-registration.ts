// Which BPF program types may call a kfunc. The kernel decides it in code, not data: each kfunc set
// (BTF_KFUNCS_START / BTF_SET8_START … END) is wrapped in a `struct btf_kfunc_id_set` and registered for
// a program type with register_btf_kfunc_id_set(); the verifier then allows a call when the set is
// registered for the program's kfunc hook (bpf_prog_type_to_kfunc_hook(): TRACING also covers LSM, and in
// 6.12 TRACEPOINT and PERF_EVENT) or, where the kernel has one (6.12, not 6.1), for the COMMON hook
// (BPF_PROG_TYPE_UNSPEC: every type).
// So the answer comes from the kernel's source, read once per kernel version (readers/kernel-source).
import type { KfuncList } from './kfunc.js';

export interface KfuncRegistration {
  /** `BPF_PROG_TYPE_TRACING` as written in the call. */
  progType: string;
  /** The `struct btf_kfunc_id_set` variable registered. */
  idSet: string;
  /** Its kfunc set (`.set = &generic_btf_ids`; `.check_set` before 6.1); null when the source does not say. */
  set: string | null;
  /** `.filter`: a callback that refuses some programs of the type at load (by attach type, 6.9+). */
  filter: string | null;
  file: string;
  line: number;
}

export interface KfuncRegistrations {
  /** The tree read, and its version from the top Makefile (`6.1.192`), when it has one. */
  source: string;
  version: string | null;
  /** bpf_prog_type_to_kfunc_hook(): program type → hook (`BPF_PROG_TYPE_LSM` → `BTF_KFUNC_HOOK_TRACING`). */
  hooks: Map<string, string>;
  /** Registered kfunc set (`kernel/bpf/helpers.c:generic_btf_ids`: names are file-local) → its functions. */
  sets: Map<string, string[]>;
  registrations: KfuncRegistration[];
  /**
   * Functions of sets registered with register_btf_fmodret_id_set(): attach targets for fmod_ret programs,
   * not callable. Their sets carry BTF_SET8_KFUNCS, so a kfunc list read from BTF lists them too.
   */
  fmodret: string[];
}

/** The program types (`tracing`, `lsm`, as bpftool names them) a kfunc may be called from. */
export interface KfuncProgTypes {
  /** Sorted; `*` when a registration is for the COMMON hook (every program type). */
  progTypes: string[];
  /** The kfunc sets that list it and are registered. */
  sets: string[];
  /** Filter callbacks that may still refuse a program of a listed type. */
  filters: string[];
}

/** bpftool's name for a program type: `BPF_PROG_TYPE_SCHED_CLS` → `sched_cls`. */
export const progTypeName = (t: string): string => t.replace(/^BPF_PROG_TYPE_/, '').toLowerCase();

const COMMON_HOOK = 'BTF_KFUNC_HOOK_COMMON';

/** Each kfunc's program types, by the kernel's rule; kfuncs no registered set lists are absent. */
export function kfuncProgTypes(regs: KfuncRegistrations): Map<string, KfuncProgTypes> {
  const byHook = new Map<string, string[]>();
  for (const [type, hook] of regs.hooks) byHook.set(hook, [...(byHook.get(hook) ?? []), type]);
  const out = new Map<string, { types: Set<string>; sets: Set<string>; filters: Set<string> }>();
  for (const r of regs.registrations) {
    if (r.set === null) continue;
    const hook = regs.hooks.get(r.progType);
    // A type the switch does not list maps to BTF_KFUNC_HOOK_MAX: the kernel refuses the registration.
    if (hook === undefined) continue;
    const types = hook === COMMON_HOOK ? ['*'] : (byHook.get(hook) ?? []).map(progTypeName);
    for (const fn of regs.sets.get(r.set) ?? []) {
      let e = out.get(fn);
      if (!e) {
        e = { types: new Set(), sets: new Set(), filters: new Set() };
        out.set(fn, e);
      }
      for (const t of types) e.types.add(t);
      e.sets.add(r.set);
      if (r.filter) e.filters.add(r.filter);
    }
  }
  return new Map(
    [...out].map(([fn, e]) => [
      fn,
      { progTypes: [...e.types].sort(), sets: [...e.sets].sort(), filters: [...e.filters].sort() },
    ]),
  );
}

/** Whether a program of this type (`BPF_PROG_TYPE_XDP` or `xdp`) may call the kfunc (filters aside). */
export function kfuncAllowedFor(p: KfuncProgTypes, progType: string): boolean {
  return p.progTypes.includes('*') || p.progTypes.includes(progTypeName(progType));
}

/**
 * The source tree of a kernel's version: same VERSION.PATCHLEVEL (`6.1.192` for `6.1.0-47-amd64`), the
 * closest SUBLEVEL first. Registrations change between stable updates rarely, between versions often.
 */
export function registrationsForRelease<T extends KfuncRegistrations>(
  sources: readonly T[],
  release: string,
): T | null {
  const want = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!want) return null;
  let best: T | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const s of sources) {
    const v = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.version ?? '');
    if (!v || v[1] !== want[1] || v[2] !== want[2]) continue;
    const d = Math.abs(Number(v[3] ?? 0) - Number(want[3] ?? 0));
    if (d < bestDistance) [best, bestDistance] = [s, d];
  }
  return best;
}

/** The list with each kfunc's program types from `regs` (none for a kfunc no registered set lists). */
export function withKfuncProgTypes(list: KfuncList, regs: KfuncRegistrations): KfuncList {
  const types = kfuncProgTypes(regs);
  return {
    ...list,
    progTypesFrom: regs.version ? `${regs.source} (${regs.version})` : regs.source,
    kfuncs: list.kfuncs.map((k) => ({ ...k, progTypes: types.get(k.name)?.progTypes ?? [] })),
  };
}
