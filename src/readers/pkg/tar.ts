// The tar inside a .deb (data.tar, control.tar), read with tar-stream as it streams out of the
// decompressor. POSIX ustar / GNU tar, 512-byte blocks:
//
//   header block (name, mode, size in octal, typeflag, linkname, "ustar" magic, prefix)
//   data, padded to a 512-byte boundary
//   ... (pax and GNU long-name headers precede the entry they describe; tar-stream applies them)
//   end of archive: two 512-byte blocks of zeros, then padding
//
// tar-stream finishes silently when the input stops exactly between entries, so the end-of-archive blocks
// are checked here: an archive cut at an entry boundary is truncated, not short.
import { type Extract, extract, type Header } from 'tar-stream';
import { ArtifactFormatError, KabiError } from '../../errors.js';
import { normaliseEntryPath } from './entry-path.js';
import { type ArtifactFile, EMPTY, S_IFLNK, S_IFREG, type Select } from './types.js';

const BLOCK = 512;

/** One entry as tar-stream's iterator gives it (its type is not exported). */
type Source = Extract extends AsyncIterable<infer S> ? S : never;

export interface TarContext {
  source: string;
  section: string;
  maxFile: number;
}

interface Progress {
  /** Bytes of tar fed to the parser. */
  fed: number;
  /** Where the last entry's data (padded) ends: the end-of-archive blocks must follow. */
  entriesEnd: number;
  last: string | null;
}

/** The regular files and links of a tar stream that `select` accepts, each file read whole. */
export async function* tarFiles(
  input: AsyncIterable<Buffer>,
  select: Select,
  ctx: TarContext,
): AsyncGenerator<ArtifactFile> {
  const parser = extract();
  const progress: Progress = { fed: 0, entriesEnd: 0, last: null };
  const feeding = feed(input, parser, progress);
  try {
    for await (const entry of parser) {
      const header = entry.header;
      const dataAt = entry.offset + BLOCK;
      progress.entriesEnd = dataAt + padded(header.size ?? 0);
      progress.last = header.name;
      const file = await readEntry(entry, header, select, { ...ctx, offset: dataAt });
      if (file !== null) yield file;
    }
  } catch (cause) {
    throw tarError(cause, ctx, progress);
  } finally {
    parser.destroy();
    await feeding;
  }
  if (progress.fed < progress.entriesEnd + 2 * BLOCK) {
    const after = progress.last === null ? 'before any entry' : `after ${progress.last}`;
    throw new ArtifactFormatError(`tar data ends ${after} without the end-of-archive blocks (truncated?)`, {
      source: ctx.source,
      section: ctx.section,
      offset: progress.fed,
    });
  }
}

async function readEntry(
  entry: Source,
  header: Header,
  select: Select,
  ctx: TarContext & { offset: number },
): Promise<ArtifactFile | null> {
  const type = header.type ?? 'file';
  const isData = type === 'file' || type === 'contiguous-file';
  const kind = isData ? 'file' : type === 'symlink' || type === 'link' ? type : null;
  const path = normaliseEntryPath(header.name, ctx);
  if (path === '' || kind === null || !select(path, kind)) {
    entry.resume();
    return null;
  }
  const perm = (header.mode ?? 0) & 0o7777;
  if (isData) {
    const data = await readData(entry, path, header.size ?? 0, ctx);
    return { path, size: data.length, data, mode: S_IFREG | perm };
  }
  entry.resume();
  if (type === 'symlink') {
    return { path, size: 0, data: EMPTY, mode: S_IFLNK | perm, linkTarget: header.linkname ?? '' };
  }
  const hardLinkTarget = normaliseEntryPath(header.linkname ?? '', ctx);
  return { path, size: 0, data: EMPTY, mode: S_IFREG | perm, hardLinkTarget };
}

async function readData(
  entry: Source,
  path: string,
  size: number,
  ctx: TarContext & { offset: number },
): Promise<Buffer> {
  if (size > ctx.maxFile) {
    throw new ArtifactFormatError(`${path} is ${size} bytes, over the per-file limit of ${ctx.maxFile}`, ctx);
  }
  const data = Buffer.allocUnsafe(size);
  let got = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    if (got + chunk.length > size) break;
    chunk.copy(data, got);
    got += chunk.length;
  }
  if (got !== size) {
    throw new ArtifactFormatError(`${path}: expected ${size} bytes of data, found ${got}`, ctx);
  }
  return data;
}

/** Writes `input` into the parser, honouring its back-pressure; ends or destroys it when done. */
async function feed(input: AsyncIterable<Buffer>, parser: Extract, progress: Progress): Promise<void> {
  try {
    for await (const chunk of input) {
      if (parser.destroyed) return;
      progress.fed += chunk.length;
      if (!parser.write(chunk)) await drained(parser);
    }
    parser.end(null);
  } catch (cause) {
    parser.destroy(cause as Error);
  }
}

interface Emitter {
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

function drained(stream: Emitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function tarError(cause: unknown, ctx: TarContext, progress: Progress): Error {
  if (cause instanceof KabiError) return cause;
  const message = (cause as Error).message;
  const cut = /Unexpected end of data/.test(message);
  const where = progress.last === null ? 'its first header' : `${progress.last} or the header after it`;
  const reason = cut ? `tar data ends inside ${where} (truncated?)` : `expected a tar header (${message})`;
  const offset = cut ? progress.fed : progress.entriesEnd;
  return new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset, cause });
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
