// Which instructions of a program the verifier can reach, once libbpf has relocated it for a kernel.
//
// libbpf poisons what it cannot relocate (a CO-RE access to a missing field, a call to a missing __weak
// kfunc) and the verifier refuses a program only if it reaches a poisoned instruction. Guards such as
// `if (bpf_core_field_exists(t->state))` compile to `rX = <relocated 0 or 1>; if rX == 0 goto`: the
// verifier knows rX's value and never walks the dead branch. This does the same, much simplified: a
// forward walk that tracks registers holding constants (set by `mov imm`, possibly relocated, and by
// ld_imm64 of a kfunc's address) and follows only the branch a known constant takes. Anything else a
// register holds is unknown, so both branches are walked: it can only find more code reachable than the
// verifier does, never less.
import type { BpfInsn } from '../model/bpf-object.js';

/** A register's value: a known constant, a known non-zero value (an address), or unknown. */
type Value = bigint | 'nonzero' | undefined;
type Regs = Value[];

export interface ReachInput {
  insns: readonly BpfInsn[];
  /** Where the walk starts (a program's first instruction). */
  start: number;
  /** Relocated immediates: instruction index → the value libbpf writes into its imm. */
  immediates: ReadonlyMap<number, bigint | 'nonzero'>;
  /** Calls to sub-programs in this section: instruction index → callee start. Others are not followed. */
  calls?: ReadonlyMap<number, number>;
}

const CLASS_LD = 0;
const CLASS_JMP = 5;
const CLASS_JMP32 = 6;
const CLASS_ALU = 4;
const CLASS_ALU64 = 7;
const OP_MOV = 0xb0;
const OP_CALL = 0x80;
const OP_EXIT = 0x90;
const OP_JA = 0x00;
const LD_IMM64 = 0x18;
const SRC_X = 0x08;

/** The set of reachable instruction indices. */
export function reachable(input: ReachInput): Set<number> {
  const { insns } = input;
  const seen = new Map<number, Regs>();
  const work: [number, Regs][] = [[input.start, new Array(11).fill(undefined)]];
  for (const [, callee] of input.calls ?? []) work.push([callee, new Array(11).fill(undefined)]);
  let steps = 0;
  while (work.length > 0) {
    if (++steps > 1_000_000) break;
    const [pc, regsIn] = work.pop()!;
    if (pc < 0 || pc >= insns.length) continue;
    const prev = seen.get(pc);
    let regs: Regs;
    if (prev) {
      const merged = prev.map((v, i) => (v === regsIn[i] ? v : undefined));
      if (merged.every((v, i) => v === prev[i])) continue;
      regs = merged;
    } else regs = regsIn;
    seen.set(pc, regs);
    for (const [next, out] of step(insns, pc, regs, input.immediates)) work.push([next, out]);
  }
  return new Set(seen.keys());
}

function step(
  insns: readonly BpfInsn[],
  pc: number,
  regs: Regs,
  imms: ReadonlyMap<number, bigint | 'nonzero'>,
): [number, Regs][] {
  const insn = insns[pc]!;
  const cls = insn.code & 7;
  const op = insn.code & 0xf0;
  const out = regs.slice();
  if (insn.code === LD_IMM64) {
    const r = imms.get(pc);
    const lo = BigInt(insn.imm >>> 0);
    const hi = BigInt((insns[pc + 1]?.imm ?? 0) >>> 0);
    out[insn.dst] = r ?? (insn.src === 0 ? (hi << 32n) | lo : undefined);
    return [[pc + 2, out]];
  }
  if (cls === CLASS_ALU || cls === CLASS_ALU64) {
    const imm = imms.get(pc) ?? BigInt(insn.imm);
    // mov32 zero-extends its 32-bit immediate, mov64 sign-extends it.
    if (op !== OP_MOV) out[insn.dst] = undefined;
    else if ((insn.code & SRC_X) !== 0) out[insn.dst] = regs[insn.src];
    else if (imm === 'nonzero') out[insn.dst] = imm;
    else out[insn.dst] = cls === CLASS_ALU ? BigInt.asUintN(32, imm) : BigInt.asIntN(32, imm);
    return [[pc + 1, out]];
  }
  if (cls === CLASS_JMP || cls === CLASS_JMP32) {
    if (cls === CLASS_JMP && op === OP_EXIT) return [];
    if (cls === CLASS_JMP && op === OP_CALL) {
      for (let r = 0; r <= 5; r++) out[r] = undefined;
      return [[pc + 1, out]];
    }
    const target = pc + 1 + insn.off;
    if (op === OP_JA) return [[cls === CLASS_JMP32 ? pc + 1 + insn.imm : target, out]];
    const a = regs[insn.dst];
    const b: Value = (insn.code & SRC_X) !== 0 ? regs[insn.src] : BigInt(insn.imm);
    const taken = decide(op, a, b, cls === CLASS_JMP32);
    if (taken === true) return [[target, out]];
    if (taken === false) return [[pc + 1, out]];
    return [
      [target, out],
      [pc + 1, out.slice()],
    ];
  }
  if (cls === CLASS_LD) return [[pc + 1, out]];
  // LDX, ST, STX: a load makes its destination unknown.
  if (cls === 1) out[insn.dst] = undefined;
  return [[pc + 1, out]];
}

/** Whether a conditional jump is taken, when the operands say; undefined when they do not. */
function decide(op: number, a: Value, b: Value, narrow: boolean): boolean | undefined {
  if (a === 'nonzero' && typeof b === 'bigint' && b === 0n) {
    if (op === 0x10) return false; // JEQ
    if (op === 0x50) return true; // JNE
    return undefined;
  }
  if (typeof a !== 'bigint' || typeof b !== 'bigint') return undefined;
  const ua = narrow ? BigInt.asUintN(32, a) : BigInt.asUintN(64, a);
  const ub = narrow ? BigInt.asUintN(32, b) : BigInt.asUintN(64, b);
  const sa = narrow ? BigInt.asIntN(32, a) : BigInt.asIntN(64, a);
  const sb = narrow ? BigInt.asIntN(32, b) : BigInt.asIntN(64, b);
  switch (op) {
    case 0x10:
      return ua === ub;
    case 0x20:
      return ua > ub;
    case 0x30:
      return ua >= ub;
    case 0x40:
      return (ua & ub) !== 0n;
    case 0x50:
      return ua !== ub;
    case 0x60:
      return sa > sb;
    case 0x70:
      return sa >= sb;
    case 0xa0:
      return ua < ub;
    case 0xb0:
      return ua <= ub;
    case 0xc0:
      return sa < sb;
    case 0xd0:
      return sa <= sb;
    default:
      return undefined;
  }
}
