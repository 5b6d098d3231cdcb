// Synthetic raw kernel images for the offline tests: an arm64 `Image` and an s390 boot image whose
// export tables are laid out as include/asm-generic/vmlinux.lds.h lays them out (__ksymtab,
// __ksymtab_gpl, __kcrctab, __kcrctab_gpl, __ksymtab_strings, back to back), with look-alike tables
// before them that a locator must not take: an unsorted one and a few stray entries right before the
// real __ksymtab. The real headers (test/fixtures/images/*.head.xz) can be put in front.
import { xzSync } from 'node-liblzma';

export interface SyntheticExport {
  symbol: string;
  crc: number;
  gpl: boolean;
  namespace?: string;
}

export interface TableOptions {
  fields: 'prel32' | 'pointer';
  littleEndian: boolean;
  /** Link address of the blob's first byte (pointer tables). */
  base?: bigint;
  /** Leave out __kcrctab (a kernel built without CONFIG_MODVERSIONS). */
  noCrcs?: boolean;
  /** Leave out the look-alike tables. */
  noDecoys?: boolean;
}

/** A few hundred exports in two sections, with namespaces, as a kernel has them. */
export function syntheticExports(count = 120): SyntheticExport[] {
  const out: SyntheticExport[] = [];
  for (let i = 0; i < count; i++) {
    const gpl = i % 3 === 0;
    out.push({
      symbol: `${gpl ? 'gpl' : 'sym'}_${i.toString(36).padStart(3, '0')}_${'x'.repeat(i % 7)}`,
      crc: (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0,
      gpl,
      ...(i % 11 === 0 ? { namespace: 'USB_STORAGE' } : {}),
    });
  }
  // The first non-GPL name must sort after the last GPL one's start, as in real kernels.
  out.push({ symbol: 'zz_last_plain', crc: 0x12345678, gpl: false });
  out.push({ symbol: 'I_BDEV', crc: 0x1ad20b7c, gpl: false });
  out.push({ symbol: '__gpl_first', crc: 0xabcdef01, gpl: true });
  return out;
}

/** The blob the export table lives in: decoys, __ksymtab ... __ksymtab_strings, then padding. */
export function buildKsymtabBlob(exports: SyntheticExport[], opts: TableOptions): Buffer {
  const field = opts.fields === 'prel32' ? 4 : 8;
  const entry = 3 * field;
  const base = opts.base ?? 0n;
  const plain = exports.filter((e) => !e.gpl).sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const gpl = exports.filter((e) => e.gpl).sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const ordered = [...plain, ...gpl];
  const n = ordered.length;

  // Strings: each name, then its namespace (entries without one carry 0 in the namespace field).
  const strings: Buffer[] = [];
  const nameAt: number[] = [];
  const nsAt: (number | null)[] = [];
  let size = 0;
  for (const e of ordered) {
    nameAt.push(size);
    strings.push(Buffer.from(`${e.symbol}\0`, 'latin1'));
    size += e.symbol.length + 1;
    if (e.namespace) {
      nsAt.push(size);
      strings.push(Buffer.from(`${e.namespace}\0`, 'latin1'));
      size += e.namespace.length + 1;
    } else nsAt.push(null);
  }
  const stringBytes = Buffer.concat(strings);

  // Decoys: an unsorted table of entries pointing at its own strings, then stray entries right before
  // __ksymtab that point into the real strings.
  const decoyNames = ['zeta', 'alpha', 'omega', 'beta', 'kappa', 'delta'];
  const decoyCount = opts.noDecoys ? 0 : 40;
  const decoyStrings = Buffer.from(decoyNames.map((s) => `${s}\0`).join(''), 'latin1');
  const strays = opts.noDecoys ? 0 : 2;
  const prefix = 4096;
  const decoyAt = prefix;
  const decoyStringsAt = decoyAt + decoyCount * entry;
  const tabAt = align(decoyStringsAt + decoyStrings.length + 64, 8) + strays * entry;
  const crcAt = tabAt + n * entry;
  const stringsAt = crcAt + (opts.noCrcs ? 0 : 4 * n);
  const total = stringsAt + stringBytes.length + 4096;
  const b = Buffer.alloc(total);

  const writeField = (at: number, target: number | null) => {
    if (opts.fields === 'prel32') {
      const rel = target === null ? 0 : target - at;
      if (opts.littleEndian) b.writeInt32LE(rel, at);
      else b.writeInt32BE(rel, at);
    } else {
      const v = target === null ? 0n : base + BigInt(target);
      if (opts.littleEndian) b.writeBigUInt64LE(v, at);
      else b.writeBigUInt64BE(v, at);
    }
  };
  const writeEntry = (at: number, value: number, name: number, ns: number | null) => {
    writeField(at, value);
    writeField(at + field, name);
    writeField(at + 2 * field, ns);
  };

  let s = 0;
  const decoyOffsets = decoyNames.map((name) => {
    const at = s;
    s += name.length + 1;
    return at;
  });
  decoyStrings.copy(b, decoyStringsAt);
  for (let i = 0; i < decoyCount; i++) {
    writeEntry(decoyAt + i * entry, 64, decoyStringsAt + decoyOffsets[i % decoyNames.length]!, null);
  }
  for (let i = 0; i < strays; i++) {
    writeEntry(tabAt - (strays - i) * entry, 64, stringsAt + nameAt[n - 1 - i]!, null);
  }
  for (let i = 0; i < n; i++) {
    const ns = nsAt[i] ?? null;
    writeEntry(tabAt + i * entry, 64 + i, stringsAt + nameAt[i]!, ns === null ? null : stringsAt + ns);
    if (!opts.noCrcs) {
      if (opts.littleEndian) b.writeUInt32LE(ordered[i]!.crc, crcAt + 4 * i);
      else b.writeUInt32BE(ordered[i]!.crc, crcAt + 4 * i);
    }
  }
  stringBytes.copy(b, stringsAt);
  // Something that reads like a kernel's own, for the banner reader.
  Buffer.from('Linux version 6.1.0-synthetic (synthetic@example) #1 SMP\n\0', 'latin1').copy(b, 256);
  return b;
}

/** An arm64 Image: the 64-byte header (or a real one), then the table blob. */
export function buildArm64Image(blob: Buffer, header?: Buffer): Buffer {
  const image = Buffer.from(blob);
  if (header) header.subarray(0, 64).copy(image, 0);
  else {
    image.fill(0, 0, 64);
    image.writeUInt32LE(0x14000000, 0); // b .
    image.writeBigUInt64LE(BigInt(image.length), 0x10);
    image.writeBigUInt64LE(0x0an, 0x18); // little-endian, 4K pages, anywhere
    image.write('ARM\x64', 0x38, 'latin1');
  }
  return image;
}

/**
 * An s390 boot image: the IPL PSW and CCWs (or a real image's first bytes), a decoy xz header as the
 * decompressor's own code holds one, then the kernel xz-compressed and its size as a LE u32.
 */
export function buildS390Image(kernel: Buffer, head?: Buffer): Buffer {
  const start =
    head ??
    Buffer.concat([
      Buffer.from('0008000080000200', 'hex'),
      Buffer.from('0200001860000050020000686000005040404040404040404040404040404040', 'hex'),
      Buffer.alloc(64),
    ]);
  const decoy = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 1, 2, 3]);
  const payload = xzSync(kernel, { check: 1 });
  const size = Buffer.alloc(4);
  size.writeUInt32LE(kernel.length);
  const pad = Buffer.alloc((4 - ((start.length + decoy.length) % 4)) % 4);
  return Buffer.concat([start, decoy, pad, payload, size, Buffer.alloc(512)]);
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
