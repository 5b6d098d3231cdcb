// A module file's imports read without reading the module: the ELF header, the section header table, the
// section names, `__versions` (or the extended pair) and `.modinfo` (for the module's name) are read into
// a buffer of the file's size, and nothing else. A .ko is ~100 KB, its `__versions` a few KB: for
// `kabi modversions DIR` over 4,022 modules this is the difference between reading 399 MB and ~20 MB.
// The ELF reader sees an ordinary file whose unread parts it never looks at; every range it checks is
// against the real size, so a truncated or lying header is the same typed error as when the whole file is read.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Import } from '../../model/module-image.js';
import { detectCompression } from '../compression.js';
import { ElfFile } from '../elf/elf.js';
import { fsError } from '../file.js';
import { readModversions } from './versions.js';

export interface ModuleVersions {
  source: string;
  name: string;
  modversions: 'versions' | 'extended' | 'none';
  imports: Import[];
}

const WANTED = ['__versions', '__version_ext_crcs', '__version_ext_names', '.modinfo'];

// One buffer for every file, grown to the largest: a fresh file-sized buffer per module cost more than
// the reads. Only the ranges filled for this file are ever read (the ELF reader reads the header, the
// section table, the names and the sections asked for, all filled first); the rest is left as it was.
let scratch: Uint8Array = Buffer.alloc(0);
function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) {
    // Grown with what it holds: the fast path grows it between reads of one file.
    const grown = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2, 1 << 20));
    grown.set(scratch);
    scratch = grown;
  }
  return scratch.subarray(0, size);
}

let scratchView = new DataView(scratch.buffer);
/** The scratch buffer itself, at least `size` bytes (the fast path: no view made per read). */
function scratchAtLeast(size: number): Buffer {
  if (scratch.length < size) scratchOf(size);
  if (scratchView.buffer !== scratch.buffer) scratchView = new DataView(scratch.buffer, scratch.byteOffset);
  return scratch as Buffer;
}

/**
 * The imports of an uncompressed module file, reading only what they need; null when the file is
 * compressed (.ko.xz, .ko.zst, .ko.gz must be decompressed whole: the caller reads it as a module image).
 */
export function readModuleVersionsFile(path: string, source: string, name: string): ModuleVersions | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    throw fsError(source, 'a kernel module', cause);
  }
  try {
    return readCommon(fd, source, name) ?? readAny(fd, source, name);
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes at `offset` into scratch at the same offset; false when the file ends first. */
function readAt(fd: number, bytes: Uint8Array, offset: number, length: number): boolean {
  let at = offset;
  const end = offset + length;
  while (at < end) {
    const n = readSync(fd, bytes, at, end - at, at);
    if (n === 0) return false;
    at += n;
  }
  return true;
}

// Section names the fast path looks for, as bytes with their NUL.
const VERSIONS_NAME = Buffer.from('__versions\0', 'latin1');
const MODINFO_NAME = Buffer.from('.modinfo\0', 'latin1');
const EXT_NAME = Buffer.from('__version_ext_', 'latin1');
/**
 * Offsets the fast path reads below (no fstat: the scratch buffer is sized from the headers' claims, so
 * a claim is bounded first). A .ko is ~100 KB, the largest of a distribution kernel a few MB; a larger
 * file (with debug info) is read by readAny, sized by fstat.
 */
const FAST_LIMIT = 64 << 20;
/** Sections this close together are read in one call rather than two. */
const JOIN_GAP = 64 * 1024;
/** How far before the section table `.shstrtab` is looked for in the same read (it sits just before). */
const TAIL = 16 * 1024;

/**
 * The common case, every module of a distribution kernel: a 64-bit little-endian ET_REL whose section
 * table and names sit at the end, `__versions` and `.modinfo` near each other. Four reads, no fstat, no
 * section objects, no name decoded. Anything else (another class or byte order, extended modversions,
 * a short read, a field the ELF reader would refuse) returns null, and readAny reads the file the general
 * way, with its exact errors: this path only ever answers what readAny would answer.
 */
function readCommon(fd: number, source: string, name: string): ModuleVersions | null {
  let bytes = scratchAtLeast(64);
  if (!readAt(fd, bytes, 0, 64)) return null;
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return null;
  if (bytes[4] !== 2 || bytes[5] !== 1) return null;
  let view = scratchView;
  if (view.getUint16(16, true) !== 1) return null; // ET_REL
  if (view.getUint32(44, true) !== 0) return null; // e_shoff beyond 4 GB
  const shoff = view.getUint32(40, true);
  const count = view.getUint16(60, true);
  const strndx = view.getUint16(62, true);
  if (shoff < 64 || count === 0 || view.getUint16(58, true) !== 64 || strndx >= count) return null;
  const tableEnd = shoff + count * 64;
  if (tableEnd > FAST_LIMIT) return null;
  const tailStart = Math.max(64, shoff - TAIL);
  bytes = scratchAtLeast(tableEnd);
  if (!readAt(fd, bytes, tailStart, tableEnd - tailStart)) return null;
  view = scratchView;
  // Every offset, size and entsize must be a safe integer, as ElfFile.word demands of each section.
  for (let at = shoff; at < tableEnd; at += 64) {
    if (view.getUint32(at + 28, true) > 0x1fffff) return null;
    if (view.getUint32(at + 36, true) > 0x1fffff) return null;
    if (view.getUint32(at + 60, true) > 0x1fffff) return null;
  }
  const str = shoff + strndx * 64;
  const strOffset = view.getUint32(str + 24, true) + view.getUint32(str + 28, true) * 2 ** 32;
  const strSize = view.getUint32(str + 32, true) + view.getUint32(str + 36, true) * 2 ** 32;
  if (view.getUint32(str + 4, true) === 8 || strSize === 0) return null; // NOBITS or empty
  if (strOffset + strSize > FAST_LIMIT) return null;
  if (strOffset < tailStart || strOffset + strSize > shoff) {
    if (strOffset + strSize > tableEnd && strOffset < tableEnd) return null; // overlaps the table
    bytes = scratchAtLeast(Math.max(tableEnd, strOffset + strSize));
    view = scratchView;
    if (!readAt(fd, bytes, strOffset, strSize)) return null;
  }
  // The last name ends within the section: then every name does (ElfFile.cstring's check).
  if (bytes[strOffset + strSize - 1] !== 0) return null;
  let versions = -1;
  let modinfo = -1;
  for (let i = 1, at = shoff + 64; i < count; i++, at += 64) {
    const nameOffset = view.getUint32(at, true);
    if (nameOffset >= strSize) return null;
    const n = strOffset + nameOffset;
    if (versions === -1 && named(bytes, n, VERSIONS_NAME)) versions = at;
    else if (modinfo === -1 && named(bytes, n, MODINFO_NAME)) modinfo = at;
    else if (named(bytes, n, EXT_NAME)) return null; // extended modversions: readAny
  }
  // The wanted sections' contents, in one read when they are close (they are: .modinfo, __versions).
  const spans: [number, number][] = [];
  for (const at of [versions, modinfo]) {
    if (at === -1) continue;
    if (view.getUint32(at + 4, true) === 8) return null; // NOBITS: readAny knows
    // Ranges this path reads lie below FAST_LIMIT; a larger claim is readAny's.
    if (view.getUint32(at + 28, true) !== 0 || view.getUint32(at + 36, true) !== 0) return null;
    const o = view.getUint32(at + 24, true);
    const sz = view.getUint32(at + 32, true);
    if (o + sz > FAST_LIMIT) return null;
    spans.push([o, sz]);
  }
  let need = tableEnd;
  for (const [o, sz] of spans) need = Math.max(need, o + sz);
  bytes = scratchAtLeast(need);
  // Each range lands at its own offset, so a joint read that also covers the table rewrites it unchanged.
  const [a, b] = spans;
  if (a && b && Math.max(a[0] + a[1], b[0] + b[1]) - Math.min(a[0], b[0]) - a[1] - b[1] <= JOIN_GAP) {
    const lo = Math.min(a[0], b[0]);
    if (!readAt(fd, bytes, lo, Math.max(a[0] + a[1], b[0] + b[1]) - lo)) return null;
  } else {
    for (const [o, sz] of spans) if (!readAt(fd, bytes, o, sz)) return null;
  }
  let imports: Import[] = [];
  if (versions !== -1) {
    const [o, s] = spans[0]!;
    const found = importsOf(bytes, scratchView, o, s);
    if (found === null) return null;
    imports = found;
  }
  const info = modinfo === -1 ? undefined : spans.at(-1);
  const own = info ? modinfoName(bytes.subarray(info[0], info[0] + info[1])) : null;
  return { source, name: own ?? name, modversions: versions === -1 ? 'none' : 'versions', imports };
}

/**
 * Whether the NUL-terminated name at `at` starts with `want` (with its NUL: is `want`). Stops at the first
 * difference, at the latest at the name's own NUL, so never reads past the names' section.
 */
function named(bytes: Uint8Array, at: number, want: Uint8Array): boolean {
  for (let i = 0; i < want.length; i++) if (bytes[at + i] !== want[i]) return false;
  return true;
}

/** readVersions' records of a 64-bit little-endian `__versions`; null where readVersions would throw. */
function importsOf(bytes: Uint8Array, view: DataView, offset: number, size: number): Import[] | null {
  if (size % 64 !== 0) return null;
  const out: Import[] = new Array(size / 64);
  for (let i = 0, at = offset; at < offset + size; i++, at += 64) {
    if (view.getUint32(at + 4, true) !== 0) return null; // wider than 32 bits
    const nul = bytes.indexOf(0, at + 8);
    if (nul === -1 || nul >= at + 64) return null;
    out[i] = { symbol: latin1Slice.call(bytes, at + 8, nul), crc: view.getUint32(at, true) };
  }
  return out;
}

/** Buffer's own latin1 decoder, called on the scratch bytes: no Buffer made per name. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (s: number, e: number) => string })
  .latin1Slice;

/** readModuleVersionsFile without its fast path: what the fast path must agree with (tests). */
export function readModuleVersionsFileGeneral(
  path: string,
  source: string,
  name: string,
): ModuleVersions | null {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readAny(fd, source, name);
  } finally {
    closeSync(fd);
  }
}

/** Any module file: the ELF reader over the ranges it needs, each checked against the file's size. */
function readAny(fd: number, source: string, name: string): ModuleVersions | null {
  const size = fstatSync(fd).size;
  const bytes = scratchOf(size);
  const fill = (offset: number, length: number) => {
    const start = Math.max(0, Math.min(offset, size));
    const end = Math.max(start, Math.min(offset + length, size));
    let at = start;
    while (at < end) {
      const n = readSync(fd, bytes, at, end - at, at);
      if (n === 0) break;
      at += n;
    }
  };
  fill(0, 64);
  if (detectCompression(bytes) !== 'none') return null;
  const elf = new ElfFile(bytes, source);
  const h = elf.is64
    ? { shoff: 40, shentsize: 58, shnum: 60, shstrndx: 62, entry: 64, offset: 24, size: 32 }
    : { shoff: 32, shentsize: 46, shnum: 48, shstrndx: 50, entry: 40, offset: 16, size: 20 };
  const shoff = elf.word(h.shoff, 'e_shoff');
  if (shoff !== 0) {
    // No section table (e_shoff 0): the ELF reader finds no sections, and reads nothing more.
    fill(shoff, h.entry); // section 0: holds the count when e_shnum is 0
    const count =
      elf.u16(h.shnum) || (shoff + h.entry <= size ? elf.word(shoff + h.size, 'section count') : 0);
    fill(shoff, count * h.entry);
    // The names' section (its index may also live in section 0, as the ELF reader knows).
    const strndx =
      elf.u16(h.shstrndx) === 0xffff ? elf.u32(shoff + (elf.is64 ? 40 : 24)) : elf.u16(h.shstrndx);
    const strEntry = shoff + strndx * h.entry;
    if (strndx < count && strEntry + h.entry <= size)
      fill(elf.word(strEntry + h.offset, 'sh_offset'), elf.word(strEntry + h.size, 'sh_size'));
  }
  if (elf.type !== 1)
    throw elf.error(`ELF type ${elf.type}: expected a relocatable object (ET_REL), as every .ko is`, 16);
  for (const s of elf.sections) if (WANTED.includes(s.name)) fill(s.offset, s.size);
  const { imports, kind } = readModversions(elf);
  const modinfo = elf.section('.modinfo');
  const own = modinfo ? modinfoName(elf.data(modinfo)) : null;
  return { source, name: own ?? name, modversions: kind, imports };
}

const NAME = [0x6e, 0x61, 0x6d, 0x65]; // "name"
const utf8Lenient = new TextDecoder('utf-8'); // as parseModinfo decodes: never throws

/** UTF-8 as utf8Lenient decodes it; ASCII (every module's name) without a decoder call each. */
function utf8Of(data: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++)
    if (data[i]! >= 0x80) return utf8Lenient.decode(data.subarray(start, end));
  return latin1Slice.call(data, start, end);
}

/**
 * modinfoValue(parseModinfo(data), 'name') without decoding every entry: the first entry whose key is
 * `name` (`name=value`, or a bare `name`, which reads as ''). A module has ~20 entries; 4,022 modules'
 * worth of decoded strings was a tenth of `kabi modversions DIR`.
 */
export function modinfoName(data: Uint8Array): string | null {
  for (let start = 0; start < data.length; ) {
    let end = data.indexOf(0, start);
    if (end === -1) end = data.length;
    if (
      end - start >= 4 &&
      data[start] === NAME[0] &&
      data[start + 1] === NAME[1] &&
      data[start + 2] === NAME[2] &&
      data[start + 3] === NAME[3]
    ) {
      if (end - start === 4) return '';
      if (data[start + 4] === 0x3d) return utf8Of(data, start + 5, end);
    }
    start = end + 1;
  }
  return null;
}
