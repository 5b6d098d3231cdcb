// What an input is, decided once from its content (magic bytes, ELF type, stat), never from its name.
// Every command that takes a path sniffs it here and dispatches on the kind from a table; the readers
// below take the sniffed Artifact and never look at the path to guess again. Packages and trees are
// streamed later, so only their first bytes are read; any other file is read (and decompressed) once,
// here, and its bytes travel with the kind.
import { channel } from 'node:diagnostics_channel';
import { open, stat } from 'node:fs/promises';
import { ArtifactFormatError } from '../errors.js';
import { isBtf } from './btf/btf.js';
import { type Compression, DEFAULT_MAX_OUTPUT, decompress, detectCompression } from './compression.js';
import { fsError, readInputFile } from './file.js';
import { isArm64Image } from './kernel-image/arm64-image.js';
import { isBzImage } from './kernel-image/bzimage.js';
import { isS390Image } from './kernel-image/s390-image.js';

export type ArtifactKind =
  /** A directory: a module tree, an extracted package, a directory of built kmods. */
  | 'tree'
  | 'deb'
  | 'rpm'
  /** A relocatable ELF: a kernel module (`.ko`, or `.ko.xz`/`.ko.zst`/`.ko.gz`: see `compression`). */
  | 'ko'
  /** An executable ELF: vmlinux, or the -dbg package's unstripped one. */
  | 'vmlinux'
  /** An x86 bzImage (`/boot/vmlinuz-*`). */
  | 'vmlinuz'
  /** An arm64 `Image` (`/boot/vmlinuz-*` on arm64, plain or gzip'd): a raw kernel, no ELF. */
  | 'arm64-image'
  /** An s390 boot image (`/boot/vmlinuz-*` on s390x): the decompressor with the raw kernel inside. */
  | 's390-image'
  /** Raw BTF (`/sys/kernel/btf/vmlinux`, `kabi btf --subset`). */
  | 'btf'
  /** Anything else: a text table (Module.symvers, symvers.gz, RPM provides, Ubuntu abi), parsed later. */
  | 'text';

export interface Artifact {
  path: string;
  kind: ArtifactKind;
  /** How the file itself is compressed ('none' for packages and trees, which compress inside). */
  compression: Compression;
  /** The file's size on disk (0 for a tree). */
  size: number;
  /** The whole content, decompressed; null for a package or tree, which readers stream. */
  data: Uint8Array | null;
}

export interface SniffOptions {
  /** Says what was expected, for the error when the path cannot be read. */
  what?: string;
  /** Cap on a compressed file's decompressed size (an unstripped vmlinux.xz needs ~1 GiB). */
  maxOutput?: number;
}

/** Each sniff is published here, so that a test can count them per artifact (one each). */
export const sniffChannel = channel('kabi-tracker:sniff');

const AR_MAGIC = '!<arch>\n';
const RPM_LEAD = 0xedabeedb;
const ET_REL = 1;

export async function sniffArtifact(path: string, opts: SniffOptions = {}): Promise<Artifact> {
  const what = opts.what ?? 'a kernel artifact';
  const info = await stat(path).catch((cause) => {
    throw fsError(path, what, cause);
  });
  const artifact = info.isDirectory()
    ? { path, kind: 'tree' as const, compression: 'none' as const, size: 0, data: null }
    : await sniffFile(path, info.size, what, opts.maxOutput ?? DEFAULT_MAX_OUTPUT);
  if (sniffChannel.hasSubscribers) sniffChannel.publish({ path, kind: artifact.kind });
  return artifact;
}

async function sniffFile(path: string, size: number, what: string, maxOutput: number): Promise<Artifact> {
  const head = await firstBytes(path, 8, what);
  if (head.toString('latin1') === AR_MAGIC)
    return { path, kind: 'deb', compression: 'none', size, data: null };
  if (head.length >= 4 && head.readUInt32BE(0) === RPM_LEAD)
    return { path, kind: 'rpm', compression: 'none', size, data: null };
  const raw = await readInputFile(path, what);
  if (isBzImage(raw)) return { path, kind: 'vmlinuz', compression: 'none', size, data: raw };
  const compression = detectCompression(raw);
  const data = compression === 'none' ? raw : (await decompress(raw, { source: path, maxOutput })).data;
  return { path, kind: kindOfContent(data), compression, size, data };
}

/** The kind of a file's (decompressed) bytes. */
export function kindOfContent(data: Uint8Array): ArtifactKind {
  if (data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46) {
    // A header cut short goes to the module reader, whose ELF reader names the offset it stopped at.
    if (data.length < 18) return 'ko';
    // e_type sits at 16 in either class, in the byte order EI_DATA (byte 5) names.
    const type = data[5] === 2 ? (data[16]! << 8) | data[17]! : data[16]! | (data[17]! << 8);
    return type === ET_REL ? 'ko' : 'vmlinux';
  }
  if (isBtf(data)) return 'btf';
  if (isBzImage(data)) return 'vmlinuz';
  if (isArm64Image(data)) return 'arm64-image';
  if (isS390Image(data)) return 's390-image';
  return 'text';
}

/** A reader's refusal of a kind it has no use for, in the words users see. */
export function unexpectedKind(artifact: Artifact, expected: string): ArtifactFormatError {
  return new ArtifactFormatError(`expected ${expected}, found ${describeKind(artifact)}`, {
    source: artifact.path,
  });
}

export function describeKind(artifact: Artifact): string {
  const packed = artifact.compression === 'none' ? '' : ` (${artifact.compression})`;
  const names: Record<ArtifactKind, string> = {
    tree: 'a directory',
    deb: 'a .deb package',
    rpm: 'an .rpm package',
    ko: 'a kernel module',
    vmlinux: 'a vmlinux',
    vmlinuz: 'a bzImage (vmlinuz)',
    'arm64-image': 'an arm64 Image',
    's390-image': 'an s390 boot image',
    btf: 'a raw BTF file',
    text: 'a text file',
  };
  return names[artifact.kind] + packed;
}

async function firstBytes(path: string, n: number, what: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((cause) => {
    throw fsError(path, what, cause);
  });
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
