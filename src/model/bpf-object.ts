// A compiled BPF object (clang -target bpf -g -O2): its programs and instructions, the CO-RE relocations
// of its .BTF.ext, the kernel functions (kfuncs) and helpers it calls, and its maps. What libbpf reads
// before it loads the object into a kernel.
import type { Btf } from './btf.js';

/** One 8-byte BPF instruction (include/uapi/linux/bpf.h struct bpf_insn); ld_imm64 takes two. */
export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

/** enum bpf_core_relo_kind (include/uapi/linux/bpf.h), in its numeric order. */
export const CORE_RELO_KINDS = [
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_id_local',
  'type_id_target',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
] as const;
export type CoreReloKind = (typeof CORE_RELO_KINDS)[number];

/** struct bpf_core_relo: what the instruction at `insn` of `section` must learn from the kernel's BTF. */
export interface CoreRelo {
  section: string;
  /** Instruction index within the section (insn_off / 8). */
  insn: number;
  /** The local BTF type the access string starts from. */
  typeId: number;
  /** `0:1:2`: array index into the root, then member or element indices. */
  access: string;
  kind: CoreReloKind;
}

/** A program: a global function in an executable section other than .text. */
export interface BpfProgram {
  name: string;
  section: string;
  /** `BPF_PROG_TYPE_KPROBE`, as libbpf's section table maps the section name; null when unknown. */
  type: string | null;
  /** `BPF_TRACE_FENTRY`, when the section implies one. */
  attachType: string | null;
  /** What the section names to attach to (`do_unlinkat` in `fentry/do_unlinkat`), when BTF must have it. */
  attachBtf: { name: string; kind: 'func' | 'typedef' } | null;
  sleepable: boolean;
  /** First instruction of the program within its section, and how many. */
  start: number;
  length: number;
}

/** A call instruction: the section and the instruction index within it. */
export interface BpfCallSite {
  section: string;
  insn: number;
}

/** An `extern ... __ksym` function: declared in BTF as an extern FUNC in the .ksyms DATASEC. */
export interface BpfKfuncRef {
  name: string;
  /** Its name without a `___flavour` suffix: the kernel function libbpf looks for. */
  kernelName: string;
  /** The local FUNC_PROTO the object was compiled against. */
  protoId: number;
  /** `__weak`: libbpf accepts its absence (and poisons its calls). */
  weak: boolean;
  calls: BpfCallSite[];
  /** ld_imm64 instructions that take its address (`bpf_ksym_exists()`). */
  addressTaken: BpfCallSite[];
}

export interface BpfHelperRef {
  /** The helper's number in enum bpf_func_id. */
  id: number;
  calls: BpfCallSite[];
}

export interface BpfMap {
  name: string;
  /** The number in enum bpf_map_type; null when the definition does not say. */
  type: number | null;
  /** A BTF-defined map (.maps) or a legacy `struct bpf_map_def` (maps). */
  definition: 'btf' | 'legacy';
}

export interface BpfSectionCode {
  name: string;
  insns: BpfInsn[];
}

export interface BpfObject {
  source: string;
  /** The object's own BTF (.BTF). */
  btf: Btf;
  license: string | null;
  programs: BpfProgram[];
  /** Sub-programs (static or global functions of .text), called from programs. */
  subprograms: BpfProgram[];
  /** Every executable section's instructions, by name. */
  code: Map<string, BpfSectionCode>;
  coreRelos: CoreRelo[];
  kfuncs: BpfKfuncRef[];
  helpers: BpfHelperRef[];
  maps: BpfMap[];
  /** Things libbpf would read that this reader does not model, one line each. */
  notes: string[];
}
