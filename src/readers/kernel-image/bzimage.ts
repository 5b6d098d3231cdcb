// x86 bzImage (`/boot/vmlinuz-*`) reader: finds the compressed kernel inside and returns the ELF vmlinux,
// the input for reading __ksymtab/__kcrctab when a distribution ships no Module.symvers.
//
// Layout (Documentation/arch/x86/boot.rst, arch/x86/boot/header.S; all fields little-endian):
//   0x1f1 u8  setup_sects     real-mode setup size in 512-byte sectors; 0 means 4
//   0x202 u32 header          "HdrS" from protocol 2.00; without it the image is an old zImage
//   0x206 u16 version         boot protocol, (major << 8) | minor
//   0x20e u16 kernel_version  offset of a NUL-terminated version string, less 0x200
//   0x211 u8  loadflags       bit 0 LOADED_HIGH: set for bzImage
//   0x248 u32 payload_offset  from the start of the protected-mode code (protocol 2.08+)
//   0x24c u32 payload_length
// The protected-mode code (the decompressor, arch/x86/boot/compressed) starts at (setup_sects + 1) * 512.
// Its payload is vmlinux.bin (`objcopy -R .comment -S vmlinux`, plus vmlinux.relocs with KASLR,
// CONFIG_X86_NEED_RELOCS) compressed, followed by the uncompressed size as a LE u32: `size_append` in
// scripts/Makefile.lib for bzip2/lzma/lzo/lz4/xz/zstd, the gzip trailer's own ISIZE for gzip. mkpiggy
// reads the last four bytes for every compression, and so do we.
//
// History: protocol 2.08 (Linux 2.6.26) added payload_offset/length; before it, tools scanned for
// compression magic, as scripts/extract-vmlinux still does (trying every match until one decodes to an
// ELF, since the magic bytes also turn up inside the payload). zstd payloads arrived in 5.9; Debian 12 builds 6.1 with xz and 6.12 with zstd.
import { ArtifactFormatError, checkRange } from '../../errors.js';
import { decompress, detectCompression } from '../compression.js';

export type PayloadCompression = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'bzip2' | 'lzma' | 'lzo' | 'none';

export interface BzImageInfo {
  /** Boot protocol version, e.g. "2.15". */
  protocolVersion: string;
  /** The string `kernel_version` points to; null when the pointer is 0 or leads nowhere sensible. */
  kernelVersion: string | null;
  payloadCompression: PayloadCompression;
  /** File offset of the payload: (setup_sects + 1) * 512 + payload_offset. */
  payloadOffset: number;
  payloadLength: number;
  /** The LE u32 that ends a compressed payload; null for an uncompressed one. */
  uncompressedSize: number | null;
}

/** 1 GiB: fifteen times a Debian 6.12 vmlinux.bin (55 MiB); a bigger one is taken for a bomb. */
export const DEFAULT_MAX_VMLINUX = 1024 * 1024 * 1024;

const SETUP_SECTS = 0x1f1;
const HEADER_MAGIC = 0x202;
const VERSION = 0x206;
const KERNEL_VERSION = 0x20e;
const LOADFLAGS = 0x211;
const PAYLOAD_OFFSET = 0x248;
const PAYLOAD_LENGTH = 0x24c;
/** The setup header ends here for protocol 2.08, the first whose payload we can locate. */
const HEADER_END = 0x250;
const HDRS = 0x53726448;
const LOADED_HIGH = 0x01;
const MIN_PROTOCOL = 0x0208;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** An ELF64 file header; a declared size below it cannot be a vmlinux. */
const ELF64_EHDR_SIZE = 64;

/** Magic bytes as the kernel's decompressors and scripts/extract-vmlinux know them. */
const MAGICS: ReadonlyArray<[PayloadCompression, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lzma', [0x5d, 0x00, 0x00]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  ['none', ELF_MAGIC],
];

/** The kernel's own file names (arch/x86/boot/compressed/Makefile), used to label errors. */
const SUFFIX: Record<PayloadCompression, string> = {
  gzip: 'gz',
  xz: 'xz',
  zstd: 'zst',
  lz4: 'lz4',
  bzip2: 'bz2',
  lzma: 'lzma',
  lzo: 'lzo',
  none: 'bin',
};

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const startsWith = (b: Uint8Array, magic: readonly number[]) => magic.every((m, i) => b[i] === m);

/** True for an x86 boot image with the "HdrS" header that loads high (boot.rst: is_bzImage). */
export function isBzImage(bytes: Uint8Array): boolean {
  if (bytes.length <= LOADFLAGS) return false;
  return (
    u32(bytes, HEADER_MAGIC) === HDRS &&
    u16(bytes, VERSION) >= 0x0200 &&
    (bytes[LOADFLAGS]! & LOADED_HIGH) !== 0
  );
}

export function readBzImageHeader(bytes: Uint8Array, opts: { source: string }): BzImageInfo {
  const { source } = opts;
  checkSetupHeader(bytes, source);
  const version = u16(bytes, VERSION);
  const setupEnd = ((bytes[SETUP_SECTS] || 4) + 1) * 512;
  const payloadOffset = setupEnd + u32(bytes, PAYLOAD_OFFSET);
  const payloadLength = u32(bytes, PAYLOAD_LENGTH);
  const where = `payload (payload_offset 0x${u32(bytes, PAYLOAD_OFFSET).toString(16)} after the setup code at 0x${setupEnd.toString(16)})`;
  checkRange(payloadOffset, payloadLength, bytes.length, { source }, where);
  const payload = bytes.subarray(payloadOffset, payloadOffset + payloadLength);
  const payloadCompression = detectPayload(payload, source, payloadOffset);
  return {
    protocolVersion: `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`,
    kernelVersion: readKernelVersion(bytes, setupEnd),
    payloadCompression,
    payloadOffset,
    payloadLength,
    uncompressedSize: payloadCompression === 'none' ? null : u32(payload, payloadLength - 4),
  };
}

function checkSetupHeader(bytes: Uint8Array, source: string): void {
  if (bytes.length < HEADER_END) {
    throw new ArtifactFormatError(
      `not an x86 bzImage: ${bytes.length} bytes, too short for the boot setup header (0x${HEADER_END.toString(16)} bytes)`,
      { source, offset: 0 },
    );
  }
  if (u32(bytes, HEADER_MAGIC) !== HDRS) {
    throw new ArtifactFormatError(
      `not an x86 bzImage: expected "HdrS" (48 64 72 53) at 0x202, found ${hex(bytes.subarray(HEADER_MAGIC, HEADER_MAGIC + 4))}`,
      { source, offset: HEADER_MAGIC },
    );
  }
  const version = u16(bytes, VERSION);
  if (version < MIN_PROTOCOL) {
    throw new ArtifactFormatError(
      `boot protocol ${version >> 8}.${(version & 0xff).toString().padStart(2, '0')} predates 2.08, the first with payload_offset/payload_length; cannot locate the kernel`,
      { source, offset: VERSION },
    );
  }
  if ((bytes[LOADFLAGS]! & LOADED_HIGH) === 0) {
    throw new ArtifactFormatError('a zImage (loadflags bit LOADED_HIGH clear), not a bzImage', {
      source,
      offset: LOADFLAGS,
    });
  }
}

/** Informational only: a bad pointer yields null rather than failing the extraction. */
function readKernelVersion(bytes: Uint8Array, setupEnd: number): string | null {
  const pointer = u16(bytes, KERNEL_VERSION);
  if (pointer === 0) return null;
  const start = pointer + 0x200;
  // boot.rst: the string lies inside the real-mode setup code.
  const nul = bytes.subarray(0, setupEnd).indexOf(0, start);
  if (start >= setupEnd || nul < 0) return null;
  const text = Buffer.from(bytes.subarray(start, nul)).toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? text : null;
}

function detectPayload(payload: Uint8Array, source: string, offset: number): PayloadCompression {
  const found = MAGICS.find(([, magic]) => startsWith(payload, magic));
  if (found === undefined) {
    throw new ArtifactFormatError(
      `unknown payload compression: found ${payload.length === 0 ? 'an empty payload' : hex(payload.subarray(0, 6))}, expected the magic of gzip (1f 8b), xz (fd 37 7a 58 5a 00), zstd (28 b5 2f fd), lz4 (02 21 4c 18), bzip2 (42 5a 68), lzma (5d 00 00), lzo (89 4c 5a 4f) or an ELF (7f 45 4c 46)`,
      { source, offset },
    );
  }
  // Smaller than its own magic plus the appended size: nothing could decode from it.
  if (found[0] !== 'none' && payload.length < found[1].length + 4) {
    throw new ArtifactFormatError(`${found[0]} payload of ${payload.length} bytes is too short`, {
      source,
      offset,
    });
  }
  return found[0];
}

/**
 * Returns vmlinux.bin: the stripped ELF vmlinux, followed by relocation data on KASLR kernels
 * (left as it is). An uncompressed payload is returned as a view into `bytes`.
 */
export async function extractVmlinux(
  bytes: Uint8Array,
  opts: { source: string; maxOutput?: number },
): Promise<Uint8Array> {
  const info = readBzImageHeader(bytes, opts);
  const payload = bytes.subarray(info.payloadOffset, info.payloadOffset + info.payloadLength);
  const ctx = {
    source: opts.source,
    offset: info.payloadOffset,
    section: `vmlinux.bin.${SUFFIX[info.payloadCompression]}`,
  };
  const data =
    info.uncompressedSize === null
      ? payload
      : await decodePayload(payload, info.payloadCompression, info.uncompressedSize, {
          ...ctx,
          maxOutput: opts.maxOutput ?? DEFAULT_MAX_VMLINUX,
        });
  if (!startsWith(data, ELF_MAGIC)) {
    throw new ArtifactFormatError(
      `payload decodes to ${data.length} bytes that do not start with the ELF magic 7f 45 4c 46 (found ${hex(data.subarray(0, 4))}); not a vmlinux`,
      ctx,
    );
  }
  return data;
}

interface PayloadContext {
  source: string;
  offset: number;
  section: string;
}

interface DecodeOptions extends PayloadContext {
  maxOutput: number;
}

async function decodePayload(
  payload: Uint8Array,
  compression: PayloadCompression,
  declared: number,
  { maxOutput, ...ctx }: DecodeOptions,
): Promise<Uint8Array> {
  // gzip's ISIZE belongs to its stream; for the others the u32 is foreign and both liblzma and zstd
  // reject it ("Failed to decode stream footer", "Unknown frame descriptor").
  const stream = compression === 'gzip' ? payload : payload.subarray(0, payload.length - 4);
  if (detectCompression(stream) !== compression) {
    throw new ArtifactFormatError(
      `${compression} payload: no ${compression} decompressor available (supported: gzip, xz, zstd)`,
      ctx,
    );
  }
  checkDeclaredSize(declared, maxOutput, compression, ctx);
  // The declared size only ever lowers the cap: a hostile one cannot make us allocate more.
  const cap = Math.min(maxOutput, declared);
  let data: Uint8Array;
  try {
    data = (await decompress(stream, { source: ctx.source, maxOutput: cap, expectedSize: declared })).data;
  } catch (cause) {
    if (!(cause instanceof ArtifactFormatError)) throw cause;
    // Say where a cap below maxOutput came from; only the wording of compression.ts tells a cap hit
    // from corruption, and losing the note if that wording changes costs nothing but the hint.
    const capHit = cap === declared && /expands past/.test(cause.reason);
    const note = capHit ? ` (the size after the stream declares ${declared} bytes)` : '';
    throw new ArtifactFormatError(`${cause.reason}${note}`, { ...ctx, cause });
  }
  if (data.length !== declared) {
    throw new ArtifactFormatError(
      `${compression} payload decodes to ${data.length} bytes, but the size after the stream declares ${declared}`,
      ctx,
    );
  }
  return data;
}

function checkDeclaredSize(declared: number, maxOutput: number, compression: string, ctx: PayloadContext) {
  if (declared > maxOutput) {
    throw new ArtifactFormatError(
      `${compression} payload declares ${declared} uncompressed bytes, past the limit of ${maxOutput}; refusing`,
      ctx,
    );
  }
  if (declared < ELF64_EHDR_SIZE) {
    throw new ArtifactFormatError(
      `${compression} payload declares ${declared} uncompressed bytes, too few for an ELF vmlinux`,
      ctx,
    );
  }
}
