// Builds small ELF files for tests of layouts the real fixtures do not cover (32-bit, big-endian).
export interface SectionSpec {
  name: string;
  data: Uint8Array;
  type?: number;
  link?: number;
  info?: number;
  entsize?: number;
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
      v.setBigUint64(h + 24, BigInt(offsets[i]!), le);
      v.setBigUint64(h + 32, BigInt(b.length), le);
      v.setUint32(h + 40, spec?.link ?? 0, le);
      v.setUint32(h + 44, spec?.info ?? 0, le);
      v.setBigUint64(h + 56, BigInt(spec?.entsize ?? 0), le);
    } else {
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
