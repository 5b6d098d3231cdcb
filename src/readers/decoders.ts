// The decompressors behind compression.ts, each a pull-driven generator: it decodes only as its consumer
// asks, one bounded output chunk at a time, so a bomb cannot run ahead of the caps that compression.ts
// checks between chunks. zstd-napi's DecompressStream and node-liblzma's Unxz decode a whole input
// chunk on every write and push all of it, ignoring back-pressure (a 33 KB zstd frame of zeros held
// 1 GiB before the first byte was counted), so their native contexts are driven here call by call.
// Node's zlib streams honour back-pressure and are used as they are.
import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import { type LzmaBinding, liblzma, newUnxzEngine } from './liblzma-binding.js';

/** What a decoder reports about a stream it could not decode (compression.ts names the file). */
export class CorruptStreamError extends Error {
  override name = 'CorruptStreamError';
}

/**
 * A decoder may keep `progress.fed` at the compressed bytes it has consumed for the output handed on so
 * far, when that can lag behind what it has read of `input` (the ratio cap then counts that instead).
 */
export type Decoder = (input: AsyncIterable<Buffer>, progress?: { fed: number }) => AsyncGenerator<Buffer>;

/** Output per call: large enough that a big stream costs few native calls, small enough to count. */
export const OUT_CHUNK = 1 << 20;

// node:zlib and node:stream load only for gzip: `kabi diff A.xz B.xz` (the quick entry, CommonJS, where an
// import() would start the ES module loader) needs neither, ~3 ms at its start.
const builtin = (id: string) => createRequire(import.meta.url)(id);

/**
 * gzip members, concatenated or not. `progress.fed` follows the input zlib has consumed (its bytesWritten),
 * not what the pipe has handed it: the pipe reads a few pieces ahead, and a bomb's output, checked
 * against those, ran to 100 MB (and as much garbage in RSS) before the ratio cap stopped it.
 */
export async function* gunzipChunks(
  input: AsyncIterable<Buffer>,
  progress?: { fed: number },
): AsyncGenerator<Buffer> {
  const { createGunzip } = builtin('node:zlib') as typeof import('node:zlib');
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  for await (const chunk of throughTransform(input, gunzip)) {
    if (progress) progress.fed = gunzip.bytesWritten;
    yield chunk;
  }
}

/**
 * zstd frames decoded in one call into a buffer of `size` bytes (ZSTD_decompressDCtx, which never writes
 * past it); null unless they decode to exactly that many.
 */
export async function unzstdInto(input: Buffer, size: number): Promise<Buffer | null> {
  const { DCtx } = (await import('zstd-napi/binding.js')).default;
  const out = Buffer.allocUnsafe(size);
  try {
    return new DCtx().decompress(out, input) === size ? out : null;
  } catch {
    return null;
  }
}

/** zstd frames, concatenated or not (RFC 8878); the stream must end on a frame boundary. */
export async function* unzstdChunks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // The binding module is zstd-napi's documented low-level interface (ZSTD_decompressStream).
  const { DCtx } = (await import('zstd-napi/binding.js')).default;
  const dctx = new DCtx();
  let inFrame = false;
  for await (const chunk of input) {
    let src = chunk;
    while (src.length > 0 || inFrame) {
      const out = Buffer.allocUnsafe(OUT_CHUNK);
      const [left, produced, consumed] = dctx.decompressStream(out, src);
      src = src.subarray(consumed);
      inFrame = left !== 0;
      if (produced > 0) yield out.subarray(0, produced);
      // A frame that needs more input than this chunk holds waits for the next one.
      if (produced < out.length && src.length === 0) break;
      if (produced === 0 && consumed === 0) throw new CorruptStreamError('zstd decoder made no progress');
    }
  }
  if (inFrame) throw new CorruptStreamError('the data ends inside a zstd frame');
}

/**
 * xz streams (concatenated streams and stream padding allowed, as xz(1) reads them). liblzma checks each
 * block against the index and the check field; a stream cut short never reaches LZMA_STREAM_END, which
 * node-liblzma's own stream would not notice. Decoding runs on the thread pool, one call per chunk.
 */
export async function* unxzChunks(
  input: AsyncIterable<Buffer>,
  outChunk = OUT_CHUNK,
): AsyncGenerator<Buffer> {
  // The native engine alone (liblzma-binding.ts): node-liblzma's Transform side was never written to.
  const lzma = liblzma();
  const engine = newUnxzEngine(lzma);
  const step = (action: number, src: Buffer | null, out: Buffer) =>
    new Promise<[number, number, number]>((resolve) => {
      engine.code(action, src, 0, src?.length ?? 0, out, 0, (ret, availIn, availOut) => {
        resolve([ret, availIn, availOut]);
        return false;
      });
    });
  let ended = false;
  let out: Buffer | null = null;
  /** Feeds `chunk` (null: the input has ended) until liblzma wants more input or the stream ends. */
  async function* run(action: number, chunk: Buffer | null, size: number): AsyncGenerator<Buffer> {
    let src = chunk;
    for (;;) {
      out ??= Buffer.allocUnsafe(size);
      const [ret, availIn, availOut] = await step(action, src, out);
      if (ret !== lzma.LZMA_OK && ret !== lzma.LZMA_STREAM_END) {
        throw new CorruptStreamError(lzmaReason(lzma, ret));
      }
      const produced = out.length - availOut;
      const consumed = (src?.length ?? 0) - availIn;
      src = src?.subarray(consumed) ?? null;
      if (produced > 0) {
        yield out.subarray(0, produced);
        out = null; // handed on; an empty buffer is kept for the next call
      }
      if (ret === lzma.LZMA_STREAM_END) {
        ended = true;
        return;
      }
      // More output waits inside liblzma only when a call filled its buffer (or, finishing, produced).
      if (availOut > 0 && (src === null ? produced === 0 : src.length === 0)) return;
      if (availOut > 0 && consumed === 0 && produced === 0) {
        throw new CorruptStreamError('xz decoder made no progress');
      }
    }
  }
  try {
    // LZMA_CONCATENATED: only LZMA_FINISH, once the input has ended, can end the last stream.
    for await (const chunk of input) if (chunk.length > 0) yield* run(lzma.LZMA_RUN, chunk, outChunk);
    yield* run(lzma.LZMA_FINISH, null, Math.min(outChunk, 1 << 16));
    if (!ended) throw new CorruptStreamError('the data ends inside an xz stream');
  } finally {
    engine.close();
  }
}

/** liblzma's return codes (the binding's, or node-liblzma's wrapper's: the same numbers). */
type Lzma = Pick<
  LzmaBinding,
  | 'LZMA_DATA_ERROR'
  | 'LZMA_FORMAT_ERROR'
  | 'LZMA_OPTIONS_ERROR'
  | 'LZMA_BUF_ERROR'
  | 'LZMA_MEM_ERROR'
  | 'LZMA_MEMLIMIT_ERROR'
>;

export function lzmaReason(lzma: Lzma, ret: number): string {
  const reasons: [number, string][] = [
    [lzma.LZMA_DATA_ERROR, 'data is corrupt'],
    [lzma.LZMA_FORMAT_ERROR, 'not in the .xz format'],
    [lzma.LZMA_OPTIONS_ERROR, 'unsupported options in the stream header'],
    [lzma.LZMA_BUF_ERROR, 'the data ends inside an xz stream'],
    [lzma.LZMA_MEM_ERROR, 'cannot allocate memory'],
    [lzma.LZMA_MEMLIMIT_ERROR, 'memory usage limit reached'],
  ];
  return reasons.find(([code]) => code === ret)?.[1] ?? `liblzma error ${ret}`;
}

/** Why a worker's xz decode stopped: a liblzma return code, or a reason of the worker's own. */
export function xzFailReason(lzma: Lzma | null, f: number | string): string {
  if (typeof f === 'number') return lzma ? lzmaReason(lzma, f) : `liblzma error ${f}`;
  if (f === 'truncated') return 'the data ends inside an xz stream';
  if (f === 'no-progress') return 'xz decoder made no progress';
  return f;
}

/** A zlib Transform fed from `input`; zlib pauses while its output is not read. */
async function* throughTransform(input: AsyncIterable<Buffer>, decoder: Transform): AsyncGenerator<Buffer> {
  const { Readable } = builtin('node:stream') as typeof import('node:stream');
  const reader = Readable.from(input, { objectMode: false });
  reader.on('error', (e) => decoder.destroy(e));
  reader.pipe(decoder);
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) yield chunk;
  } finally {
    reader.destroy();
    decoder.destroy();
  }
}

/**
 * `source`, asked for its next chunk as soon as one is handed on: xz decodes on the thread pool while
 * the consumer parses the chunk before, as node-liblzma's own stream did. At most one chunk waits.
 */
export async function* ahead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let pending = source.next();
  try {
    for (;;) {
      const result = await pending;
      if (result.done === true) return;
      pending = source.next();
      // Settled while the consumer holds the chunk before: a failure waits for the next request.
      pending.catch(() => {});
      yield result.value;
    }
  } finally {
    await pending.catch(() => {});
    await source.return(undefined);
  }
}
