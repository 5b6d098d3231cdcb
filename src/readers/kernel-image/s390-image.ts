// s390 boot `image` (`/boot/vmlinuz-*` on Debian s390x): the decompressor (arch/s390/boot), loadable by
// IPL from a card-image reader, carrying the kernel compressed in its .vmlinux.bin.compressed section:
//   0x00 u64           IPL PSW
//   0x08 u64 x2        IPL CCWs: 02 00 00 18 60 00 00 50, 02 00 00 68 60 00 00 50 (arch/s390/boot/head.S
//                      iplstart; file(1) knows the image by them), then EBCDIC blanks (0x40)
//   ...                the decompressor
//   vmlinux.bin.xz     `objcopy -O binary vmlinux` compressed (xz_wrap.sh), followed by its size as a
//                      little-endian u32 (size_append in scripts/Makefile.lib)
// The payload has no pointer to it that survives every release, so it is found as extract-vmlinux finds
// one: at an xz stream header whose stream, cut at its footer, decodes to exactly the size that follows
// it. The kernel inside is big-endian, its kernel_symbol entries three 64-bit pointers (s390 has no
// PREL32 ksymtab), linked at an address the export table itself gives (raw-ksymtab.ts).
import { ArtifactFormatError } from '../../errors.js';
import type { Export } from '../../model/export.js';
import { decompress } from '../compression.js';
import { findRawKsymtab } from './raw-ksymtab.js';

const IPL_CCWS = [
  0x02, 0x00, 0x00, 0x18, 0x60, 0x00, 0x00, 0x50, 0x02, 0x00, 0x00, 0x68, 0x60, 0x00, 0x00, 0x50,
];
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const XZ_HEADER = 12;
/** 1 GiB: the decompressed kernel of Debian's 6.1 s390x image is 18 MiB. */
const MAX_KERNEL = 1024 * 1024 * 1024;

export function isS390Image(bytes: Uint8Array): boolean {
  return bytes.length >= 0x18 && IPL_CCWS.every((b, i) => bytes[8 + i] === b);
}

/** The raw kernel (vmlinux.bin) inside an s390 boot image. */
export async function extractS390Kernel(
  bytes: Uint8Array,
  opts: { source: string; maxOutput?: number },
): Promise<Uint8Array> {
  if (!isS390Image(bytes)) {
    throw new ArtifactFormatError(
      'not an s390 boot image: no IPL CCWs (02 00 00 18 60 00 00 50 ...) at 0x8',
      {
        source: opts.source,
        offset: 8,
      },
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tried: string[] = [];
  for (let at = buf.indexOf(XZ_MAGIC); at !== -1; at = buf.indexOf(XZ_MAGIC, at + 1)) {
    const end = xzStreamEnd(buf, at);
    if (end === null || end + 4 > buf.length) {
      tried.push(`0x${at.toString(16)} (no stream footer)`);
      continue;
    }
    const declared = buf.readUInt32LE(end);
    try {
      const { data } = await decompress(buf.subarray(at, end), {
        source: opts.source,
        maxOutput: opts.maxOutput ?? MAX_KERNEL,
      });
      if (data.length === declared) return data;
      tried.push(
        `0x${at.toString(16)} (decodes to ${data.length} bytes, the size after it says ${declared})`,
      );
    } catch (e) {
      tried.push(`0x${at.toString(16)} (${(e as Error).message})`);
    }
  }
  throw new ArtifactFormatError(
    `no compressed kernel found in the s390 image: looked for an xz stream followed by its size${tried.length ? `; tried ${tried.join(', ')}` : ', found no xz stream header'}`,
    { source: opts.source },
  );
}

/** Where the xz stream starting at `start` ends: after the first footer repeating its stream flags. */
function xzStreamEnd(buf: Buffer, start: number): number | null {
  if (start + XZ_HEADER > buf.length) return null;
  const f0 = buf[start + 6];
  const f1 = buf[start + 7];
  // Streams are multiples of four bytes; the footer ends in its flags and "YZ".
  for (let e = start + 2 * XZ_HEADER; e <= buf.length; e += 4) {
    if (buf[e - 2] === 0x59 && buf[e - 1] === 0x5a && buf[e - 4] === f0 && buf[e - 3] === f1) return e;
  }
  return null;
}

/** The exports of an s390 boot image's kernel. */
export async function readS390ImageExports(bytes: Uint8Array, opts: { source: string }): Promise<Export[]> {
  const kernel = await extractS390Kernel(bytes, opts);
  return readS390KernelExports(kernel, opts);
}

/** The exports of the raw kernel an s390 image decompresses to. */
export function readS390KernelExports(kernel: Uint8Array, opts: { source: string }): Export[] {
  return findRawKsymtab(kernel, { fields: 'pointer', wordSize: 8, littleEndian: false }, opts).exports;
}
