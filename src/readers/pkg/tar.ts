// The tar inside a .deb (data.tar, control.tar) as it streams out of the decompressor. POSIX ustar
// (pax(1), "ustar Interchange Format") and GNU tar (tar(5), GNU tar's tar.h), in 512-byte blocks:
//
//   header block: name[100] mode[8] uid[8] gid[8] size[12] mtime[12] chksum[8] typeflag[1]
//                 linkname[100] magic[6] version[2] uname[32] gname[32] devmajor[8] devminor[8]
//                 prefix[155] (ustar; GNU keeps times there)              numbers in octal, NUL/space ended
//   data, `size` bytes padded to a 512-byte boundary (regular files and extension records only)
//   ... pax records ('x' for the next entry, 'g' for all that follow) and GNU long names ('L' name,
//       'K' link name) come before the entry they describe
//   end of archive: two 512-byte blocks of zeros, then padding to the record size
//
// Hand-written over ChunkReader rather than read with tar-stream: tar-stream's errors carry neither the
// header's offset nor the entry's name ("Invalid tar header"), so a broken header was reported at the
// block after it; and it reads numbers with parseInt, so a size of "12x" silently meant 10. Here every
// header is checked (checksum, magic, octal or base-256 numbers) and every error names the entry and the
// offset of its header within the tar.
import { ArtifactFormatError, excerptOf } from '../../errors.js';
import { hexBytes } from './ar.js';
import { ChunkReader } from './chunk-reader.js';
import { normaliseEntryPath } from './entry-path.js';
import { type ArtifactFile, EMPTY, type EntryType, S_IFLNK, S_IFREG, type Select } from './types.js';

const BLOCK = 512;
/** Pax records and GNU long names are a path or two; more than this is not a real archive. */
const MAX_EXTENSION = 1 << 20;

export interface TarContext {
  source: string;
  section: string;
  maxFile: number;
  /** A file's data may be a view into the stream's chunk (types.ts FilesOptions). */
  views?: boolean;
  /** A file's data is used only until the next is asked for (types.ts FilesOptions): one spanning chunks is
   * copied into a buffer the next such file reuses. */
  lend?: boolean;
  /** Files read into a buffer of their own all the same (types.ts FilesOptions). */
  keep?: (path: string) => boolean;
}

interface TarHeader {
  /** Where the header block starts in the tar. */
  at: number;
  name: string;
  linkname: string;
  size: number;
  mode: number;
  typeflag: string;
}

/** What pax records and GNU long-name entries say about the entry that follows them. */
interface Extensions {
  path?: string;
  linkpath?: string;
  size?: number;
}

/** The regular files and links of a tar stream that `select` accepts, each file read whole. */
export async function* tarFiles(
  input: AsyncIterable<Buffer>,
  select: Select,
  ctx: TarContext,
): AsyncGenerator<ArtifactFile> {
  const reader = new ChunkReader(input);
  let global: Extensions = {};
  let next: Extensions = {};
  let last: string | null = null;
  // A viewed file's padding is skipped when the next entry is read, not before the file is handed on:
  // skipping could fetch the next chunk, and a lent chunk is reused once the next one is fetched.
  let padding: { n: number; entry: TarHeader } | null = null;
  try {
    for (;;) {
      if (padding) await skipExactly(reader, padding.n, padding.entry, ctx);
      padding = null;
      const at = reader.position;
      const block = await reader.read(BLOCK, false);
      if (block.length === BLOCK && isZeros(block)) {
        await endOfArchive(reader, at, last, ctx);
        break;
      }
      if (block.length < BLOCK) throw cutHeader(block, at, last, ctx);
      const header = parseHeader(block, at, ctx);
      const ext = { ...global, ...next };
      switch (header.typeflag) {
        case 'x':
          next = { ...next, ...parsePax(await extension(reader, header, ctx), header, ctx) };
          continue;
        case 'g':
          global = { ...global, ...parsePax(await extension(reader, header, ctx), header, ctx) };
          continue;
        case 'L':
          next.path = cString(await extension(reader, header, ctx));
          continue;
        case 'K':
          next.linkpath = cString(await extension(reader, header, ctx));
          continue;
      }
      next = {};
      const entry = {
        ...header,
        name: ext.path ?? header.name,
        linkname: ext.linkpath ?? header.linkname,
        size: ext.size ?? header.size,
      };
      last = entry.name;
      const file = await readEntry(reader, entry, select, ctx);
      if (file === null) continue;
      const links = file.linkTarget !== undefined || file.hardLinkTarget !== undefined;
      const pad = links ? 0 : padded(entry.size) - entry.size;
      if (ctx.views === true) padding = { n: pad, entry };
      else await skipExactly(reader, pad, entry, ctx);
      yield file;
    }
    // Read on past the end so that the decompressor sees, and checks, the end of its stream.
    await reader.drain();
  } finally {
    await reader.close();
  }
}

/** Links, devices, directories and FIFOs carry no data, whatever their size field says (POSIX). */
const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);

async function readEntry(
  reader: ChunkReader,
  entry: TarHeader,
  select: Select,
  ctx: TarContext,
): Promise<ArtifactFile | null> {
  const { typeflag } = entry;
  const isData = typeflag === '0' || typeflag === '\0' || typeflag === '7';
  const kind: EntryType | null = isData
    ? 'file'
    : typeflag === '2'
      ? 'symlink'
      : typeflag === '1'
        ? 'link'
        : null;
  const path = normaliseEntryPath(entry.name, { ...ctx, offset: entry.at });
  const dataSize = NO_DATA.has(typeflag) ? 0 : entry.size;
  if (path === '' || kind === null || !select(path, kind)) {
    await skipExactly(reader, padded(dataSize), entry, ctx);
    return null;
  }
  const perm = entry.mode & 0o7777;
  if (kind === 'file') {
    if (entry.size > ctx.maxFile) {
      const reason = `${path} is ${entry.size} bytes, over the per-file limit of ${ctx.maxFile}`;
      throw new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset: entry.at });
    }
    const kept = ctx.keep?.(path) === true;
    const data = await reader.read(entry.size, ctx.views !== true || kept, ctx.lend === true && !kept);
    if (data.length < entry.size) throw cutData(entry, data.length, ctx);
    return { path, size: data.length, data, mode: S_IFREG | perm };
  }
  if (kind === 'symlink') {
    return { path, size: 0, data: EMPTY, mode: S_IFLNK | perm, linkTarget: entry.linkname };
  }
  const hardLinkTarget = normaliseEntryPath(entry.linkname, { ...ctx, offset: entry.at });
  return { path, size: 0, data: EMPTY, mode: S_IFREG | perm, hardLinkTarget };
}

/** Checks one header block and decodes the fields kabi-tracker uses. */
function parseHeader(block: Buffer, at: number, ctx: TarContext): TarHeader {
  const name = cString(block.subarray(0, 100));
  const fail = (reason: string) => headerError(reason, { at, name }, ctx);
  const stored = octal(block.subarray(148, 156), 'checksum', fail);
  const sums = checksums(block);
  if (stored === null || (stored !== sums.unsigned && stored !== sums.signed)) {
    const found = stored === null ? 'none' : `0o${stored.toString(8)}`;
    throw fail(
      `header checksum ${found} does not match its bytes (0o${sums.unsigned.toString(8)}); corrupt data?`,
    );
  }
  const magic = block.toString('latin1', 257, 263);
  const ustar = magic === 'ustar\0';
  if (!ustar && magic !== 'ustar ' && !isZeros(block.subarray(257, 263))) {
    throw fail(`expected the tar magic "ustar", found ${JSON.stringify(magic)}`);
  }
  const prefix = ustar ? cString(block.subarray(345, 500)) : '';
  return {
    at,
    name: prefix === '' ? name : `${prefix}/${name}`,
    linkname: cString(block.subarray(157, 257)),
    size: number(block.subarray(124, 136), 'size', fail),
    mode: number(block.subarray(100, 108), 'mode', fail),
    typeflag: String.fromCharCode(block[156]!),
  };
}

/** The unsigned sum tar writes, and the signed sum some old tars wrote (GNU tar accepts both). */
function checksums(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 8 * 0x20; // the checksum field counts as spaces
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156;
    const b = block[i]!;
    unsigned += b;
    signed += b < 0x80 ? b : b - 0x100;
  }
  return { unsigned, signed };
}

/**
 * A numeric field: octal digits (leading spaces allowed, ended by NUL, space or the field's end; empty
 * means 0), or GNU's base-256 (first byte 0x80 and the value big-endian in the rest) for sizes of 8 GiB
 * and more. Negative and unsafe (over 2^53) values are refused.
 */
function number(field: Buffer, what: string, fail: (reason: string) => Error): number {
  if ((field[0]! & 0x80) !== 0) {
    if (field[0] !== 0x80) throw fail(`base-256 ${what} ${hexBytes(field)} is negative or too large`);
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw fail(`base-256 ${what} ${hexBytes(field)} is too large`);
    return value;
  }
  return octal(field, what, fail) ?? 0;
}

/** An octal field; null when it holds no digits at all. */
function octal(field: Buffer, what: string, fail: (reason: string) => Error): number | null {
  const text = field.toString('latin1');
  const m = /^ *([0-7]*)(?:[ \0].*)?$/s.exec(text);
  if (m === null)
    throw fail(`expected an octal ${what}, found ${JSON.stringify(text.replace(/\0.*$/s, ''))}`);
  return m[1] === '' ? null : Number.parseInt(m[1]!, 8);
}

/** The data of a pax or GNU long-name record, whole. */
async function extension(reader: ChunkReader, header: TarHeader, ctx: TarContext): Promise<Buffer> {
  if (header.size > MAX_EXTENSION) {
    const kind = header.typeflag === 'L' || header.typeflag === 'K' ? 'GNU long name' : 'pax header';
    throw headerError(`${kind} of ${header.size} bytes is absurd (at most ${MAX_EXTENSION})`, header, ctx);
  }
  const data = await reader.read(header.size, true);
  if (data.length < header.size) throw cutData(header, data.length, ctx);
  await skipExactly(reader, padded(header.size) - header.size, header, ctx);
  return data;
}

/** Pax records, `"%d %s=%s\n"` each, the length counting the whole record; path, linkpath and size kept. */
function parsePax(data: Buffer, header: TarHeader, ctx: TarContext): Extensions {
  const out: Extensions = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? Number.NaN : Number(data.toString('latin1', at, space));
    const end = at + length;
    if (!Number.isSafeInteger(length) || length <= 0 || end > data.length || data[end - 1] !== 0x0a) {
      throw headerError(`malformed pax record at byte ${at} of the pax header`, header, ctx);
    }
    const record = data.toString('utf8', space + 1, end - 1);
    const eq = record.indexOf('=');
    if (eq === -1) throw headerError(`pax record at byte ${at} has no "="`, header, ctx);
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'linkpath') out.linkpath = value;
    else if (key === 'size') {
      if (!/^\d{1,15}$/.test(value))
        throw headerError(`pax size "${excerptOf(value, 40)}" is not a decimal size`, header, ctx);
      out.size = Number(value);
    }
    at = end;
  }
  return out;
}

/** After the first zero block: a second must follow (GNU tar writes two, and pads to 10 KiB). */
async function endOfArchive(reader: ChunkReader, at: number, last: string | null, ctx: TarContext) {
  if ((await reader.skip(BLOCK)) < BLOCK) {
    const after = last === null ? 'before any entry' : `after ${last}`;
    throw new ArtifactFormatError(`tar data ends ${after} without the end-of-archive blocks (truncated?)`, {
      source: ctx.source,
      section: ctx.section,
      offset: at,
    });
  }
}

async function skipExactly(
  reader: ChunkReader,
  n: number,
  entry: Pick<TarHeader, 'at' | 'name' | 'size'>,
  ctx: TarContext,
) {
  const skipped = await reader.skip(n);
  if (skipped < n) throw cutData(entry, Math.min(skipped, entry.size), ctx);
}

function cutHeader(block: Buffer, at: number, last: string | null, ctx: TarContext): ArtifactFormatError {
  const reason =
    block.length === 0
      ? `tar data ends ${last === null ? 'before any entry' : `after ${last}`} without the end-of-archive blocks (truncated?)`
      : `tar data ends inside ${block.length >= 100 ? `the header of ${quoted(cString(block.subarray(0, 100)))}` : 'a header'}, ${block.length} of its 512 bytes (truncated?)`;
  return new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset: at });
}

function cutData(entry: Pick<TarHeader, 'at' | 'name' | 'size'>, found: number, ctx: TarContext) {
  const reason = `tar data ends inside ${quoted(entry.name)}: its header declares ${entry.size} bytes, ${found} follow (truncated?)`;
  return new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset: entry.at });
}

function headerError(reason: string, entry: Pick<TarHeader, 'at' | 'name'>, ctx: TarContext) {
  return new ArtifactFormatError(`tar header of ${quoted(entry.name)}: ${reason}`, {
    source: ctx.source,
    section: ctx.section,
    offset: entry.at,
  });
}

/** An entry name as an error shows it: quoted, control bytes visible, long names shortened. */
function quoted(name: string): string {
  return `"${excerptOf(name, 60)}"`;
}

/** A NUL-terminated (or field-filling) string; tar names are UTF-8 as dpkg and GNU tar write them. */
function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? field.length : end);
}

function isZeros(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
