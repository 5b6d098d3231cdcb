// Builds small ELF files for tests of layouts the real fixtures do not cover (32-bit, big-endian).
export interface SectionSpec {
  name: string;
  data: Uint8Array;
  type?: number;
  link?: number;
  info?: number;
  entsize?: number;
  /** sh_addr: where a vmlinux loads the section (0 in a .ko). */
  addr?: bigint;
}

export function buildElf(opts: {
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  type?: number;
  sections: SectionSpec[];
}): Uint8Array {
  const { is64, littleEndian: le } = opts;
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const names = ['', ...opts.sections.map((s) => s.name), '.shstrtab'];
  const shstr: number[] = [];
  const nameOff = names.map((n) => {
    const off = shstr.length;
    shstr.push(...Buffer.from(n), 0);
    return off;
  });
  const bodies = [...opts.sections.map((s) => s.data), Uint8Array.from(shstr)];
  const offsets: number[] = [];
  let pos = ehsize;
  for (const b of bodies) {
    pos = (pos + 7) & ~7;
    offsets.push(pos);
    pos += b.length;
  }
  const shoff = (pos + 7) & ~7;
  const count = bodies.length + 1;
  const buf = new Uint8Array(shoff + count * shentsize);
  const v = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  v.setUint16(16, opts.type ?? 1, le);
  v.setUint16(18, opts.machine, le);
  v.setUint32(20, 1, le);
  if (is64) {
    v.setBigUint64(40, BigInt(shoff), le);
    v.setUint16(52, ehsize, le);
    v.setUint16(58, shentsize, le);
    v.setUint16(60, count, le);
    v.setUint16(62, count - 1, le);
  } else {
    v.setUint32(32, shoff, le);
    v.setUint16(40, ehsize, le);
    v.setUint16(46, shentsize, le);
    v.setUint16(48, count, le);
    v.setUint16(50, count - 1, le);
  }
  bodies.forEach((b, i) => {
    buf.set(b, offsets[i]!);
    const spec = opts.sections[i];
    const h = shoff + (i + 1) * shentsize;
    v.setUint32(h, nameOff[i + 1]!, le);
    v.setUint32(h + 4, spec?.type ?? (spec ? 1 : 3), le);
    if (is64) {
      v.setBigUint64(h + 16, spec?.addr ?? 0n, le);
      v.setBigUint64(h + 24, BigInt(offsets[i]!), le);
      v.setBigUint64(h + 32, BigInt(b.length), le);
      v.setUint32(h + 40, spec?.link ?? 0, le);
      v.setUint32(h + 44, spec?.info ?? 0, le);
      v.setBigUint64(h + 56, BigInt(spec?.entsize ?? 0), le);
    } else {
      v.setUint32(h + 12, Number(spec?.addr ?? 0n), le);
      v.setUint32(h + 16, offsets[i]!, le);
      v.setUint32(h + 20, b.length, le);
      v.setUint32(h + 24, spec?.link ?? 0, le);
      v.setUint32(h + 28, spec?.info ?? 0, le);
      v.setUint32(h + 36, spec?.entsize ?? 0, le);
    }
  });
  return buf;
}

/** `__versions` records: CRC word + NUL-padded name, 64 bytes each. */
export function versionsSection(
  entries: [number, string][],
  is64: boolean,
  littleEndian: boolean,
): Uint8Array {
  const buf = new Uint8Array(entries.length * 64);
  const v = new DataView(buf.buffer);
  entries.forEach(([crc, name], i) => {
    if (is64) v.setBigUint64(i * 64, BigInt(crc), littleEndian);
    else v.setUint32(i * 64, crc, littleEndian);
    buf.set(Buffer.from(name), i * 64 + (is64 ? 8 : 4));
  });
  return buf;
}

export function modinfoSection(entries: string[]): Uint8Array {
  return Buffer.from(`${entries.join('\0')}\0`);
}

/** An export of a built module: in `__ksymtab` (or `__ksymtab_gpl`), its CRC in the parallel `__kcrctab`. */
export interface KmodExport {
  symbol: string;
  crc: number;
  gpl?: boolean;
  namespace?: string;
}

/**
 * An x86_64 out-of-tree module as kbuild leaves it (ET_REL): `.modinfo`, `__versions` and, for its
 * exports, the PREL32 ksymtab whose name and namespace fields are relocations against
 * `__ksymtab_strings`, as readKsymtab reads a real .ko.
 */
export function kmodElf(spec: {
  modinfo: string[];
  versions: [number, string][];
  exports?: KmodExport[];
}): Uint8Array {
  const sections: SectionSpec[] = [
    { name: '.modinfo', data: modinfoSection(spec.modinfo) },
    { name: '__versions', data: versionsSection(spec.versions, true, true) },
  ];
  const exports = spec.exports ?? [];
  if (exports.length === 0) return buildElf({ is64: true, littleEndian: true, machine: 62, sections });
  const strings: number[] = [];
  const at = (s: string) => {
    const off = strings.length;
    strings.push(...Buffer.from(s), 0);
    return off;
  };
  const tables = [false, true].map((gpl) => exports.filter((e) => (e.gpl ?? false) === gpl));
  const rela: { tab: number; entries: [number, number][] }[] = [];
  tables.forEach((list, t) => {
    if (list.length === 0) return;
    const tab = sections.length + 1;
    const suffix = t === 1 ? '_gpl' : '';
    const crcs = Buffer.alloc(list.length * 4);
    for (const [i, e] of list.entries()) crcs.writeUInt32LE(e.crc, i * 4);
    sections.push({ name: `__ksymtab${suffix}`, data: new Uint8Array(list.length * 12) });
    sections.push({ name: `__kcrctab${suffix}`, data: crcs });
    const entries: [number, number][] = [];
    list.forEach((e, i) => {
      entries.push([i * 12 + 4, at(e.symbol)]);
      if (e.namespace) entries.push([i * 12 + 8, at(e.namespace)]);
    });
    rela.push({ tab, entries });
  });
  const stringsIndex = sections.length + 1;
  sections.push({ name: '__ksymtab_strings', data: Uint8Array.from(strings) });
  // Symbol 1: the section symbol of __ksymtab_strings (STT_SECTION), which every relocation names.
  const symtab = Buffer.alloc(48);
  symtab.writeUInt8(3, 24 + 4);
  symtab.writeUInt16LE(stringsIndex, 24 + 6);
  const symtabIndex = sections.length + 1;
  sections.push({ name: '.symtab', data: symtab, type: 2, link: symtabIndex + 1, entsize: 24 });
  sections.push({ name: '.strtab', data: Uint8Array.of(0), type: 3 });
  for (const r of rela) {
    const data = Buffer.alloc(r.entries.length * 24);
    r.entries.forEach(([offset, addend], i) => {
      data.writeBigUInt64LE(BigInt(offset), i * 24);
      data.writeBigUInt64LE((1n << 32n) | 2n, i * 24 + 8);
      data.writeBigInt64LE(BigInt(addend), i * 24 + 16);
    });
    sections.push({
      name: `.rela${sections[r.tab - 1]!.name}`,
      data,
      type: 4,
      link: symtabIndex,
      info: r.tab,
    });
  }
  return buildElf({ is64: true, littleEndian: true, machine: 62, sections });
}
