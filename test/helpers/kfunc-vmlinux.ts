// A minimal vmlinux ELF for kfunc tests: .BTF, .BTF_ids loaded at a kernel address, and a symbol table
// with the __BTF_ID__ symbols that delimit the sets (or none, as in a stripped vmlinuz payload).
import { type BtfRecord, buildBtf } from './btf-builder.js';
import { INT } from './btf-types.js';
import { buildElf, type SectionSpec } from './elf-builder.js';

export const KERNEL_BTF_IDS_ADDR = 0xffffffff828e5ad0n;

/**
 * The types every kfunc test starts from, ids 1 to 7: 1 int, 2 struct task_struct, 3 ptr → 2,
 * 4 proto (p) → ptr, 5 bpf_task_acquire, 6 proto (p) → void, 7 bpf_task_release. Tests append their own.
 */
export const TASK_KFUNC_TYPES: readonly BtfRecord[] = [
  INT,
  { kind: 'struct', name: 'task_struct', size: 8, members: [] },
  { kind: 'ptr', name: '', type: 2 },
  { kind: 'func_proto', name: '', type: 3, params: [{ name: 'p', type: 3 }], variadic: false },
  { kind: 'func', name: 'bpf_task_acquire', type: 4, linkage: 'global' },
  { kind: 'func_proto', name: '', type: 0, params: [{ name: 'p', type: 3 }], variadic: false },
  { kind: 'func', name: 'bpf_task_release', type: 6, linkage: 'global' },
];

export interface SymbolSpec {
  name: string;
  /** Offset in .BTF_ids. */
  offset: number;
  size?: number;
}

/** .BTF_ids words in the given byte order. */
export function btfIdsWords(ws: number[], littleEndian = true): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const v = new DataView(b.buffer);
  for (const [i, w] of ws.entries()) v.setUint32(i * 4, w >>> 0, littleEndian);
  return b;
}

function symtab(symbols: { name: number; value: bigint; size: number; shndx: number }[]): Uint8Array {
  const b = new Uint8Array((symbols.length + 1) * 24);
  const v = new DataView(b.buffer);
  for (const [i, s] of symbols.entries()) {
    const o = (i + 1) * 24;
    v.setUint32(o, s.name, true);
    v.setUint16(o + 6, s.shndx, true);
    v.setBigUint64(o + 8, s.value, true);
    v.setBigUint64(o + 16, BigInt(s.size), true);
  }
  return b;
}

/** A little-endian x86-64 vmlinux; `symbols: null` leaves out the symbol table. */
export function kfuncVmlinux(
  types: BtfRecord[],
  btfIds: Uint8Array,
  symbols: SymbolSpec[] | null,
): Uint8Array {
  const sections: SectionSpec[] = [
    { name: '.BTF', data: buildBtf(types) },
    { name: '.BTF_ids', data: btfIds },
  ];
  if (symbols) {
    const names = ['', ...symbols.map((s) => s.name)];
    const offsets = names.map((_, i) => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0));
    const syms = symbols.map((s, i) => ({
      name: offsets[i + 1]!,
      value: KERNEL_BTF_IDS_ADDR + BigInt(s.offset),
      size: s.size ?? 4,
      shndx: 2,
    }));
    sections.push(
      { name: '.symtab', data: symtab(syms), type: 2, link: 4, entsize: 24 },
      { name: '.strtab', data: Buffer.from(`${names.join('\0')}\0`, 'latin1'), type: 3 },
    );
  }
  const elf = buildElf({ is64: true, littleEndian: true, machine: 62, type: 2, sections });
  // sh_addr of .BTF_ids (section 2): buildElf leaves addresses 0.
  const v = new DataView(elf.buffer, elf.byteOffset);
  const shoff = Number(v.getBigUint64(40, true));
  v.setBigUint64(shoff + 2 * 64 + 16, KERNEL_BTF_IDS_ADDR, true);
  return elf;
}
