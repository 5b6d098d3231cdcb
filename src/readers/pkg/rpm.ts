// .rpm packages (rpm's lib/rpmlead.c, lib/package.c, lib/signature.c; "RPM file format" in rpm's docs):
//
//   lead, 96 bytes: magic ed ab ee db | major | minor | type (u16) | archnum (u16) | name[66] |
//                   osnum (u16) | signature_type (u16, 5 = header-style) | reserved[16]
//   signature header (see rpm-header.ts), padded with zeros to a multiple of 8 bytes
//   main header: NAME, VERSION, dependencies, file lists, PAYLOADFORMAT, PAYLOADCOMPRESSOR, ...
//   payload, to the end of the file: a cpio newc archive compressed as PAYLOADCOMPRESSOR says
//
// The signature header's SIZE (or LONGSIZE) is the byte count of main header plus payload, so a cut
// file is caught before any decompression.
import { ArtifactFormatError } from '../../errors.js';
import { ChunkReader } from './chunk-reader.js';
import { cpioFiles } from './cpio.js';
import { normaliseEntryPath } from './entry-path.js';
import type { PackageFile } from './package-file.js';
import { decodePayload, describeHead, SNIFF_BYTES, sniffCompression } from './payload.js';
import { headerNumbers, headerString, headerStrings, type RpmHeader, readRpmHeader } from './rpm-header.js';
import { rpmDependencies, rpmFields } from './rpm-tags.js';
import type { ArtifactFile, ArtifactSource, Limits, PackageMetadata, Select } from './types.js';
import { S_IFLNK, S_IFMT } from './types.js';

export const RPM_LEAD_MAGIC = Buffer.from([0xed, 0xab, 0xee, 0xdb]);
const LEAD_SIZE = 96;
const SIGTYPE_HEADERSIG = 5;

const SIGTAG_SIZE = 1000;
const SIGTAG_LONGSIZE = 270;

interface Headers {
  main: RpmHeader;
  payloadOffset: number;
}

export async function openRpm(file: PackageFile, limits: Limits): Promise<ArtifactSource> {
  const lead = await file.read(0, LEAD_SIZE, 'lead', 'the 96-byte rpm lead');
  const ctx = { source: file.path, section: 'lead' };
  const major = lead[4] ?? 0;
  if (major < 3 || major > 4) {
    throw new ArtifactFormatError(`expected rpm format major version 3 or 4, found ${major}`, {
      ...ctx,
      offset: 4,
    });
  }
  const sigType = lead.readUInt16BE(78);
  if (sigType !== SIGTYPE_HEADERSIG) {
    throw new ArtifactFormatError(
      `expected signature type ${SIGTYPE_HEADERSIG} (header-style), found ${sigType}`,
      { ...ctx, offset: 78 },
    );
  }
  return new RpmSource(file, limits);
}

class RpmSource implements ArtifactSource {
  readonly kind = 'rpm' as const;
  readonly source: string;
  private headers: Promise<Headers> | undefined;

  constructor(
    private readonly file: PackageFile,
    private readonly limits: Limits,
  ) {
    this.source = file.path;
  }

  async metadata(): Promise<PackageMetadata> {
    const { main } = await this.load();
    const text = (tag: number, name: string) => headerString(main, tag, name);
    return {
      name: text(1000, 'NAME'),
      version: text(1001, 'VERSION'),
      release: text(1002, 'RELEASE'),
      arch: text(1022, 'ARCH'),
      provides: rpmDependencies(main, 'PROVIDE'),
      requires: rpmDependencies(main, 'REQUIRE'),
      fields: rpmFields(main),
    };
  }

  files(wanted: (path: string) => boolean): AsyncIterable<ArtifactFile> {
    return this.payload((path, type) => type !== 'link' && wanted(path));
  }

  /** From the header's file lists: no payload is read. */
  async symlinks(): Promise<Map<string, string>> {
    const { main } = await this.load();
    const paths = rpmFilePaths(main);
    const modes = headerNumbers(main, 1030, 'FILEMODES') ?? [];
    const targets = headerStrings(main, 1036, 'FILELINKTOS') ?? [];
    const links = new Map<string, string>();
    paths.forEach((path, i) => {
      if (((modes[i] ?? 0) & S_IFMT) === S_IFLNK) links.set(path, targets[i] ?? '');
    });
    return links;
  }

  private load(): Promise<Headers> {
    this.headers ??= readHeaders(this.file);
    return this.headers;
  }

  private async *payload(select: Select): AsyncGenerator<ArtifactFile> {
    const { main, payloadOffset } = await this.load();
    const format = headerString(main, 1124, 'PAYLOADFORMAT') ?? 'cpio';
    if (format !== 'cpio') {
      throw new ArtifactFormatError(`payload format "${format}" is not supported (expected cpio)`, {
        source: this.source,
        section: 'header',
      });
    }
    const compression = await this.payloadCompression(main, payloadOffset);
    const section = `payload (${compression})`;
    const chunks = this.file.chunks(payloadOffset, this.file.size, section);
    const decoded = decodePayload(chunks, compression, {
      source: this.source,
      section,
      size: this.file.size - payloadOffset,
      file: { path: this.file.path, start: payloadOffset, end: this.file.size },
      ...this.limits,
    });
    const reader = new ChunkReader(decoded);
    try {
      yield* cpioFiles(reader, select, { source: this.source, section: 'payload cpio', ...this.limits });
    } finally {
      await reader.close();
    }
  }

  /** By content; PAYLOADCOMPRESSOR only names what the content does not show. */
  private async payloadCompression(main: RpmHeader, offset: number) {
    const head = await this.file.read(
      offset,
      Math.min(SNIFF_BYTES, this.file.size - offset),
      'payload',
      'payload',
    );
    const sniffed = sniffCompression(head);
    const named = headerString(main, 1125, 'PAYLOADCOMPRESSOR') ?? 'gzip';
    if (sniffed === 'none' && head.toString('latin1', 0, 5) !== '07070') {
      throw new ArtifactFormatError(
        `payload starts with ${describeHead(head)}; expected ${named} data (PAYLOADCOMPRESSOR) or cpio`,
        { source: this.source, section: 'payload', offset },
      );
    }
    return sniffed;
  }
}

async function readHeaders(file: PackageFile): Promise<Headers> {
  const signature = await readRpmHeader(file, LEAD_SIZE, 'signature header');
  const mainOffset = LEAD_SIZE + signature.size + ((8 - (signature.size % 8)) % 8);
  const main = await readRpmHeader(file, mainOffset, 'header');
  const payloadOffset = mainOffset + main.size;
  const declared =
    headerNumbers(signature, SIGTAG_LONGSIZE, 'LONGSIZE')?.[0] ??
    headerNumbers(signature, SIGTAG_SIZE, 'SIZE')?.[0];
  if (declared !== undefined && mainOffset + declared > file.size) {
    throw new ArtifactFormatError(
      `the signature header says header and payload take ${declared} bytes, but the file ends ${file.size - mainOffset} bytes after the signature (truncated?)`,
      { source: file.path, section: 'payload', offset: file.size },
    );
  }
  if (payloadOffset >= file.size) {
    throw new ArtifactFormatError('the file ends where the payload should start (truncated?)', {
      source: file.path,
      section: 'payload',
      offset: payloadOffset,
    });
  }
  return { main, payloadOffset };
}

/** Installed paths, normalised: BASENAMES under DIRNAMES[DIRINDEXES], or rpm < 4.0's OLDFILENAMES. */
export function rpmFilePaths(main: RpmHeader): string[] {
  const ctx = { source: main.source, section: 'header' };
  const old = headerStrings(main, 1027, 'OLDFILENAMES');
  if (old !== null) return old.map((p) => normaliseEntryPath(p, ctx));
  const bases = headerStrings(main, 1117, 'BASENAMES') ?? [];
  const dirs = headerStrings(main, 1118, 'DIRNAMES') ?? [];
  const index = headerNumbers(main, 1116, 'DIRINDEXES') ?? [];
  return bases.map((base, i) => {
    const dir = dirs[index[i] ?? -1];
    if (dir === undefined) {
      throw new ArtifactFormatError(`DIRINDEXES[${i}] names no entry of DIRNAMES (${dirs.length})`, ctx);
    }
    return normaliseEntryPath(dir + base, ctx);
  });
}

export function isRpmLead(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(RPM_LEAD_MAGIC);
}
