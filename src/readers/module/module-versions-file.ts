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
let scratch = new Uint8Array(0);
function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2, 1 << 20));
  return scratch.subarray(0, size);
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
  } finally {
    closeSync(fd);
  }
}

const NAME = [0x6e, 0x61, 0x6d, 0x65]; // "name"
const utf8Lenient = new TextDecoder('utf-8'); // as parseModinfo decodes: never throws

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
      if (data[start + 4] === 0x3d) return utf8Lenient.decode(data.subarray(start + 5, end));
    }
    start = end + 1;
  }
  return null;
}
