// Compressed inputs are recognised by their magic bytes, never by file name: `symvers.gz`,
// `/boot/symvers-<ver>.gz`, `.symvers.xz`, `.ko.xz`, a .deb's `data.tar.zst`. Every decompressor is
// capped twice while it streams, so that a hostile input (a "decompression bomb") fails with the file
// and the cap named, in bounded memory and time:
//   - output: at most `maxOutput` bytes (a whole buffer) or `maxTotal` (a package's stream);
//   - ratio: at most `maxRatio` times the compressed bytes read so far, beyond a small floor. Real data
//     stays far below it (see DEFAULT_MAX_RATIO), while zstd turns 33 KB of zeros into 1 GiB.
// The decoders (decoders.ts) decode one bounded chunk at a time as the caps are checked.
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ArtifactFormatError, type FormatErrorContext, KabiError } from '../errors.js';
import { type Compression, detectCompression } from './compression-magic.js';
import { ahead, type Decoder, gunzipChunks, unxzChunks, unzstdChunks, unzstdInto } from './decoders.js';
import { liblzma } from './liblzma-binding.js';
import { unxzBlocksInWorkers } from './xz-block-worker.js';
import { readXzBlockPlan } from './xz-index.js';
import { unxzInPool } from './xz-pool.js';
import { unxzInWorker } from './xz-worker.js';

// Detection has a file of its own, with no imports: the quick entry's diff calls it without the workers
// this file loads.
export { type Compression, detectCompression };

/** 256 MiB: ten times the largest Module.symvers seen (Debian 6.12: ~2 MiB). */
export const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Output may be at most this many times the compressed input. The highest ratios in real data
 * (Debian bookworm and bullseye kernel packages, amd64, arm64, ppc64el, s390x): one file, test_bpf.ko,
 * 109 as shipped (.ko.xz), 111 at xz -9e, 99 at zstd -19; the other 4229 modules of 6.12 at most 24;
 * package members 17.7 (a control.tar.xz), their data.tar streams at most 6.5 at any point while read;
 * Module.symvers 6. 500 leaves four times the highest, and stays under gzip's own ceiling (1032), so
 * that a gzip bomb meets this cap too; zstd and xz bombs reach 7,000 to 32,000.
 */
export const DEFAULT_MAX_RATIO = 500;

/** Output below this is never refused for its ratio: a few bytes may rightly stand for a page of zeros. */
export const RATIO_FLOOR = 4 * 1024 * 1024;

/** Decompressed data past a cap: the file (and member) and the cap are named. */
export class DecompressionLimitError extends ArtifactFormatError {
  /** Which cap: the output size, or the output's ratio to the compressed input. */
  readonly limit: 'output' | 'ratio';
  /** The cap's value: bytes for `output`, a factor for `ratio`. */
  readonly cap: number;

  constructor(reason: string, ctx: FormatErrorContext, limit: 'output' | 'ratio', cap: number) {
    super(reason, ctx);
    this.limit = limit;
    this.cap = cap;
  }
}

export interface DecompressOptions {
  source: string;
  maxOutput?: number;
  /**
   * Decode xz in a worker of a small pool (xz-pool.ts) rather than on libuv's threads: for callers that
   * decode many small files at once (a package's .ko.xz modules), whose main thread has other work.
   */
  inWorker?: boolean;
  /**
   * With `inWorker`: the input's memory goes to the worker when it is a buffer of its own (not a view of a
   * larger one), instead of a copy; the caller must not read it afterwards (it is detached).
   */
  handOver?: boolean;
  /** Output may be at most this many times the input (beyond RATIO_FLOOR); default DEFAULT_MAX_RATIO. */
  maxRatio?: number;
  /**
   * The size the container says the output has (a bzImage's size after its payload): zstd is then
   * decoded in one call into one buffer of it, not in chunks joined afterwards (6.12's 57.6 MB vmlinux:
   * 0.59 -> 0.27 s). Any other outcome is decoded again as usual, for its error's words.
   */
  expectedSize?: number;
}

interface Caps {
  compression: Compression;
  inWorker?: boolean;
  handOver?: boolean;
  maxOutput: number;
  maxRatio: number;
  ctx: FormatErrorContext;
}

function capsOf(compression: Compression, opts: DecompressStreamOptions): Caps {
  return {
    compression,
    maxOutput: opts.maxOutput ?? DEFAULT_MAX_OUTPUT,
    maxRatio: opts.maxRatio ?? DEFAULT_MAX_RATIO,
    ctx: { source: opts.source, section: opts.section },
  };
}

/** Throws when `total` bytes of output from `fed` bytes of input pass a cap. */
function checkCaps(total: number, fed: number, caps: Caps): void {
  const { compression, maxOutput, maxRatio, ctx } = caps;
  if (total > maxOutput) {
    const what = compression === 'none' ? 'data exceeds' : `${compression} data expands past`;
    throw new DecompressionLimitError(`${what} ${maxOutput} bytes; refusing`, ctx, 'output', maxOutput);
  }
  if (total > maxRatio * fed + RATIO_FLOOR) {
    const reason = `${compression} data expands to more than ${maxRatio} times its compressed size (${total} bytes from ${fed}); refusing`;
    throw new DecompressionLimitError(reason, ctx, 'ratio', maxRatio);
  }
}

function corrupt(cause: unknown, caps: Caps): KabiError {
  if (cause instanceof KabiError) return cause;
  const reason = `corrupt or truncated ${caps.compression} data (${(cause as Error).message})`;
  return new ArtifactFormatError(reason, { ...caps.ctx, cause });
}

/** Decompresses whatever compression `bytes` carry (or returns them as they are). */
export async function decompress(
  bytes: Uint8Array,
  opts: DecompressOptions,
): Promise<{ data: Uint8Array; compression: Compression }> {
  const compression = detectCompression(bytes);
  if (compression === 'none') return { data: bytes, compression };
  const caps = {
    ...capsOf(compression, opts),
    inWorker: opts.inWorker === true,
    handOver: opts.handOver === true,
  };
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (compression) {
    case 'gzip':
      return { data: await gunzipCapped(input, caps), compression };
    case 'xz':
      return { data: await unxzCapped(input, caps), compression };
    case 'zstd': {
      const whole =
        opts.expectedSize === undefined ? null : await unzstdWhole(input, opts.expectedSize, caps);
      return { data: whole ?? (await collect(unzstdChunks(pieces(input)), input.length, caps)), compression };
    }
  }
}

/** `input` decoded in one call into `size` bytes, when that is what it decodes to within the caps; else null. */
async function unzstdWhole(input: Buffer, size: number, caps: Caps): Promise<Buffer | null> {
  if (!Number.isSafeInteger(size) || size <= 0) return null;
  if (size > Math.min(caps.maxOutput, caps.maxRatio * input.length + RATIO_FLOOR)) return null;
  return unzstdInto(input, size);
}

const gunzipAsync = promisify(gunzip);

/** zlib's own maxOutputLength stops it at the lower of the two caps. */
async function gunzipCapped(input: Buffer, caps: Caps): Promise<Buffer> {
  const limit = Math.min(caps.maxOutput, caps.maxRatio * input.length + RATIO_FLOOR);
  try {
    return await gunzipAsync(input, { maxOutputLength: limit });
  } catch (cause) {
    // Past `limit` means past one of the caps, which checkCaps names.
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      checkCaps(limit + 1, input.length, caps);
    throw corrupt(cause, caps);
  }
}

async function unxzCapped(input: Buffer, caps: Caps): Promise<Buffer> {
  // The xz index (at the end of the file) says what a whole file holds: a file cut short fails here, a
  // declared bomb is refused before any decoding, and the output fits one buffer.
  let expected: number;
  try {
    expected = liblzma().parseFileIndex(input).uncompressedSize;
  } catch (cause) {
    throw corrupt(cause, caps);
  }
  checkCaps(expected, input.length, caps);
  const outChunk = Math.min(expected + 1, MAX_OUT_BUFFER);
  const data = caps.inWorker
    ? await unxzPooled(input, outChunk, caps)
    : await collect(unxzChunks(pieces(input), outChunk), input.length, caps);
  if (data.length !== expected) {
    const reason = `corrupt or truncated xz data (${data.length} bytes decoded, the index says ${expected})`;
    throw new ArtifactFormatError(reason, caps.ctx);
  }
  return data;
}

/** As collect(unxzChunks(...)) would decode it, in a pool worker: the same bytes, caps and errors. */
async function unxzPooled(input: Buffer, outChunk: number, caps: Caps): Promise<Buffer> {
  // The length now: a buffer handed over is detached once posted.
  const fed = input.length;
  const limit = Math.min(caps.maxOutput, caps.maxRatio * fed + RATIO_FLOOR);
  let result: Awaited<ReturnType<typeof unxzInPool>>;
  try {
    result = await unxzInPool(input, outChunk, limit, caps.handOver === true);
  } catch (cause) {
    throw corrupt(cause, caps);
  }
  if ('over' in result) checkCaps(result.over, fed, caps);
  if ('data' in result) return result.data;
  throw new ArtifactFormatError('xz data expands past its caps', caps.ctx); // checkCaps has thrown
}

/** node-liblzma refuses buffers over 512 MiB in one call. */
const MAX_OUT_BUFFER = 256 * 1024 * 1024;
const MAX_IN_PIECE = 64 * 1024 * 1024;

async function* pieces(input: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < input.length; at += MAX_IN_PIECE) yield input.subarray(at, at + MAX_IN_PIECE);
}

/** All of `output`, checked against the caps as it comes; `fed` is the whole compressed size. */
async function collect(output: AsyncGenerator<Buffer>, fed: number, caps: Caps): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of output) {
      total += chunk.length;
      checkCaps(total, fed, caps);
      chunks.push(chunk);
    }
  } catch (cause) {
    throw corrupt(cause, caps);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

// Streaming: packages (a 70 MB .deb holds ~400 MB of tar) are decoded chunk by chunk, never whole.

export interface DecompressStreamOptions extends DecompressOptions {
  /** The member or entry inside `source`, for error messages (e.g. `data.tar.xz`). */
  section?: string;
  /** Decode xz in a worker thread beside the consumer (for long streams: a package's data.tar). */
  inWorker?: boolean;
  /**
   * Where `input` lies in a file: with `inWorker`, an xz stream of several blocks is then decoded by
   * several workers at once, each reading its blocks from the file (xz-block-worker.ts).
   */
  file?: { path: string; start: number; end: number };
  /**
   * The consumer is done with each chunk once it asks for the next (it copies out what it keeps): the
   * chunk's memory may then be reused, and the chunk is detached (xz-block-worker.ts).
   */
  lend?: boolean;
}

/** Workers decoding one stream's blocks: two keep a 2-core machine busy beside the parser. */
const BLOCK_THREADS = Math.min(4, Math.max(2, availableParallelism() - 1));

const DECODERS: Record<Exclude<Compression, 'none'>, Decoder> = {
  gzip: gunzipChunks,
  xz: (input) => ahead(unxzChunks(input)),
  zstd: unzstdChunks,
};

/**
 * Decodes `input` chunk by chunk as `compression` says, yielding the output; the caps are checked
 * after every chunk, the ratio against the compressed bytes read so far. Fails on corrupt or truncated
 * data (an xz stream must reach its end, a zstd frame must be whole).
 */
export async function* decompressStream(
  input: AsyncIterable<Buffer>,
  compression: Compression,
  opts: DecompressStreamOptions,
): AsyncGenerator<Buffer> {
  const caps = capsOf(compression, opts);
  const meter = { fed: 0 };
  const counted = metered(input, meter);
  // A decoder that reads ahead of its decoding says how much input its output came from.
  const progress = { fed: Number.POSITIVE_INFINITY };
  const plan =
    compression === 'xz' && opts.inWorker === true && opts.file
      ? await readXzBlockPlan(opts.file.path, opts.file.start, opts.file.end).catch(() => null)
      : null;
  if (plan) meter.fed = Number.POSITIVE_INFINITY; // the workers read the file; they report what they fed
  const decoded = plan
    ? unxzBlocksInWorkers(plan, BLOCK_THREADS, progress, opts.lend === true)
    : compression === 'none'
      ? counted
      : (compression === 'xz' && opts.inWorker === true ? unxzInWorker : DECODERS[compression])(
          counted,
          progress,
        );
  let total = 0;
  try {
    for await (const chunk of decoded) {
      total += chunk.length;
      checkCaps(total, Math.min(meter.fed, progress.fed), caps);
      yield chunk;
    }
  } catch (cause) {
    throw corrupt(cause, caps);
  }
}

/**
 * Compressed input fed to a decoder in pieces of this size at most, so that the bytes counted as read
 * stay close to those decoded: a bomb's output is stopped within maxRatio times a piece of the input.
 */
const FEED_PIECE = 64 * 1024;

async function* metered(input: AsyncIterable<Buffer>, meter: { fed: number }): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; at += FEED_PIECE) {
      const piece = chunk.subarray(at, at + FEED_PIECE);
      meter.fed += piece.length;
      yield piece;
    }
  }
}
