// arm64 `Image` (`/boot/vmlinuz-*` on Debian arm64, plain or gzip'd as Image.gz): vmlinux as
// `objcopy -O binary` leaves it, behind a 64-byte header (Documentation/arch/arm64/booting.rst,
// arch/arm64/kernel/head.S; all fields little-endian):
//   0x00 u32 code0, u32 code1   executable code (a branch, or the EFI stub's "MZ")
//   0x08 u64 text_offset        image load offset (0 since 5.8)
//   0x10 u64 image_size         effective image size, BSS included
//   0x18 u64 flags              bit 0: kernel endianness (1 = big-endian); bits 1-2: page size
//   0x20 u64 res2, res3, res4
//   0x38 u32 magic              "ARM\x64"
//   0x3c u32 res5               offset of the PE header (EFI stub)
// There is no section table: the exports are found by their layout (raw-ksymtab.ts), kernel_symbol
// being PREL32 on arm64 (CONFIG_HAVE_ARCH_PREL32_RELOCATIONS since 4.19).
import { ArtifactFormatError } from '../../errors.js';
import type { Export } from '../../model/export.js';
import { findRawKsymtab } from './raw-ksymtab.js';

const MAGIC_AT = 0x38;
const HEADER_SIZE = 0x40;
const MAGIC = [0x41, 0x52, 0x4d, 0x64];

export interface Arm64ImageInfo {
  textOffset: bigint;
  imageSize: bigint;
  littleEndian: boolean;
  /** 4, 16 or 64 (KiB); null when the header leaves it unspecified. */
  pageSizeKiB: number | null;
}

export function isArm64Image(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_SIZE && MAGIC.every((m, i) => bytes[MAGIC_AT + i] === m);
}

export function readArm64ImageHeader(bytes: Uint8Array, opts: { source: string }): Arm64ImageInfo {
  if (!isArm64Image(bytes)) {
    const found =
      bytes.length < HEADER_SIZE ? `${bytes.length} bytes` : hex(bytes.subarray(MAGIC_AT, MAGIC_AT + 4));
    throw new ArtifactFormatError(
      `not an arm64 Image: expected "ARM\\x64" (41 52 4d 64) at 0x38, found ${found}`,
      {
        source: opts.source,
        offset: MAGIC_AT,
      },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getBigUint64(0x18, true);
  const page = Number((flags >> 1n) & 3n);
  return {
    textOffset: view.getBigUint64(0x08, true),
    imageSize: view.getBigUint64(0x10, true),
    littleEndian: (flags & 1n) === 0n,
    pageSizeKiB: page === 0 ? null : [0, 4, 16, 64][page]!,
  };
}

/** The exports of an arm64 Image, from its __ksymtab, __ksymtab_gpl and __kcrctab. */
export function readArm64ImageExports(bytes: Uint8Array, opts: { source: string }): Export[] {
  const info = readArm64ImageHeader(bytes, opts);
  return findRawKsymtab(bytes, { fields: 'prel32', wordSize: 8, littleEndian: info.littleEndian }, opts)
    .exports;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
