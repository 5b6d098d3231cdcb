// Which decompressor a package stream needs, from its first bytes (never from the member name or the
// rpm tag alone), and the decoded stream with the package and member named in every error.
import { ArtifactFormatError } from '../../errors.js';
import { type Compression, decompressStream, detectCompression } from '../compression.js';
import { hexBytes } from './ar.js';

/** What a package stream may be compressed with; bzip2 and lzma are recognised only to refuse them. */
export type PayloadCompression = Compression | 'bzip2' | 'lzma';

/** Bytes needed to tell the compressions (and an uncompressed tar or cpio) apart. */
export const SNIFF_BYTES = 6;

export function sniffCompression(head: Buffer): PayloadCompression {
  const known = detectCompression(head);
  if (known !== 'none') return known;
  if (head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  // .lzma ("LZMA alone") has no magic; its first byte is the properties byte, 0x5d for every preset.
  if (head[0] === 0x5d && head[1] === 0x00 && head[2] === 0x00) return 'lzma';
  return 'none';
}

export interface StreamContext {
  source: string;
  section: string;
  maxTotal: number;
  maxRatio: number;
  /** The compressed size: a long xz stream is decoded in a worker thread (xz-worker.ts). */
  size: number;
  /** Where the stream lies in the package file: its xz blocks may then be decoded in parallel. */
  file?: { path: string; start: number; end: number };
  /** The consumer copies out what it keeps: chunks may be reused once it asks for the next. */
  lend?: boolean;
}

/** 1 MiB: below it (a control.tar), starting a worker costs more than decoding beside the parser saves. */
const LONG_STREAM = 1 << 20;

/** Decoded chunks of `input`; bzip2 and lzma (which no installed library decodes) are refused. */
export function decodePayload(
  input: AsyncIterable<Buffer>,
  compression: PayloadCompression,
  ctx: StreamContext,
): AsyncIterable<Buffer> {
  if (compression === 'bzip2' || compression === 'lzma') {
    throw new ArtifactFormatError(
      `${compression}-compressed data is not supported (supported: gzip, xz, zstd, none)`,
      { source: ctx.source, section: ctx.section },
    );
  }
  return decompressStream(input, compression, {
    source: ctx.source,
    section: ctx.section,
    maxOutput: ctx.maxTotal,
    maxRatio: ctx.maxRatio,
    inWorker: ctx.size >= LONG_STREAM,
    file: ctx.file,
    lend: ctx.lend,
  });
}

export function describeHead(head: Buffer): string {
  return hexBytes(head.subarray(0, SNIFF_BYTES));
}
