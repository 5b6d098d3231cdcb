// The debug sections this reader uses, out of a linked ELF file (vmlinux), decompressed when the ELF
// compresses them (SHF_COMPRESSED: an Elf_Chdr, then a zlib or zstd stream; `objcopy
// --compress-debug-sections`, `ld --compress-debug-sections`, `gcc -gz`). Debian's 6.1 and 6.12 -dbg
// vmlinux leave them plain; Fedora's and Ubuntu's debuginfo compress them.
//
//   Elf64_Chdr: ch_type u32, ch_reserved u32, ch_size u64, ch_addralign u64 (24 bytes)
//   Elf32_Chdr: ch_type u32, ch_size u32, ch_addralign u32 (12 bytes)
//
// A relocatable object (a .ko, a .o) is refused: its .debug_info holds zeros where the relocations in
// .rela.debug_info put the string offsets, and only a linked image has them applied.
import { inflateSync } from 'node:zlib';
import { ArtifactFormatError } from '../../errors.js';
import { decompress } from '../compression.js';
import type { ElfFile, ElfSection } from '../elf/elf.js';

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const ET_REL = 1;

export interface DebugSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str: Uint8Array;
  lineStr: Uint8Array;
  strOffsets: Uint8Array;
  aranges: Uint8Array;
}

export interface DebugSectionOptions {
  /** Cap on one decompressed section (default 1 GiB: a vmlinux's .debug_info is ~170 MiB). */
  maxSection?: number;
}

/** The debug sections of a linked ELF; an ELF without .debug_info is an error naming what to give. */
export async function debugSections(elf: ElfFile, opts: DebugSectionOptions = {}): Promise<DebugSections> {
  if (elf.type === ET_REL)
    throw elf.error(
      'a relocatable object (ET_REL): its DWARF needs the relocations a link applies; give a linked image (the -dbg vmlinux)',
      16,
    );
  if (elf.section('.zdebug_info'))
    throw elf.error(
      '.zdebug_info: GNU compressed debug sections (pre-SHF_COMPRESSED) are not read',
      undefined,
      '.zdebug_info',
    );
  const info = elf.section('.debug_info');
  const abbrev = elf.section('.debug_abbrev');
  if (!info || !abbrev)
    throw elf.error(
      'no .debug_info or .debug_abbrev section: not a debug image (expected the vmlinux of a linux-image-*-dbg package)',
    );
  const max = opts.maxSection ?? 1024 ** 3;
  const load = async (s: ElfSection | undefined) => (s ? sectionBytes(elf, s, max) : new Uint8Array(0));
  return {
    info: await load(info),
    abbrev: await load(abbrev),
    str: await load(elf.section('.debug_str')),
    lineStr: await load(elf.section('.debug_line_str')),
    strOffsets: await load(elf.section('.debug_str_offsets')),
    aranges: await load(elf.section('.debug_aranges')),
  };
}

async function sectionBytes(elf: ElfFile, s: ElfSection, max: number): Promise<Uint8Array> {
  const raw = elf.data(s);
  if ((s.flags & SHF_COMPRESSED) === 0) return raw;
  const header = elf.is64 ? 24 : 12;
  elf.checkRange(s.offset, header, 'compression header (Elf_Chdr)', s.name);
  const type = elf.u32(s.offset);
  const size = elf.is64 ? elf.word(s.offset + 8, 'ch_size') : elf.u32(s.offset + 4);
  if (size > max)
    throw elf.error(
      `decompresses to ${size} bytes, over the cap of ${max}`,
      s.offset + (elf.is64 ? 8 : 4),
      s.name,
    );
  const body = raw.subarray(header);
  let out: Uint8Array;
  if (type === ELFCOMPRESS_ZLIB) {
    try {
      out = inflateSync(body, { maxOutputLength: Math.max(1, size) });
    } catch (cause) {
      throw new ArtifactFormatError(`zlib stream does not decompress: ${(cause as Error).message}`, {
        source: elf.source,
        section: s.name,
        offset: s.offset + header,
        cause,
      });
    }
  } else if (type === ELFCOMPRESS_ZSTD) {
    out = (await decompress(body, { source: `${elf.source} (${s.name})`, maxOutput: Math.max(1, size) }))
      .data;
  } else {
    throw elf.error(`compression type ${type}: expected 1 (zlib) or 2 (zstd)`, s.offset, s.name);
  }
  if (out.length !== size)
    throw elf.error(`decompresses to ${out.length} bytes where ch_size says ${size}`, s.offset, s.name);
  return out;
}
