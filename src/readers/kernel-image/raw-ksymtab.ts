// The export table of a raw kernel image: an arm64 `Image` or the kernel an s390 `image` decompresses to.
// Such an image is vmlinux as `objcopy -O binary` leaves it: no ELF header, no section table, no symbols
// (Debian's /boot/System.map is a placeholder pointing at the -dbg package), so the tables are found by
// the layout include/asm-generic/vmlinux.lds.h gives them, which no other data in an image has:
//
//   __ksymtab          struct kernel_symbol[n1], sorted by name (KEEP(*(SORT(___ksymtab+*))))
//   __ksymtab_gpl      struct kernel_symbol[n2], sorted by name
//   __kcrctab          u32[n1]   (CONFIG_MODVERSIONS; 5.19+ the CRC itself, from the linked __crc_ symbols)
//   __kcrctab_gpl      u32[n2]
//   __ksymtab_strings  the names and namespaces the entries point to ("aMS": merged, tails shared)
//
// each output section following the last with no gap (kernel_symbol's alignment divides every size).
// struct kernel_symbol is { value, name, namespace } (the namespace since 5.4): int offsets relative to
// each field with CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (arm64), else pointers (s390, ppc64). A candidate
// is taken only when all of this holds exactly: the strings begin right after the tables (for pointers,
// that fixes the link address), every name and namespace is a NUL-terminated identifier there, the
// names are distinct and make exactly two ascending runs (__ksymtab then __ksymtab_gpl). Anything else
// is an error naming what was met; never an empty or partial table.
import { ArtifactFormatError } from '../../errors.js';
import type { Export, ExportType } from '../../model/export.js';

export interface RawKsymtabLayout {
  /** 'prel32': int32 offsets from each field; 'pointer': absolute addresses of `wordSize` bytes. */
  fields: 'prel32' | 'pointer';
  wordSize: 4 | 8;
  littleEndian: boolean;
}

/** A table found in an image: where it lies, and its exports (module `vmlinux`). */
export interface RawKsymtab {
  exports: Export[];
  /** File offset of __ksymtab's first entry. */
  offset: number;
  entrySize: number;
  /** Counts of __ksymtab and __ksymtab_gpl entries. */
  counts: [number, number];
  /** The link address of the image's first byte (pointer layouts only; 0 for PREL32). */
  base: bigint;
  hasCrcs: boolean;
}

/** Entries shorter than this are not taken for a kernel's export table. */
const MIN_ENTRIES = 16;
/** How many entries at either end of a candidate run may be look-alikes of another table. */
const MAX_TRIM = 8;
const MAX_NAME = 512;
/** prel32Words: the word's target is an identifier in the image; it is in the image, or 0 (none). */
const AS_NAME = 1;
const AS_NS = 2;

/** A run's targets, by entry: the name's and the namespace's, each as its high and low 32 bits. */
interface Targets {
  nameHi: Uint32Array;
  nameLo: Uint32Array;
  nsHi: Uint32Array;
  nsLo: Uint32Array;
  /** 0 where the namespace field points nowhere. */
  hasNs: Uint8Array;
}

interface Candidate {
  start: number;
  count: number;
  fieldCount: 2 | 3;
}

export function findRawKsymtab(bytes: Uint8Array, layout: RawKsymtabLayout, opts: { source: string }) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new Reader(bytes, view, layout);
  const found: RawKsymtab[] = [];
  const met: { count: number; why: string }[] = [];
  for (const fieldCount of [3, 2] as const) {
    for (const run of reader.runs(fieldCount)) {
      const table = reader.validate(run, met);
      if (table) found.push(table);
    }
  }
  const what = `${layout.fields === 'prel32' ? 'PREL32' : `${layout.wordSize * 8}-bit pointer`} kernel_symbol entries (${layout.littleEndian ? 'little' : 'big'}-endian)`;
  if (found.length === 0) {
    // The longest runs are the likeliest to have been the table.
    met.sort((a, b) => b.count - a.count);
    const seen =
      met.length === 0
        ? 'no run of such entries at all'
        : met
            .slice(0, 3)
            .map((m) => m.why)
            .join('; ');
    throw new ArtifactFormatError(
      `no export table found: looked for __ksymtab/__ksymtab_gpl of ${what} followed by __kcrctab and __ksymtab_strings, and met ${seen}`,
      { source: opts.source },
    );
  }
  if (found.length > 1) {
    throw new ArtifactFormatError(
      `${found.length} candidate export tables (at ${found.map((f) => `0x${f.offset.toString(16)}`).join(', ')}); refusing to guess`,
      { source: opts.source },
    );
  }
  return found[0]!;
}

export class Reader {
  readonly fieldSize: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
    readonly layout: RawKsymtabLayout,
  ) {
    this.fieldSize = layout.fields === 'prel32' ? 4 : layout.wordSize;
  }

  /**
   * A PREL32 field's target, the file offset at + rel (a number: it may be negative); null for an offset of
   * 0 (the field itself), which is how an entry says it has no namespace.
   */
  private offset(at: number): number | null {
    const rel = this.view.getInt32(at, this.layout.littleEndian);
    return rel === 0 ? null : at + rel;
  }

  /**
   * A pointer field's address as its two 32-bit halves, left in `hi` and `lo` (a 32-bit pointer: high 0);
   * false for a pointer of 0, which points nowhere. Halves, not a BigInt: the scan reads every word of an
   * 18 MiB kernel five times, and a BigInt each was most of a package's read. A difference of two words
   * is (high − high) × 2^32 + (low − low), exact in a double while it matters (|high − high| ≤ 1 for any
   * difference below 2^32, and an image is smaller).
   */
  private pointer(at: number): boolean {
    const { view } = this;
    const le = this.layout.littleEndian;
    if (this.layout.wordSize === 8) {
      this.hi = view.getUint32(le ? at + 4 : at, le);
      this.lo = view.getUint32(le ? at : at + 4, le);
    } else {
      this.hi = 0;
      this.lo = view.getUint32(at, le);
    }
    return this.hi !== 0 || this.lo !== 0;
  }
  private hi = 0;
  private lo = 0;

  /** Maximal runs of entries whose name (and namespace) fields could point into the image. */
  *runs(fieldCount: 2 | 3): Generator<Candidate> {
    const entry = fieldCount * this.fieldSize;
    const align = this.fieldSize;
    const len = this.bytes.length;
    const words = this.layout.fields === 'prel32' ? this.prel32Words() : null;
    for (let phase = 0; phase < entry; phase += align) {
      let start = -1;
      let count = 0;
      for (let o = phase; o + entry <= len; o += entry) {
        const fits =
          words === null
            ? this.plausible(o, fieldCount, start)
            : (words[(o >>> 2) + 1]! & AS_NAME) !== 0 &&
              (fieldCount === 2 || (words[(o >>> 2) + 2]! & AS_NS) !== 0);
        if (fits) {
          if (start < 0) start = o;
          count++;
          continue;
        }
        if (count >= MIN_ENTRIES) yield { start, count, fieldCount };
        start = -1;
        count = 0;
      }
      if (count >= MIN_ENTRIES) yield { start, count, fieldCount };
    }
  }

  /**
   * What each 4-byte word could be as a PREL32 field (AS_NAME, AS_NS), judged once: the five scans (two
   * entry sizes, each at every phase) meet every word as a field, and a 33 MB arm64 Image is 8 million.
   * Offsets are file offsets already: a name must land on an identifier in the image, a namespace in it
   * (an offset of 0 is no namespace: the entry's name stands in for it).
   */
  private prel32Words(): Uint8Array {
    if (this.words) return this.words;
    const limit = this.bytes.length;
    const words = new Uint8Array(limit >> 2);
    for (let w = 0; w < words.length; w++) {
      const at = this.offset(w * 4);
      if (at === null) words[w] = AS_NS;
      else if (at >= 0 && at < limit) words[w] = this.identifierEnd(at) === -1 ? AS_NS : AS_NAME | AS_NS;
    }
    this.words = words;
    return words;
  }
  private words: Uint8Array | null = null;

  /**
   * Whether the entry at `o` could be a kernel_symbol of pointers; `first`: the offset of its run's first
   * entry (-1 when it would be the first), whose name anchors the table's window.
   */
  private plausible(o: number, fieldCount: 2 | 3, first: number): boolean {
    const f = this.fieldSize;
    const limit = this.bytes.length;
    // All of one table's strings lie within one image-sized window.
    if (!this.pointer(o + f)) return false;
    const { hi, lo } = this;
    // A namespace of 0 is none: the name stands in for it.
    if (
      fieldCount === 3 &&
      this.pointer(o + 2 * f) &&
      Math.abs((hi - this.hi) * 2 ** 32 + (lo - this.lo)) >= limit
    )
      return false;
    if (first < 0) return true;
    this.pointer(first + f);
    return Math.abs((hi - this.hi) * 2 ** 32 + (lo - this.lo)) < limit;
  }

  /** The identifier (`[A-Za-z0-9_.$]*`) NUL-terminated at `at`, or null. */
  identifier(at: number): string | null {
    const end = this.identifierEnd(at);
    return end === -1
      ? null
      : Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, end - at).toString('latin1');
  }

  /**
   * Where the identifier at `at` ends (its NUL), or -1 if there is none. The scan asks this of every
   * plausible entry of a 33 MB arm64 Image five times over: a string made each time was half its read.
   */
  private identifierEnd(at: number): number {
    const b = this.bytes;
    const stop = Math.min(b.length, at + MAX_NAME + 1);
    for (let e = at; e < stop; e++) {
      const c = b[e]!;
      if (c === 0) return e;
      const word =
        (c >= 0x30 && c <= 0x39) ||
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        c === 0x5f ||
        c === 0x2e ||
        c === 0x24;
      if (!word) return -1;
    }
    return -1;
  }

  /**
   * A run's name and namespace targets as 32-bit halves (PREL32 and 32-bit pointers: a high half of 0), read
   * once per run: the look-alike runs of an s390 kernel are 170,000 entries long, and a BigInt (and an
   * object) per target was most of their cost.
   */
  private targetsOf(run: Candidate): Targets {
    const n = run.count;
    const t: Targets = {
      nameHi: new Uint32Array(n),
      nameLo: new Uint32Array(n),
      nsHi: new Uint32Array(n),
      nsLo: new Uint32Array(n),
      hasNs: new Uint8Array(n),
    };
    const entry = run.fieldCount * this.fieldSize;
    for (let i = 0; i < n; i++) {
      const o = run.start + i * entry;
      this.halves(o + this.fieldSize, t.nameHi, t.nameLo, i);
      if (run.fieldCount === 3) t.hasNs[i] = this.halves(o + 2 * this.fieldSize, t.nsHi, t.nsLo, i) ? 1 : 0;
    }
    return t;
  }

  /** A field's target into hi[i] and lo[i] (PREL32: high 0); false where it points nowhere. */
  private halves(at: number, hi: Uint32Array, lo: Uint32Array, i: number): boolean {
    if (this.layout.fields === 'prel32') {
      // Within a run every target is an offset into the image (plausible): 0 ≤ at + rel < 2^32.
      const t = this.offset(at);
      hi[i] = 0;
      lo[i] = t ?? 0;
      return t !== null;
    }
    const ok = this.pointer(at);
    hi[i] = this.hi;
    lo[i] = this.lo;
    return ok;
  }

  /** The table the run holds, trimmed of look-alike entries at its ends, or null (noting why in `met`). */
  validate(run: Candidate, met: { count: number; why: string }[]): RawKsymtab | null {
    const entry = run.fieldCount * this.fieldSize;
    const t = this.targetsOf(run);
    let why = '';
    let deeper = false;
    // Every trim keeps the entries between the longest head and the longest tail trimmed: their smallest
    // target is found once, not once per trim (runs of look-alikes are 170,000 entries long in an s390
    // kernel, and each was scanned 234 times). The smallest is kept as its two halves.
    const maxHead = Math.min(MAX_TRIM, run.count - MIN_ENTRIES);
    const maxTail = Math.min(2 * MAX_TRIM, run.count - MIN_ENTRIES);
    let minHi = 0;
    let minLo = 0;
    const minOf = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        if (t.nameHi[i]! < minHi || (t.nameHi[i] === minHi && t.nameLo[i]! < minLo)) {
          minHi = t.nameHi[i]!;
          minLo = t.nameLo[i]!;
        }
        if (t.hasNs[i] === 1 && (t.nsHi[i]! < minHi || (t.nsHi[i] === minHi && t.nsLo[i]! < minLo))) {
          minHi = t.nsHi[i]!;
          minLo = t.nsLo[i]!;
        }
      }
    };
    minHi = t.nameHi[maxHead]!;
    minLo = t.nameLo[maxHead]!;
    minOf(maxHead, run.count - maxTail);
    const [middleHi, middleLo] = [minHi, minLo];
    for (let head = 0; head <= maxHead; head++) {
      for (let tail = 0; head + tail <= maxTail; tail++) {
        const n = run.count - head - tail;
        const start = run.start + head * entry;
        minHi = middleHi;
        minLo = middleLo;
        minOf(head, maxHead);
        minOf(run.count - maxTail, run.count - tail);
        const min = (BigInt(minHi) << 32n) | BigInt(minLo);
        for (const hasCrcs of [true, false]) {
          const stringsAt = start + n * entry + (hasCrcs ? 4 * n : 0);
          // PREL32 targets are file offsets and must meet the strings exactly; a pointer table's
          // smallest target is where the strings begin, which gives the link address.
          const base = this.layout.fields === 'prel32' ? 0n : min - BigInt(stringsAt);
          if (this.layout.fields === 'prel32' && min !== BigInt(stringsAt)) {
            why ||= `${run.count} entries at 0x${run.start.toString(16)} whose strings do not follow their tables`;
            continue;
          }
          const from = { head, minHi, minLo };
          const result = this.read(start, n, run.fieldCount, stringsAt, base, hasCrcs, t, from);
          if (typeof result === 'string') {
            // A table whose strings follow it got further than one whose do not: say what stopped it.
            if (!deeper) why = `${n} entries at 0x${start.toString(16)}: ${result}`;
            deeper = true;
            continue;
          }
          return result;
        }
      }
    }
    met.push({ count: run.count, why });
    return null;
  }

  private read(
    start: number,
    n: number,
    fieldCount: 2 | 3,
    stringsAt: number,
    base: bigint,
    hasCrcs: boolean,
    t: Targets,
    /** Entry i of the table is entry head + i of the run; min: the smallest of its targets, as halves. */
    { head, minHi, minLo }: { head: number; minHi: number; minLo: number },
  ): RawKsymtab | string {
    const len = this.bytes.length;
    const names: string[] = [];
    const namespaces: string[] = [];
    // A target's file offset, target − base = stringsAt + (target − min): no target of the table is below
    // min, and (high − high) × 2^32 + (low − low) is exact below 2^53, past which it is outside anyway.
    const at = (hi: number, lo: number) => stringsAt + (hi - minHi) * 2 ** 32 + (lo - minLo);
    for (let i = 0; i < n; i++) {
      const k = head + i;
      const name = at(t.nameHi[k]!, t.nameLo[k]!);
      const ns = t.hasNs[k] === 1 ? at(t.nsHi[k]!, t.nsLo[k]!) : -1;
      if (name >= len || ns >= len) return `entry ${i} points outside __ksymtab_strings`;
      const s = this.identifier(name);
      if (s === null || s === '') return `entry ${i}'s name is not an identifier`;
      const space = ns === -1 ? '' : this.identifier(ns);
      if (space === null) return `entry ${i}'s namespace is not an identifier`;
      names.push(s);
      namespaces.push(space);
    }
    const drops: number[] = [];
    for (let i = 1; i < n; i++) {
      if (names[i]! === names[i - 1]!) return `${names[i]} appears twice`;
      if (names[i]! < names[i - 1]!) drops.push(i);
    }
    if (drops.length !== 1) {
      return drops.length === 0
        ? 'names in one ascending run: cannot tell __ksymtab from __ksymtab_gpl'
        : `names not sorted as the linker sorts __ksymtab and __ksymtab_gpl (${drops.length + 1} ascending runs)`;
    }
    const gplFrom = drops[0]!;
    const crcAt = start + n * fieldCount * this.fieldSize;
    const exports: Export[] = names.map((symbol, i) => ({
      symbol,
      crc: hasCrcs ? this.view.getUint32(crcAt + 4 * i, this.layout.littleEndian) : null,
      module: 'vmlinux',
      exportType: (i < gplFrom ? 'EXPORT_SYMBOL' : 'EXPORT_SYMBOL_GPL') as ExportType,
      namespace: namespaces[i]!,
    }));
    return {
      exports,
      offset: start,
      entrySize: fieldCount * this.fieldSize,
      counts: [gplFrom, n - gplFrom],
      base,
      hasCrcs,
    };
  }
}
