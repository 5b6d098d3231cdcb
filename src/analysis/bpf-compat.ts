// Will a compiled BPF object load on a kernel? Judged from the kernel's BTF, in the order libbpf and the
// verifier meet each requirement (bpf_object_load: externs, maps, CO-RE relocation, then each program):
//
//   1. extern kfuncs: a FUNC of that name in vmlinux's or a module's BTF, with a prototype libbpf's
//      bpf_core_types_are_compat accepts (a __weak one may be absent: its calls are poisoned instead);
//   2. maps: the map type's number in the kernel's enum bpf_map_type;
//   3. CO-RE relocations (bpf-core.ts); a failure poisons the instruction;
//   4. programs: the program type in enum bpf_prog_type, the attach type in enum bpf_attach_type, the
//      attach target in BTF (fentry/, lsm/, tp_btf/, iter/); no reachable poisoned instruction
//      (bpf-reach.ts); every reachable helper call's number in enum bpf_func_id; every reachable kfunc in
//      the kernel's kfunc sets (else "calling kernel function X is not allowed").
//
//      With the kernel's source (kfuncProgTypes), also the program types each kfunc is registered for.
//
// What the kernel decides in code, not data, is out of reach: which helpers each program type may call,
// and everything else the verifier proves about the program's behaviour.
import type {
  BpfCompatReport,
  BpfFinding,
  BpfKernel,
  BpfKernelVerdict,
  BpfObjectVerdicts,
} from '../model/bpf-compat.js';
import type { BpfObject, BpfProgram } from '../model/bpf-object.js';
import type { Btf, BtfType } from '../model/btf.js';
import { cDeclaration } from '../model/btf-c.js';
import { kfFlagNames } from '../model/kfunc.js';
import { kfuncAllowedFor, progTypeName } from '../model/kfunc-registration.js';
import { accessText, type CoreOutcome, essential, resolveCoreRelo, typesCompat } from './bpf-core.js';
import { reachable } from './bpf-reach.js';

/** The order in which libbpf and the verifier meet each kind of error: the first is the reason. */
const ORDER: BpfFinding['code'][] = [
  'kfunc-missing',
  'kfunc-prototype',
  'map-type-unknown',
  'section-unknown',
  'prog-type-unknown',
  'attach-type-unknown',
  'attach-target-missing',
  'core-relo-failed',
  'helper-unknown',
  'kfunc-not-registered',
  'kfunc-prog-type',
];

export function bpfCompat(objects: readonly BpfObject[], kernels: readonly BpfKernel[]): BpfCompatReport {
  const names = enumNames(kernels);
  return {
    kernels: kernels.map((k) => k.name),
    objects: objects.map((o) => objectVerdicts(o, kernels, names)),
  };
}

export function bpfCompatExitCode(r: BpfCompatReport): number {
  return r.objects.some((o) => o.firstFailing !== null) ? 8 : 0;
}

function objectVerdicts(o: BpfObject, kernels: readonly BpfKernel[], names: EnumNames): BpfObjectVerdicts {
  const verdicts = kernels.map((k) => judge(o, k, names));
  return {
    object: o.source,
    programs: o.programs.map((p) => ({ name: p.name, section: p.section, type: p.type })),
    kernels: verdicts,
    firstFailing: verdicts.find((v) => !v.loads)?.kernel ?? null,
  };
}

interface EnumNames {
  helpers: Map<number, string>;
  maps: Map<number, string>;
}

/** Helper and map type names from every kernel given, newest names last: for findings on older ones. */
function enumNames(kernels: readonly BpfKernel[]): EnumNames {
  const helpers = new Map<number, string>();
  const maps = new Map<number, string>();
  for (const k of kernels) {
    for (const [v, n] of enumValues(k.btf, 'bpf_func_id', 'BPF_FUNC_')) helpers.set(v, `bpf_${n.slice(9)}`);
    for (const [v, n] of enumValues(k.btf, 'bpf_map_type', 'BPF_MAP_TYPE_')) maps.set(v, n);
  }
  return { helpers, maps };
}

/** An enum's values by number, those whose names start with `prefix` (not the `__MAX` sentinels). */
function enumValues(btf: Btf, name: string, prefix: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const id of btf.named(name)) {
    const t = btf.get(id);
    if (t.kind !== 'enum' && t.kind !== 'enum64') continue;
    for (const v of t.values) if (v.name.startsWith(prefix)) out.set(Number(v.value), v.name);
    break;
  }
  return out;
}

function enumHas(btf: Btf, name: string, value: string): boolean | null {
  for (const id of btf.named(name)) {
    const t = btf.get(id);
    if (t.kind === 'enum' || t.kind === 'enum64') return t.values.some((v) => v.name === value);
  }
  return null;
}

function findFunc(k: BpfKernel, name: string): { btf: Btf; id: number } | null {
  for (const btf of [k.btf, ...k.modules]) {
    const id = btf.find(name, 'func');
    if (id !== undefined && (btf === k.btf || id >= btf.firstId)) return { btf, id };
  }
  return null;
}

function judge(o: BpfObject, k: BpfKernel, names: EnumNames): BpfKernelVerdict {
  const findings: BpfFinding[] = [];
  const notes: string[] = [];
  const targets = [k.btf, ...k.modules];

  // Relocated immediates per section: CO-RE values and kfunc addresses; poisoned instructions.
  const immediates = new Map<string, Map<number, bigint | 'nonzero'>>();
  const poisoned = new Map<string, Set<number>>();
  const imm = (s: string) => immediates.get(s) ?? immediates.set(s, new Map()).get(s)!;
  const poison = (s: string, i: number) => (poisoned.get(s) ?? poisoned.set(s, new Set()).get(s)!).add(i);

  // 1. kfuncs
  const kfuncState = new Map<string, 'ok' | 'poisoned'>();
  for (const ref of o.kfuncs) {
    const found = findFunc(k, ref.kernelName);
    const expected = prototypeText(o.btf, ref.protoId, ref.kernelName);
    let fail: 'kfunc-missing' | 'kfunc-prototype' | null = null;
    let actual: string | null = null;
    if (!found) fail = 'kfunc-missing';
    else {
      const f = found.btf.get(found.id) as Extract<BtfType, { kind: 'func' }>;
      actual = prototypeText(found.btf, f.type, ref.kernelName);
      if (!typesCompat(o.btf, ref.protoId, found.btf, f.type)) fail = 'kfunc-prototype';
    }
    if (fail) {
      kfuncState.set(ref.name, 'poisoned');
      for (const c of ref.calls) poison(c.section, c.insn);
      for (const a of ref.addressTaken) imm(a.section).set(a.insn, 0n);
      // libbpf refuses a strong extern at once; a weak one only if a poisoned call is reachable (below).
      if (!ref.weak)
        findings.push({ code: fail, severity: 'error', kfunc: ref.name, weak: false, expected, actual });
      else findings.push({ code: fail, severity: 'info', kfunc: ref.name, weak: true, expected, actual });
      continue;
    }
    kfuncState.set(ref.name, 'ok');
    for (const a of ref.addressTaken) imm(a.section).set(a.insn, 'nonzero');
  }

  // 2. maps
  const kernelMaps = enumValues(k.btf, 'bpf_map_type', 'BPF_MAP_TYPE_');
  for (const m of o.maps) {
    if (m.type === null || kernelMaps.size === 0) continue;
    if (!kernelMaps.has(m.type))
      findings.push({
        code: 'map-type-unknown',
        severity: 'error',
        map: m.name,
        type: m.type,
        name: names.maps.get(m.type) ?? null,
      });
  }
  if (kernelMaps.size === 0) notes.push('no enum bpf_map_type in this BTF: map types not checked');

  // 3. CO-RE
  const outcomes: { r: (typeof o.coreRelos)[number]; out: CoreOutcome }[] = [];
  for (const r of o.coreRelos) {
    const insn = o.code.get(r.section)!.insns[r.insn]!;
    const out = resolveCoreRelo(o.btf, r, insn, targets);
    outcomes.push({ r, out });
    if (out.status === 'ok') imm(r.section).set(r.insn, out.target);
    else if (out.status === 'absent') imm(r.section).set(r.insn, 0n);
    else if (out.status === 'poison') poison(r.section, r.insn);
  }

  // Reachability, per section, from each program (and each sub-program of .text, conservatively).
  const reach = new Map<string, Set<number>>();
  const starts = new Map<string, number[]>();
  for (const p of [...o.programs, ...o.subprograms])
    (starts.get(p.section) ?? starts.set(p.section, []).get(p.section)!).push(p.start);
  for (const [section, code] of o.code) {
    const set = new Set<number>();
    for (const start of starts.get(section) ?? [0])
      for (const i of reachable({ insns: code.insns, start, immediates: imm(section) })) set.add(i);
    reach.set(section, set);
  }
  const isReachable = (s: string, i: number) => reach.get(s)?.has(i) ?? true;
  const programAt = (s: string, i: number): string | null =>
    [...o.programs, ...o.subprograms].find((p) => p.section === s && i >= p.start && i < p.start + p.length)
      ?.name ?? null;

  for (const { r, out } of outcomes) {
    const base = {
      program: programAt(r.section, r.insn),
      section: r.section,
      insn: r.insn,
      kind: r.kind,
      access: accessText(o.btf, r),
    };
    if (out.status === 'ok') {
      if (out.local !== out.target && MOVES.has(r.kind))
        findings.push({
          code: 'core-relo-moved',
          severity: 'info',
          ...base,
          local: String(out.local),
          target: String(out.target),
        });
    } else if (out.status === 'absent') {
      findings.push({ code: 'core-relo-absent', severity: 'info', ...base });
    } else if (out.status === 'poison') {
      const live = isReachable(r.section, r.insn);
      findings.push({
        code: live ? 'core-relo-failed' : 'core-relo-guarded',
        severity: live ? 'error' : 'info',
        ...base,
        reason: out.reason,
        targetType: out.targetType,
        missing: out.missing,
        similar: out.similar,
      });
    } else {
      findings.push({
        code: 'core-relo-failed',
        severity: 'error',
        ...base,
        reason: out.reason,
        targetType: null,
        missing: out.detail,
        similar: [],
      });
    }
  }

  // 4. programs
  for (const p of o.programs) programChecks(p, k, findings);

  // Weak kfuncs that are missing: refused only where a poisoned call is reachable.
  for (const ref of o.kfuncs) {
    if (!ref.weak || kfuncState.get(ref.name) !== 'poisoned') continue;
    if (ref.calls.some((c) => isReachable(c.section, c.insn))) {
      const f = findings.find(
        (x) => (x.code === 'kfunc-missing' || x.code === 'kfunc-prototype') && x.kfunc === ref.name,
      );
      if (f && (f.code === 'kfunc-missing' || f.code === 'kfunc-prototype')) f.severity = 'error';
    }
  }

  // Helpers.
  const helpers = enumValues(k.btf, 'bpf_func_id', 'BPF_FUNC_');
  if (helpers.size === 0) notes.push('no enum bpf_func_id in this BTF: helpers not checked');
  for (const h of o.helpers) {
    if (helpers.size === 0 || helpers.has(h.id)) continue;
    const live = h.calls.find((c) => isReachable(c.section, c.insn));
    const at = live ?? h.calls[0]!;
    findings.push({
      code: 'helper-unknown',
      severity: live ? 'error' : 'info',
      helper: h.id,
      name: names.helpers.get(h.id) ?? null,
      program: programAt(at.section, at.insn),
      section: at.section,
      insn: at.insn,
    });
  }

  // Kfuncs the kernel has but does not offer to BPF.
  if (o.kfuncs.length > 0 && !k.kfuncProgTypes)
    notes.push(
      'program types of kfunc calls not checked: give the kernel’s source (--kernel-source) to check them',
    );
  if (k.kfuncs === null && o.kfuncs.length > 0)
    notes.push(
      'the kernel’s kfunc sets are unknown (raw BTF without bpf_kfunc decl tags): kfunc registration not checked',
    );
  for (const ref of o.kfuncs) {
    if (kfuncState.get(ref.name) !== 'ok') continue;
    const listed = k.kfuncs?.kfuncs.find((x) => x.name === ref.kernelName);
    if (k.kfuncs && !listed) {
      const live = ref.calls.some((c) => isReachable(c.section, c.insn));
      const found = findFunc(k, ref.kernelName)!;
      findings.push({
        code: 'kfunc-not-registered',
        severity: live ? 'error' : 'info',
        kfunc: ref.name,
        weak: ref.weak,
        expected: prototypeText(o.btf, ref.protoId, ref.kernelName),
        actual: prototypeText(found.btf, (found.btf.get(found.id) as { type: number }).type, ref.kernelName),
      });
      continue;
    }
    const progTypes = k.kfuncProgTypes?.types;
    if (progTypes) {
      const pt = progTypes.get(ref.kernelName);
      for (const c of ref.calls) {
        const p = o.programs.find(
          (x) => x.section === c.section && c.insn >= x.start && c.insn < x.start + x.length,
        );
        // A call in a subprogram is judged in each program that calls it: not traced here.
        if (!p?.type || !isReachable(c.section, c.insn)) continue;
        if (pt && kfuncAllowedFor(pt, p.type)) continue;
        findings.push({
          code: 'kfunc-prog-type',
          severity: 'error',
          kfunc: ref.name,
          program: p.name,
          section: c.section,
          insn: c.insn,
          progType: progTypeName(p.type),
          allowed: pt?.progTypes ?? [],
        });
      }
    }
    findings.push({
      code: 'kfunc-ok',
      severity: 'info',
      kfunc: ref.name,
      flags: listed?.flags == null ? null : kfFlagNames(listed.flags),
      sets: listed?.sets ?? [],
      module: listed?.module ?? null,
      kernelPrototype: kernelPrototypeIfDifferent(o.btf, ref.protoId, k, ref.kernelName),
    });
  }

  // Calls a program type may not make: the verifier names the first in instruction order.
  findings.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.code === 'kfunc-prog-type' && b.code === 'kfunc-prog-type' ? a.insn - b.insn : 0),
  );
  const reason = findings.find((f) => f.severity === 'error') ?? null;
  return { kernel: k.name, loads: reason === null, reason, findings, notes };
}

/** Relocations whose value is a layout fact worth reporting when it differs. */
const MOVES = new Set([
  'field_byte_offset',
  'field_byte_size',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_size',
  'enumval_value',
]);

function rank(f: BpfFinding): number {
  const i = ORDER.indexOf(f.code);
  const sev = f.severity === 'error' ? 0 : f.severity === 'warning' ? 1 : 2;
  return sev * 100 + (i < 0 ? 99 : i);
}

function programChecks(p: BpfProgram, k: BpfKernel, findings: BpfFinding[]): void {
  if (p.type === null) {
    findings.push({
      code: 'section-unknown',
      severity: 'error',
      program: p.name,
      section: p.section,
      name: null,
    });
    return;
  }
  if (enumHas(k.btf, 'bpf_prog_type', p.type) === false)
    findings.push({
      code: 'prog-type-unknown',
      severity: 'error',
      program: p.name,
      section: p.section,
      name: p.type,
    });
  if (p.attachType && enumHas(k.btf, 'bpf_attach_type', p.attachType) === false)
    findings.push({
      code: 'attach-type-unknown',
      severity: 'error',
      program: p.name,
      section: p.section,
      name: p.attachType,
    });
  if (p.attachBtf) {
    const { name, kind } = p.attachBtf;
    const has = [k.btf, ...k.modules].some((b) => b.find(name, kind) !== undefined);
    if (!has)
      findings.push({
        code: 'attach-target-missing',
        severity: 'error',
        program: p.name,
        section: p.section,
        target: name,
      });
  }
}

/** The kernel's prototype of a kfunc, when its types (not its parameter names) differ from the object's. */
function kernelPrototypeIfDifferent(local: Btf, protoId: number, k: BpfKernel, name: string): string | null {
  const found = findFunc(k, name);
  if (!found) return null;
  const kproto = (found.btf.get(found.id) as { type: number }).type;
  return signature(local, protoId) === signature(found.btf, kproto)
    ? null
    : prototypeText(found.btf, kproto, name);
}

/** A prototype's types with typedefs and qualifiers seen through: `__s32` and `s32` are both `int32`. */
function signature(btf: Btf, protoId: number): string {
  const t = btf.get(protoId);
  if (t.kind !== 'func_proto') return canonical(btf, protoId);
  return `${canonical(btf, t.type)}(${t.params.map((p) => canonical(btf, p.type)).join(', ')}${t.variadic ? ', ...' : ''})`;
}

function canonical(btf: Btf, id: number, depth = 0): string {
  const t = btf.get(btf.resolve(id));
  if (depth > 8) return t.kind;
  switch (t.kind) {
    case 'ptr':
      return `${canonical(btf, t.type, depth + 1)}*`;
    case 'array':
      return `${canonical(btf, t.type, depth + 1)}[${t.nelems}]`;
    case 'int':
      return `${t.encoding === 'signed' ? 's' : 'u'}${t.size * 8}`;
    case 'func_proto':
      return `fn ${signature(btf, btf.resolve(id))}`;
    default:
      return `${t.kind} ${t.name}`;
  }
}

function prototypeText(btf: Btf, protoId: number, name: string): string {
  try {
    return cDeclaration(btf, protoId, essential(name));
  } catch {
    return name;
  }
}
