// Compressed inputs are recognised by their magic bytes, never by file name: `symvers.gz`,
// `/boot/symvers-<ver>.gz`, `.symvers.xz`. Every decompressor's output is capped so that a
// hostile input (a "zip bomb") fails with a clear error instead of exhausting memory.
import { Readable, type Transform } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { ArtifactFormatError, KabiError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd';

/** 256 MiB: ten times the largest Module.symvers seen (Debian 6.12: ~2 MiB). */
export const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

export function detectCompression(bytes: Uint8Array): Compression {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58 && bytes[4] === 0x5a)
    return 'xz';
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd';
  return 'none';
}

export interface DecompressOptions {
  source: string;
  maxOutput?: number;
}

/** Decompresses whatever compression `bytes` carry (or returns them as they are). */
export async function decompress(
  bytes: Uint8Array,
  opts: DecompressOptions,
): Promise<{ data: Uint8Array; compression: Compression }> {
  const compression = detectCompression(bytes);
  const maxOutput = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
  switch (compression) {
    case 'none':
      return { data: bytes, compression };
    case 'gzip':
      return { data: await gunzipCapped(bytes, opts.source, maxOutput), compression };
    case 'xz':
      return { data: await unxzCapped(bytes, opts.source, maxOutput), compression };
    case 'zstd':
      return { data: await unzstdCapped(bytes, opts.source, maxOutput), compression };
  }
}

const gunzipAsync = promisify(gunzip);

async function gunzipCapped(bytes: Uint8Array, source: string, maxOutput: number): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxOutput });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const reason =
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `gzip data expands past ${maxOutput} bytes; refusing`
        : `corrupt or truncated gzip data (${(cause as Error).message})`;
    throw new ArtifactFormatError(reason, { source, cause });
  }
}

async function unxzCapped(bytes: Uint8Array, source: string, maxOutput: number): Promise<Uint8Array> {
  // Loaded on demand: the native binding costs start-up time that plain-text inputs need not pay.
  const { createUnxz, parseFileIndex } = await import('node-liblzma');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // node-liblzma ends a truncated stream silently; the xz index (at the end of the file) says what a
  // whole file holds, so a missing tail is caught here and the size is known before decoding.
  let expected: number;
  try {
    expected = parseFileIndex(buf).uncompressedSize;
  } catch (cause) {
    throw new ArtifactFormatError(`corrupt or truncated xz data (${(cause as Error).message})`, {
      source,
      cause,
    });
  }
  if (expected > maxOutput) {
    throw new ArtifactFormatError(`xz data expands past ${maxOutput} bytes; refusing`, { source });
  }
  // One output chunk per call: large enough to avoid per-chunk overhead on big files, no larger than the
  // file, since every module of a package would otherwise allocate (and collect) a whole MiB.
  const unxz = createUnxz({ chunkSize: Math.min(1 << 20, Math.max(1 << 14, expected)) });
  const data = await drainCapped(unxz, buf, 'xz', source, maxOutput);
  if (data.length !== expected) {
    throw new ArtifactFormatError(
      `corrupt or truncated xz data (${data.length} bytes decoded, the index says ${expected})`,
      {
        source,
      },
    );
  }
  return data;
}

async function unzstdCapped(bytes: Uint8Array, source: string, maxOutput: number): Promise<Uint8Array> {
  const { DecompressStream } = await import('zstd-napi');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return drainCapped(new DecompressStream(), input, 'zstd', source, maxOutput);
}

/**
 * All of `decoder`'s output for `input`, stopped as soon as it passes `maxOutput`; any error of the
 * decoder's own means the data is corrupt or cut short.
 */
async function drainCapped(
  decoder: NodeJS.ReadWriteStream & { destroy(): void },
  input: Buffer,
  compression: Compression,
  source: string,
  maxOutput: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.from([input]).pipe(decoder) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxOutput) {
        decoder.destroy();
        throw new ArtifactFormatError(`${compression} data expands past ${maxOutput} bytes; refusing`, {
          source,
        });
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof ArtifactFormatError) throw cause;
    throw new ArtifactFormatError(`corrupt or truncated ${compression} data (${(cause as Error).message})`, {
      source,
      cause,
    });
  }
  return Buffer.concat(chunks, total);
}

// Streaming: packages (a 70 MB .deb holds ~400 MB of tar) are decoded chunk by chunk, never whole.

export interface DecompressStreamOptions extends DecompressOptions {
  /** The member or entry inside `source`, for error messages (e.g. `data.tar.xz`). */
  section?: string;
}

/**
 * Decodes `input` chunk by chunk as `compression` says, yielding the output; caps the output and
 * fails on corrupt or truncated data (an xz stream must end with its footer and index).
 */
export async function* decompressStream(
  input: AsyncIterable<Buffer>,
  compression: Compression,
  opts: DecompressStreamOptions,
): AsyncGenerator<Buffer> {
  const maxOutput = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
  const ctx = { source: opts.source, section: opts.section };
  const tail = compression === 'xz' ? new XzTail() : null;
  const watched = tail === null ? input : tail.watch(input);
  const decoder = await createDecoder(compression);
  const reader = decoder === null ? null : Readable.from(watched, { objectMode: false });
  let total = 0;
  try {
    if (reader !== null && decoder !== null) {
      reader.on('error', (e) => decoder.destroy(e));
      reader.pipe(decoder);
    }
    for await (const chunk of (decoder ?? watched) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxOutput) {
        const what = compression === 'none' ? 'data exceeds' : `${compression} data expands past`;
        throw new ArtifactFormatError(`${what} ${maxOutput} bytes; refusing`, ctx);
      }
      yield chunk;
    }
  } catch (cause) {
    if (cause instanceof KabiError) throw cause;
    const reason = `corrupt or truncated ${compression} data (${(cause as Error).message})`;
    throw new ArtifactFormatError(reason, { ...ctx, cause });
  } finally {
    reader?.destroy();
    decoder?.destroy();
  }
  tail?.verify(total, ctx);
}

async function createDecoder(compression: Compression): Promise<Transform | null> {
  switch (compression) {
    case 'none':
      return null;
    case 'gzip':
      return createGunzip();
    case 'xz':
      // node-liblzma declares its own `on` overloads, which TypeScript will not match to Transform's.
      return (await import('node-liblzma')).createUnxz({ chunkSize: 1 << 20 }) as unknown as Transform;
    case 'zstd':
      return new (await import('zstd-napi')).DecompressStream();
  }
}

/** Enough of the end of an xz stream to hold its footer and (for all but huge files) its index. */
const XZ_TAIL_BYTES = 1 << 16;

/**
 * node-liblzma ends a truncated stream without an error, so the end of the input is kept and checked
 * against the xz format (tukaani.org/xz/xz-file-format.txt): a stream ends with a 12-byte footer whose
 * last bytes are `YZ`, after an index listing each block's sizes. Streams may be concatenated (with zero
 * padding between), so the kept tail is walked back stream by stream, summing the sizes the indexes give.
 */
class XzTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  async *watch(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      this.total += chunk.length;
      while (this.chunks.length > 1 && this.kept - this.chunks[0]!.length >= XZ_TAIL_BYTES) {
        this.kept -= this.chunks.shift()!.length;
      }
      yield chunk;
    }
  }

  verify(decoded: number, ctx: { source: string; section: string | undefined }): void {
    const tail = Buffer.concat(this.chunks);
    let end = tail.length;
    let listed = 0;
    for (let streams = 0; ; streams++) {
      while (end >= 4 && tail.readUInt32LE(end - 4) === 0) end -= 4; // stream padding
      if (end === 0 && streams > 0) break;
      if (end < 12 || tail[end - 2] !== 0x59 || tail[end - 1] !== 0x5a) {
        if (streams > 0) break; // an earlier stream's end lies outside the kept tail
        throw new ArtifactFormatError('truncated xz data (the stream ends without its footer "YZ")', ctx);
      }
      const stream = xzStreamBefore(tail, end);
      if (stream === null) break; // its index or blocks lie outside the kept tail
      listed += stream.uncompressed;
      end = stream.start;
    }
    const whole = end === 0 && this.kept === this.total;
    if (!Number.isFinite(listed) || (whole ? decoded !== listed : decoded < listed)) {
      const reason = `corrupt or truncated xz data (${decoded} bytes decoded, the index says ${listed})`;
      throw new ArtifactFormatError(reason, ctx);
    }
  }
}

/** The stream whose footer ends at `end`: where it starts and its uncompressed size; null if cut off. */
function xzStreamBefore(tail: Buffer, end: number): { start: number; uncompressed: number } | null {
  const indexSize = (tail.readUInt32LE(end - 8) + 1) * 4;
  const indexStart = end - 12 - indexSize;
  if (indexStart < 0) return null;
  const index = tail.subarray(indexStart, end - 12);
  if (index[0] !== 0x00) return { start: Number.NaN, uncompressed: Number.NaN }; // not an index
  let pos = 1;
  const varint = (): number => {
    let value = 0;
    for (let i = 0; i < 9 && pos < index.length; i++) {
      const byte = index[pos++]!;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    return Number.NaN;
  };
  const records = varint();
  let blocks = 0;
  let uncompressed = 0;
  for (let i = 0; i < records && pos < index.length; i++) {
    blocks += Math.ceil(varint() / 4) * 4; // blocks are padded to four bytes
    uncompressed += varint();
  }
  const start = indexStart - blocks - 12; // the 12-byte stream header
  return start < 0 ? null : { start, uncompressed };
}
