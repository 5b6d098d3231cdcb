// Compressed inputs are recognised by their magic bytes, never by file name: `symvers.gz`,
// `/boot/symvers-<ver>.gz`, `.symvers.xz`. Every decompressor's output is capped so that a
// hostile input (a "zip bomb") fails with a clear error instead of exhausting memory.
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ArtifactFormatError } from '../errors.js';

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
  const unxz = createUnxz({ chunkSize: 1 << 20 });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.from([buf]).pipe(unxz) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxOutput) {
        unxz.destroy();
        throw new ArtifactFormatError(`xz data expands past ${maxOutput} bytes; refusing`, { source });
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof ArtifactFormatError) throw cause;
    throw new ArtifactFormatError(`corrupt or truncated xz data (${(cause as Error).message})`, {
      source,
      cause,
    });
  }
  if (total !== expected) {
    throw new ArtifactFormatError(
      `corrupt or truncated xz data (${total} bytes decoded, the index says ${expected})`,
      {
        source,
      },
    );
  }
  return Buffer.concat(chunks, total);
}

async function unzstdCapped(bytes: Uint8Array, source: string, maxOutput: number): Promise<Uint8Array> {
  const { DecompressStream } = await import('zstd-napi');
  const unzstd = new DecompressStream();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for await (const chunk of Readable.from([input]).pipe(unzstd) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxOutput) {
        unzstd.destroy();
        throw new ArtifactFormatError(`zstd data expands past ${maxOutput} bytes; refusing`, { source });
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof ArtifactFormatError) throw cause;
    throw new ArtifactFormatError(`corrupt or truncated zstd data (${(cause as Error).message})`, {
      source,
      cause,
    });
  }
  return Buffer.concat(chunks, total);
}
