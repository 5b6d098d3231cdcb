// Whole small xz files (a package's 4,000 .ko.xz modules) decoded by a small pool of worker threads, so
// that the main thread only posts the bytes and takes the result: decoding on libuv's pool (unxzChunks)
// cost the main thread ~0.75 ms a module in stream and promise set-up, more than parsing it.
//
// Each job decodes as unxzChunks would (64 MiB input pieces, output chunks of `outChunk`, then
// LZMA_FINISH), so that the bytes, the chunks the caps see, and the errors are the same; it stops
// once its output passes `limit` (the lower of the caps) and says how far it got, for compression.ts to
// name the cap. Workers are held (ref'd) only while they have a job: an idle pool never keeps the
// process alive, and a worker is never ended inside a liblzma call by the process ending.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { wholeArrayBuffer } from '../model/bytes.js';
import { CorruptStreamError, xzFailReason } from './decoders.js';
import { LIBLZMA_IN_WORKER, type LzmaBinding, liblzma, liblzmaWhere } from './liblzma-binding.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');${LIBLZMA_IN_WORKER}
const start = Promise.resolve(workerData.where).then(loadLiblzma);
parentPort.on('message', async ({ id, input, outChunk, limit, inPiece }) => {
  const lzma = await start;
  const engine = newUnxzEngine(lzma);
  const chunks = [];
  let total = 0;
  let ended = false;
  let out = null;
  const run = (action, src, size) => {
    for (;;) {
      out ??= Buffer.allocUnsafeSlow(size);
      const [ret, availIn, availOut] = engine.codeSync(action, src, 0, src ? src.length : 0, out, 0);
      if (ret !== lzma.LZMA_OK && ret !== lzma.LZMA_STREAM_END) return ret;
      const produced = out.length - availOut;
      const consumed = (src ? src.length : 0) - availIn;
      src = src ? src.subarray(consumed) : null;
      if (produced > 0) {
        chunks.push(out.subarray(0, produced));
        total += produced;
        out = null;
        if (total > limit) return 'over';
      }
      if (ret === lzma.LZMA_STREAM_END) {
        ended = true;
        return null;
      }
      if (availOut > 0 && (src === null ? produced === 0 : src.length === 0)) return null;
      if (availOut > 0 && consumed === 0 && produced === 0) return 'no-progress';
    }
  };
  let ret = null;
  try {
    const data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    for (let at = 0; ret === null && at < data.length; at += inPiece)
      ret = run(lzma.LZMA_RUN, data.subarray(at, at + inPiece), outChunk);
    if (ret === null) ret = run(lzma.LZMA_FINISH, null, Math.min(outChunk, 1 << 16));
    if (ret === null && !ended) ret = 'truncated';
  } catch (e) {
    ret = String(e && e.message);
  } finally {
    engine.close();
  }
  if (ret === 'over') parentPort.postMessage({ id, over: total });
  else if (ret !== null) parentPort.postMessage({ id, fail: ret, total });
  else {
    // One chunk is a buffer of its own (allocUnsafeSlow); several are joined into one (never Buffer's pool,
    // whose memory must not be transferred).
    let whole = chunks[0] ?? Buffer.allocUnsafeSlow(0);
    if (chunks.length > 1) {
      whole = Buffer.allocUnsafeSlow(total);
      let at = 0;
      for (const c of chunks) at += c.copy(whole, at);
    }
    parentPort.postMessage({ id, out: whole, length: total }, [whole.buffer]);
  }
});
`;

export type PoolResult = { data: Buffer } | { over: number };

interface Job {
  id: number;
  input: Uint8Array;
  /** The input's buffer may be transferred when it is wholly the input's. */
  handOver: boolean;
  outChunk: number;
  limit: number;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

const SIZE = Math.min(4, Math.max(2, availableParallelism()));
const IN_PIECE = 64 * 1024 * 1024;

let slots: Slot[] | null = null;
const waiting: Job[] = [];
let nextId = 0;

function pool(): Slot[] {
  if (slots) return slots;
  const where = liblzmaWhere();
  slots = Array.from({ length: SIZE }, () => {
    const slot: Slot = {
      worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { where } }),
      job: null,
    };
    slot.worker.unref();
    slot.worker.on(
      'message',
      (m: { id: number; out?: Uint8Array; length?: number; over?: number; fail?: number | string }) => {
        const job = slot.job;
        if (!job || job.id !== m.id) return;
        finish(slot);
        if (m.out) job.resolve({ data: Buffer.from(m.out.buffer, m.out.byteOffset, m.length) });
        else if (m.over !== undefined) job.resolve({ over: m.over });
        else job.reject(new CorruptStreamError(failReason(m.fail!)));
      },
    );
    slot.worker.on('error', (e) => {
      const job = slot.job;
      // A worker that died is replaced at the next use; its job fails with the reason.
      slots = slots?.filter((s) => s !== slot) ?? null;
      if (slots?.length === 0) slots = null;
      if (job) {
        finish(slot);
        job.reject(new CorruptStreamError(`xz worker failed: ${e.message}`));
      }
    });
    return slot;
  });
  return slots;
}

let lzma: LzmaBinding | null = null;

const failReason = (f: number | string) => xzFailReason(lzma, f);

function finish(slot: Slot): void {
  slot.job = null;
  const next = waiting.shift();
  if (next) start(slot, next);
  else slot.worker.unref();
}

function start(slot: Slot, job: Job): void {
  slot.job = job;
  slot.worker.ref();
  // Only the job's own bytes cross over, in a buffer of their own (a view may share a pooled one): the
  // caller's when it may be handed over and is wholly the input, else a copy.
  const input = job.handOver && wholeArrayBuffer(job.input) ? job.input : new Uint8Array(job.input);
  slot.worker.postMessage(
    { id: job.id, input, outChunk: job.outChunk, limit: job.limit, inPiece: IN_PIECE },
    [input.buffer as ArrayBuffer],
  );
}

/**
 * The decoded bytes of a whole xz `input`, or how far the output got past `limit`; decoded in one of the
 * pool's workers with output chunks of `outChunk` bytes. `handOver`: a buffer that is wholly `input` is
 * transferred to the worker, not copied (detached here).
 */
export async function unxzInPool(
  input: Uint8Array,
  outChunk: number,
  limit: number,
  handOver = false,
): Promise<PoolResult> {
  lzma ??= liblzma();
  return new Promise<PoolResult>((resolve, reject) => {
    const job: Job = { id: nextId++, input, handOver, outChunk, limit, resolve, reject };
    const free = pool().find((s) => s.job === null);
    if (free) start(free, job);
    else waiting.push(job);
  });
}
