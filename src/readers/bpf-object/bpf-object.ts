// A BPF ELF object (e_machine EM_BPF, ET_REL), as `clang -target bpf -g -O2 -c` writes it:
//
//   <SEC name>    programs' instructions (8 bytes each; ld_imm64 takes two), FUNC symbols marking each
//   .text         sub-programs
//   .rel<SEC>     relocations: calls to extern kfuncs and ld_imm64 of maps and globals name their symbol
//   .BTF          the object's types (src/readers/btf/btf.ts), incl. DATASEC .ksyms (extern kfuncs) and
//                 DATASEC .maps (BTF-defined maps: `int (*type)[BPF_MAP_TYPE_X]` members)
//   .BTF.ext      func and line info, and the CO-RE relocations (btf-ext.ts)
//   maps          legacy struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags }
//   license       the NUL-terminated licence string
//
// Calls: `call imm` with src_reg 0 is helper number imm (enum bpf_func_id); with src_reg 1 it calls a
// sub-program (pc + imm + 1); a call relocated against an undefined symbol calls an extern kfunc.
import { ArtifactFormatError } from '../../errors.js';
import type {
  BpfCallSite,
  BpfHelperRef,
  BpfInsn,
  BpfKfuncRef,
  BpfMap,
  BpfObject,
  BpfProgram,
  BpfSectionCode,
} from '../../model/bpf-object.js';
import type { Btf } from '../../model/btf.js';
import { readBtf } from '../btf/btf.js';
import { type ElfFile, type ElfSection, openElf } from '../elf/elf.js';
import { type ElfRelocation, type ElfSymbol, readRelocations, readSymbols } from '../elf/symbols.js';
import { readInputFile } from '../file.js';
import { readBtfExt } from './btf-ext.js';
import { sectionType } from './section-types.js';

export const EM_BPF = 247;
const ET_REL = 1;
const SHT_PROGBITS = 1;
const SHF_EXECINSTR = 0x4;
const STT_FUNC = 2;
const STB_WEAK = 2;
const SHN_UNDEF = 0;

const OP_CALL = 0x85;
const OP_LD_IMM64 = 0x18;
const BPF_PSEUDO_CALL = 1;

/** Whether these bytes are an ELF object for the BPF machine. */
export function isBpfObject(bytes: Uint8Array): boolean {
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    return false;
  const le = bytes[5] === 1;
  const machine = le ? bytes[18]! | (bytes[19]! << 8) : (bytes[18]! << 8) | bytes[19]!;
  return machine === EM_BPF;
}

export function parseBpfObject(bytes: Uint8Array, opts: { source: string }): BpfObject {
  const elf = openElf(bytes, opts);
  if (elf.machine !== EM_BPF)
    throw elf.error(
      `e_machine ${elf.machine}: expected ${EM_BPF} (EM_BPF), a BPF object (clang -target bpf)`,
      18,
    );
  if (elf.type !== ET_REL)
    throw elf.error(`e_type ${elf.type}: expected 1 (ET_REL), an object as clang -c writes it`, 16);
  if (!elf.is64) throw elf.error('a 32-bit ELF: BPF objects are ELF64', 4);

  const btfSec = elf.section('.BTF');
  if (!btfSec)
    throw new ArtifactFormatError('no .BTF section: compile with -g, CO-RE needs the object’s BTF', {
      source: opts.source,
    });
  const btfBytes = elf.data(btfSec);
  const btf = readBtf(btfBytes, { source: opts.source, fileOffset: btfSec.offset });
  const strings = btfStrings(btfBytes);

  const notes: string[] = [];
  const symbols = readSymbols(elf);
  const code = new Map<string, BpfSectionCode>();
  const programs: BpfProgram[] = [];
  const subprograms: BpfProgram[] = [];
  const execSections = elf.sections.filter((s) => s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0);
  for (const s of execSections) {
    code.set(s.name, { name: s.name, insns: decodeInsns(elf, s) });
    const funcs = symbols.filter((y) => y.shndx === s.index && (y.info & 0xf) === STT_FUNC);
    for (const f of funcs) programs.push(...programOf(elf, s, f, s.name === '.text' ? subprograms : null));
  }
  programs.sort((a, b) => (a.section === b.section ? a.start - b.start : a.section < b.section ? -1 : 1));

  const ext = elf.section('.BTF.ext');
  const coreRelos = ext
    ? readBtfExt(elf.data(ext), { source: opts.source, fileOffset: ext.offset, string: strings }).coreRelos
    : [];
  if (!ext) notes.push('no .BTF.ext section: no CO-RE relocations to check');
  for (const r of coreRelos) {
    const c = code.get(r.section);
    if (r.typeId === 0 || r.typeId >= btf.count)
      throw new ArtifactFormatError(
        `CO-RE relocation at instruction ${r.insn} of ${r.section}: type ${r.typeId} is not in the object's BTF (1-${btf.count - 1})`,
        { source: opts.source, section: '.BTF.ext' },
      );
    if (!c || r.insn >= c.insns.length)
      throw new ArtifactFormatError(
        `CO-RE relocation at instruction ${r.insn} of ${r.section}: no such instruction`,
        { source: opts.source, section: '.BTF.ext' },
      );
  }

  const kfuncs = kfuncRefs(btf, symbols);
  const helpers = new Map<number, BpfHelperRef>();
  for (const s of execSections) scanCalls(elf, s, code.get(s.name)!, symbols, kfuncs, helpers);

  return {
    source: opts.source,
    btf,
    license: license(elf),
    programs: programs.filter((p) => p.section !== '.text'),
    subprograms,
    code,
    coreRelos,
    kfuncs: [...kfuncs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    helpers: [...helpers.values()].sort((a, b) => a.id - b.id),
    maps: [...btfMaps(btf, opts.source), ...legacyMaps(elf, symbols)],
    notes,
  };
}

export async function readBpfObject(path: string): Promise<BpfObject> {
  return parseBpfObject(await readInputFile(path, 'a BPF object'), { source: path });
}

function decodeInsns(elf: ElfFile, s: ElfSection): BpfInsn[] {
  const data = elf.data(s);
  if (data.length % 8 !== 0)
    throw elf.error(
      `${data.length} bytes of code: not a whole number of 8-byte instructions`,
      s.offset,
      s.name,
    );
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.littleEndian;
  const out: BpfInsn[] = new Array(data.length / 8);
  for (let i = 0; i < out.length; i++) {
    const o = i * 8;
    const regs = data[o + 1]!;
    out[i] = {
      code: data[o]!,
      dst: le ? regs & 0xf : regs >> 4,
      src: le ? regs >> 4 : regs & 0xf,
      off: view.getInt16(o + 2, le),
      imm: view.getInt32(o + 4, le),
    };
  }
  return out;
}

function programOf(
  elf: ElfFile,
  s: ElfSection,
  f: ElfSymbol,
  subprograms: BpfProgram[] | null,
): BpfProgram[] {
  if (f.value % 8 !== 0 || f.size % 8 !== 0 || f.value + f.size > s.size)
    throw elf.error(
      `function ${f.name}: ${f.size} bytes at ${f.value} do not lie on whole instructions within ${s.name} (${s.size} bytes)`,
      s.offset,
      s.name,
    );
  const st = subprograms ? null : sectionType(s.name);
  const target = st?.target?.replace(/^[^:]*:/, '') ?? null;
  const p: BpfProgram = {
    name: f.name,
    section: s.name,
    type: st?.type ?? null,
    attachType: st?.attachType ?? null,
    attachBtf: st?.attachBtf && target ? st.attachBtf(target) : null,
    sleepable: st?.sleepable ?? false,
    start: f.value / 8,
    length: f.size / 8,
  };
  if (subprograms) {
    subprograms.push(p);
    return [];
  }
  return [p];
}

/** The extern FUNCs of DATASEC .ksyms: what libbpf resolves against the kernel's BTF as kfuncs. */
function kfuncRefs(btf: Btf, symbols: ElfSymbol[]): Map<string, BpfKfuncRef> {
  const out = new Map<string, BpfKfuncRef>();
  const ksymsId = btf.find('.ksyms', 'datasec');
  if (ksymsId === undefined) return out;
  const ksyms = btf.get(ksymsId);
  if (ksyms.kind !== 'datasec') return out;
  for (const v of ksyms.vars) {
    const t = btf.get(v.type);
    if (t.kind !== 'func') continue;
    const sym = symbols.find((y) => y.name === t.name && y.shndx === SHN_UNDEF);
    out.set(t.name, {
      name: t.name,
      kernelName: essentialName(t.name),
      protoId: t.type,
      weak: sym !== undefined && sym.info >> 4 === STB_WEAK,
      calls: [],
      addressTaken: [],
    });
  }
  return out;
}

/** libbpf's bpf_core_essential_name_len: `task_struct___v1` → `task_struct`. */
export function essentialName(name: string): string {
  const i = name.lastIndexOf('___');
  return i > 0 ? name.slice(0, i) : name;
}

function scanCalls(
  elf: ElfFile,
  s: ElfSection,
  c: BpfSectionCode,
  symbols: ElfSymbol[],
  kfuncs: Map<string, BpfKfuncRef>,
  helpers: Map<number, BpfHelperRef>,
): void {
  const relocs: Map<number, ElfRelocation> = readRelocations(elf, s);
  const symbolOf = (insn: number) => {
    const r = relocs.get(insn * 8);
    if (!r) return undefined;
    const sym = symbols[r.symbol];
    if (!sym)
      throw elf.error(
        `relocation at ${insn * 8} names symbol ${r.symbol}, past the symbol table`,
        undefined,
        s.name,
      );
    return sym;
  };
  for (let i = 0; i < c.insns.length; i++) {
    const insn = c.insns[i]!;
    const site: BpfCallSite = { section: s.name, insn: i };
    if (insn.code === OP_LD_IMM64) {
      const sym = symbolOf(i);
      if (sym && sym.shndx === SHN_UNDEF) kfuncs.get(sym.name)?.addressTaken.push(site);
      i++;
      continue;
    }
    if (insn.code !== OP_CALL) continue;
    const sym = symbolOf(i);
    if (sym && sym.shndx === SHN_UNDEF) {
      const k = kfuncs.get(sym.name);
      if (!k)
        throw elf.error(
          `call at instruction ${i} to extern ${sym.name}, which BTF's .ksyms does not declare as a function`,
          s.offset + i * 8,
          s.name,
        );
      k.calls.push(site);
    } else if (insn.src === 0 && !sym) {
      const h = helpers.get(insn.imm);
      if (h) h.calls.push(site);
      else helpers.set(insn.imm, { id: insn.imm, calls: [site] });
    } else if (insn.src !== BPF_PSEUDO_CALL && !sym) {
      throw elf.error(
        `call at instruction ${i} with src_reg ${insn.src}: expected 0 or 1`,
        s.offset + i * 8,
        s.name,
      );
    }
  }
}

function btfMaps(btf: Btf, source: string): BpfMap[] {
  const id = btf.find('.maps', 'datasec');
  if (id === undefined) return [];
  const sec = btf.get(id);
  if (sec.kind !== 'datasec') return [];
  const out: BpfMap[] = [];
  for (const v of sec.vars) {
    const variable = btf.get(v.type);
    if (variable.kind !== 'var') continue;
    const def = btf.get(btf.resolve(variable.type));
    if (def.kind !== 'struct')
      throw new ArtifactFormatError(`map ${variable.name}: its definition is a ${def.kind}, not a struct`, {
        source,
        section: '.BTF',
      });
    out.push({ name: variable.name, type: intMember(btf, def.members, 'type'), definition: 'btf' });
  }
  return out;
}

/** `__uint(type, X)` is `int (*type)[X]`: the value is the array's element count. */
function intMember(
  btf: Btf,
  members: readonly { name: string; type: number }[],
  name: string,
): number | null {
  const m = members.find((x) => x.name === name);
  if (!m) return null;
  const ptr = btf.get(btf.resolve(m.type));
  if (ptr.kind !== 'ptr') return null;
  const arr = btf.get(btf.resolve(ptr.type));
  return arr.kind === 'array' ? arr.nelems : null;
}

function legacyMaps(elf: ElfFile, symbols: ElfSymbol[]): BpfMap[] {
  const s = elf.section('maps');
  if (!s) return [];
  const data = elf.data(s);
  return symbols
    .filter((y) => y.shndx === s.index && y.name !== '' && (y.info & 0xf) !== 3)
    .map((y) => {
      if (y.value + 4 > data.length)
        throw elf.error(
          `legacy map ${y.name} at ${y.value} lies past the end of the section`,
          s.offset,
          s.name,
        );
      const type = new DataView(data.buffer, data.byteOffset + y.value, 4).getUint32(0, elf.littleEndian);
      return { name: y.name, type, definition: 'legacy' as const };
    });
}

function license(elf: ElfFile): string | null {
  const s = elf.section('license');
  if (!s || s.size === 0) return null;
  const data = elf.data(s);
  const nul = data.indexOf(0);
  return Buffer.from(data.buffer, data.byteOffset, nul < 0 ? data.length : nul).toString('latin1');
}

/** The string section of a .BTF blob (already validated by readBtf), by offset. */
function btfStrings(bytes: Uint8Array): (off: number) => string {
  const le = bytes[0] === 0x9f;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hdrLen = view.getUint32(4, le);
  const start = hdrLen + view.getUint32(16, le);
  const len = view.getUint32(20, le);
  return (off) => {
    if (off >= len) throw new RangeError(`string offset ${off}`);
    const nul = bytes.indexOf(0, start + off);
    return Buffer.from(bytes.buffer, bytes.byteOffset + start + off, nul - start - off).toString('latin1');
  };
}
