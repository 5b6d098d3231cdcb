// Modules and vmlinux images with each `struct kernel_symbol` layout the kernel has used, for the layouts
// no downloadable Debian kernel still has (4.19–5.3's 8-byte PREL32, the 16- and 8-byte absolute entries of
// every kernel before 4.19, ppc64's MODULE_REL_CRCS). Written from the kernel's own description, not from
// kabi's reader:
//   include/linux/export.h (4.19–6.4) / export-internal.h (6.5+): __KSYMTAB_ENTRY emits
//     `.long sym - .; .long __kstrtab_sym - .[; .long __kstrtabns_sym - .]` with PREL32 relocations, or
//     `.quad sym; .quad __kstrtab_sym[; .quad __kstrtabns_sym]` (`.long` on 32-bit) without.
//   __CRC_SYMBOL (before 5.19): `.long __crc_sym` (an absolute symbol genksyms defines), or with
//     CONFIG_MODULE_REL_CRCS `.long __crc_sym - .` (__crc_sym then labels the CRC word in .rodata).
//   SYMBOL_CRC (5.19+): `.long 0x<crc>`, no relocation.
// A .ko keeps every pointer as a relocation (RELA on 64-bit, REL with the addend in place on i386/arm);
// a vmlinux has them resolved at the addresses its section headers give.
import { buildElf, type SectionSpec } from './elf-builder.js';

export interface BuiltExport {
  symbol: string;
  crc: number;
  gpl?: boolean;
  namespace?: string;
}

export interface BuildSpec {
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  /** PREL32 offsets (4 bytes) or pointers (8 on 64-bit, 4 on 32-bit). */
  relative: boolean;
  /** 2: before 5.4; 3: with the namespace. */
  fields: 2 | 3;
  exports: BuiltExport[];
  /** How a .ko carries its CRCs; a vmlinux always holds them. Default 'immediate'. */
  crcs?: 'immediate' | 'absolute-symbol' | 'rel-crcs' | 'none';
}

// psABI numbers of the data relocations: [pointer-wide absolute, 32-bit absolute, 32-bit place-relative].
const RELOCS: Record<number, [number, number, number]> = {
  62: [1, 10, 2], // x86_64: R_X86_64_64, R_X86_64_32, R_X86_64_PC32
  3: [1, 1, 2], // i386: R_386_32, R_386_32, R_386_PC32
  183: [257, 258, 261], // aarch64: ABS64, ABS32, PREL32
  40: [2, 2, 3], // arm: R_ARM_ABS32, R_ARM_ABS32, R_ARM_REL32
  21: [38, 1, 26], // ppc64: ADDR64, ADDR32, REL32
  20: [1, 1, 26], // ppc: R_PPC_ADDR32, R_PPC_ADDR32, R_PPC_REL32
  22: [22, 4, 5], // s390: R_390_64, R_390_32, R_390_PC32
};

class Writer {
  readonly bytes: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(n: number): void {
    this.bytes.push(n & 0xff);
  }
  u16(n: number): void {
    const b = [n & 0xff, (n >>> 8) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u32(n: number): void {
    const b = [0, 8, 16, 24].map((s) => (n >>> s) & 0xff);
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u64(n: bigint): void {
    const v = BigInt.asUintN(64, n);
    const b = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  word(n: bigint, width: number): void {
    if (width === 8) this.u64(n);
    else this.u32(Number(BigInt.asUintN(32, n)));
  }
  get data(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

interface Strings {
  data: Uint8Array;
  name: Map<string, number>;
  ns: Map<string, number>;
}

// __ksymtab_strings: each name, then each namespace ("" for none, as __kstrtabns_ holds since 5.4).
function ksymtabStrings(exports: BuiltExport[]): Strings {
  const bytes: number[] = [];
  const name = new Map<string, number>();
  const ns = new Map<string, number>();
  for (const e of exports) {
    name.set(e.symbol, bytes.length);
    bytes.push(...Buffer.from(e.symbol), 0);
    ns.set(e.symbol, bytes.length);
    bytes.push(...Buffer.from(e.namespace ?? ''), 0);
  }
  return { data: Uint8Array.from(bytes), name, ns };
}

const tables = (exports: BuiltExport[]) =>
  [
    { suffix: '', list: exports.filter((e) => !e.gpl) },
    { suffix: '_gpl', list: exports.filter((e) => e.gpl) },
  ].filter((t) => t.list.length > 0);

/** A relocatable module (ET_REL) exporting `spec.exports`. */
export function ksymtabModule(spec: BuildSpec): Uint8Array {
  const { is64, littleEndian: le, machine } = spec;
  const field = spec.relative ? 4 : is64 ? 8 : 4;
  const entry = field * spec.fields;
  const rela = is64; // 64-bit arches use RELA; i386 and arm use REL
  const [absPtr, abs32, rel32] = RELOCS[machine]!;
  const ptrType = spec.relative ? rel32 : absPtr;
  const crcMode = spec.crcs ?? 'immediate';
  const strings = ksymtabStrings(spec.exports);

  // Section indexes (0 is the null section): fixed order below.
  const sections: SectionSpec[] = [];
  const add = (s: SectionSpec) => sections.push(s); // the new section's index (1-based: 0 is null)
  const textIdx = add({ name: '.text', data: new Uint8Array(16 * spec.exports.length) });
  const stringsIdx = add({ name: '__ksymtab_strings', data: strings.data });
  const rodata = new Writer(le);
  for (const e of spec.exports) rodata.u32(e.crc);
  const rodataIdx = add({ name: '.rodata', data: rodata.data });

  // Symbols: 0 null, 1 the section symbol of __ksymtab_strings, then per export its function and __crc_.
  const syms: { name: string; value: bigint; shndx: number; info: number }[] = [
    { name: '', value: 0n, shndx: 0, info: 0 },
    { name: '', value: 0n, shndx: stringsIdx, info: 3 },
  ];
  const symIndex = new Map<string, number>();
  spec.exports.forEach((e, i) => {
    symIndex.set(e.symbol, syms.length);
    syms.push({ name: e.symbol, value: BigInt(i * 16), shndx: textIdx, info: 0x12 });
    symIndex.set(`__crc_${e.symbol}`, syms.length);
    const crcSym =
      crcMode === 'rel-crcs'
        ? { value: BigInt(i * 4), shndx: rodataIdx }
        : { value: BigInt(e.crc), shndx: 0xfff1 };
    syms.push({ name: `__crc_${e.symbol}`, ...crcSym, info: 0x10 });
  });

  const relocSections: { target: number; entries: [number, number, number, number][] }[] = [];
  for (const t of tables(spec.exports)) {
    const tab = new Writer(le);
    const relocs: [number, number, number, number][] = []; // offset, symbol, type, addend
    t.list.forEach((e, i) => {
      const at = i * entry;
      relocs.push([at, symIndex.get(e.symbol)!, ptrType, 0]);
      relocs.push([at + field, 1, ptrType, strings.name.get(e.symbol)!]);
      if (spec.fields === 3) relocs.push([at + 2 * field, 1, ptrType, strings.ns.get(e.symbol)!]);
    });
    // REL keeps the addend in the field itself; RELA leaves the field zero.
    const inPlace = new Map(relocs.map(([o, , , a]) => [o, a]));
    for (let o = 0; o < t.list.length * entry; o += field)
      tab.word(BigInt(rela ? 0 : (inPlace.get(o) ?? 0)), field);
    const tabIdx = add({ name: `__ksymtab${t.suffix}`, data: tab.data });
    relocSections.push({ target: tabIdx, entries: relocs });

    if (crcMode === 'none') continue;
    const crcs = new Writer(le);
    for (const e of t.list) crcs.u32(crcMode === 'immediate' ? e.crc : 0);
    const crcIdx = add({ name: `__kcrctab${t.suffix}`, data: crcs.data });
    if (crcMode !== 'immediate') {
      const type = crcMode === 'rel-crcs' ? rel32 : abs32;
      relocSections.push({
        target: crcIdx,
        entries: t.list.map((e, i) => [i * 4, symIndex.get(`__crc_${e.symbol}`)!, type, 0]),
      });
    }
  }

  const strtab: number[] = [0];
  const symtab = new Writer(le);
  for (const s of syms) {
    const nameOff = s.name === '' ? 0 : strtab.length;
    if (s.name !== '') strtab.push(...Buffer.from(s.name), 0);
    if (is64) {
      symtab.u32(nameOff);
      symtab.u8(s.info);
      symtab.u8(0);
      symtab.u16(s.shndx);
      symtab.u64(s.value);
      symtab.u64(0n);
    } else {
      symtab.u32(nameOff);
      symtab.u32(Number(s.value));
      symtab.u32(0);
      symtab.u8(s.info);
      symtab.u8(0);
      symtab.u16(s.shndx);
    }
  }
  const symtabIdx = sections.length + 1;
  add({ name: '.symtab', data: symtab.data, type: 2, link: symtabIdx + 1, entsize: is64 ? 24 : 16 });
  add({ name: '.strtab', data: Uint8Array.from(strtab), type: 3 });
  for (const r of relocSections) {
    const w = new Writer(le);
    for (const [offset, sym, type, addend] of r.entries) {
      if (is64) {
        w.u64(BigInt(offset));
        w.u64((BigInt(sym) << 32n) | BigInt(type));
        w.u64(BigInt(addend));
      } else {
        w.u32(offset);
        w.u32(((sym << 8) | type) >>> 0);
        if (rela) w.u32(addend);
      }
    }
    add({
      name: `${rela ? '.rela' : '.rel'}${sections[r.target - 1]!.name}`,
      data: w.data,
      type: rela ? 4 : 9,
      link: symtabIdx,
      info: r.target,
    });
  }
  return buildElf({ is64, littleEndian: le, machine, sections });
}

/** A linked vmlinux (ET_EXEC) exporting `spec.exports`: every field resolved at the section addresses. */
export function ksymtabVmlinux(spec: BuildSpec): Uint8Array {
  const { is64, littleEndian: le, machine } = spec;
  const field = spec.relative ? 4 : is64 ? 8 : 4;
  const entry = field * spec.fields;
  const base = is64 ? 0xffffffff81000000n : 0xc1000000n;
  const strings = ksymtabStrings(spec.exports);
  const textAddr = base;
  const stringsAddr = base + 0x200000n;
  const sections: SectionSpec[] = [
    { name: '.text', data: new Uint8Array(16 * spec.exports.length), addr: textAddr },
    { name: '__ksymtab_strings', data: strings.data, addr: stringsAddr },
  ];
  let tabAddr = base + 0x100000n;
  for (const t of tables(spec.exports)) {
    const tab = new Writer(le);
    t.list.forEach((e, i) => {
      const at = tabAddr + BigInt(i * entry);
      const targets = [
        textAddr + BigInt(16 * spec.exports.indexOf(e)),
        stringsAddr + BigInt(strings.name.get(e.symbol)!),
        stringsAddr + BigInt(strings.ns.get(e.symbol)!),
      ].slice(0, spec.fields);
      targets.forEach((target, f) => {
        if (spec.relative) tab.u32(Number(BigInt.asUintN(32, target - (at + BigInt(f * field)))));
        else tab.word(target, field);
      });
    });
    sections.push({ name: `__ksymtab${t.suffix}`, data: tab.data, addr: tabAddr });
    tabAddr += 0x10000n;
    if (spec.crcs === 'none') continue;
    const crcs = new Writer(le);
    for (const e of t.list) crcs.u32(e.crc);
    sections.push({ name: `__kcrctab${t.suffix}`, data: crcs.data, addr: tabAddr + 0x8000n });
  }
  return buildElf({ is64, littleEndian: le, machine, type: 2, sections });
}
