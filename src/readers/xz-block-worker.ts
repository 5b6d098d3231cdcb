// A long xz stream of many blocks (a package's data.tar.xz: xz -T writes 24 MiB blocks) decoded by
// several worker threads at once, block i by worker i mod N, and handed on in order. One liblzma stream
// is single-threaded; its blocks are not (xz-index.ts: each is decoded as a stream of its own, checked
// against its index record and its check). Each worker reads its blocks from the file itself.
//
// Bounded as xz-worker.ts is: each worker may run at most `window` output chunks ahead of the consumer,
// about one block, so that the next block is decoded while this one is parsed; compression.ts checks its
// caps between the chunks handed on. Workers are asked to stop and waited for, never terminated.
//
// A consumer that is done with each chunk once it asks for the next (`lend`: the tar reader copying its
// files out) gets its chunks' memory reused: the buffer goes back to its worker, detached here, and is
// filled again. Left to the collector, dead chunks piled up to V8's 64 MB external-memory trigger in each
// worker's malloc arena, and those pages stayed resident: 120 MB of a 300 MB read of a kernel package.
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { CorruptStreamError, OUT_CHUNK, xzFailReason } from './decoders.js';
import { LIBLZMA_IN_WORKER, liblzma, liblzmaWhere } from './liblzma-binding.js';
import { singleBlockTail, type XzBlockPlan } from './xz-index.js';

/** Output chunks a worker may hold ahead at most: a block's worth (24 MiB for xz -T), capped. */
const MIN_WINDOW = 8;
const MAX_WINDOW = 40;
/** Compressed bytes read and fed per call. */
const IN_PIECE = 1 << 20;

// Run as a script (`eval`), as in xz-worker.ts. credits[0]: chunks it may post; credits[1]: stop.
const WORKER_SOURCE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { credits, where, outChunk, inPiece, path, header, blocks, recycled } = workerData;${LIBLZMA_IN_WORKER}
// A chunk the consumer is done with (whole buffers of outChunk bytes), else a new one.
const fresh = (size) => {
  const back = recycled ? receiveMessageOnPort(recycled) : undefined;
  return back ? Buffer.from(back.message, 0, size) : Buffer.allocUnsafeSlow(size);
};
const cancelled = () => Atomics.load(credits, 1) !== 0;
const post = (msg, transfer) => {
  while (Atomics.load(credits, 0) <= 0) {
    if (cancelled()) throw new Error('cancelled');
    Atomics.wait(credits, 0, 0, 1000);
  }
  Atomics.sub(credits, 0, 1);
  parentPort.postMessage(msg, transfer);
};
parentPort.on('message', (m) => {
  if (m.stop) parentPort.close();
});
Promise.resolve(where).then(loadLiblzma).then((lzma) => {
  let fd = -1;
  const piece = Buffer.allocUnsafe(inPiece);
  try {
    fd = openSync(path, 'r');
    for (const b of blocks) {
      const engine = newUnxzEngine(lzma);
      let out = null;
      let ended = false;
      let consumedAll = 0;
      const run = (action, src) => {
        for (;;) {
          if (cancelled()) throw new Error('cancelled');
          out ??= fresh(action === lzma.LZMA_FINISH ? Math.min(outChunk, 1 << 16) : outChunk);
          const [ret, availIn, availOut] = engine.codeSync(action, src, 0, src ? src.length : 0, out, 0);
          if (ret !== lzma.LZMA_OK && ret !== lzma.LZMA_STREAM_END) return ret;
          const produced = out.length - availOut;
          const consumed = (src ? src.length : 0) - availIn;
          consumedAll += consumed;
          src = src ? src.subarray(consumed) : null;
          if (produced > 0) {
            const fed = b.before + Math.min(b.length, Math.max(0, consumedAll - header.length));
            post({ block: b.index, out, length: produced, fed }, [out.buffer]);
            out = null;
          }
          if (ret === lzma.LZMA_STREAM_END) {
            ended = true;
            return null;
          }
          if (availOut > 0 && (src === null ? produced === 0 : src.length === 0)) return null;
          if (availOut > 0 && consumed === 0 && produced === 0) return 'no-progress';
        }
      };
      try {
        let ret = run(lzma.LZMA_RUN, Buffer.from(header));
        for (let at = 0; ret === null && at < b.length; ) {
          const n = Math.min(inPiece, b.length - at);
          let got = 0;
          while (got < n) {
            const r = readSync(fd, piece, got, n - got, b.offset + at + got);
            if (r === 0) break;
            got += r;
          }
          if (got < n) ret = 'truncated';
          else ret = run(lzma.LZMA_RUN, piece.subarray(0, n));
          at += n;
        }
        if (ret === null) ret = run(lzma.LZMA_RUN, Buffer.from(b.tail));
        if (ret === null) ret = run(lzma.LZMA_FINISH, null);
        if (ret === null && !ended) ret = 'truncated';
        if (ret !== null) {
          parentPort.postMessage({ block: b.index, fail: ret });
          return;
        }
        parentPort.postMessage({ block: b.index, blockDone: true });
      } finally {
        engine.close();
      }
    }
  } catch (e) {
    if (!cancelled()) parentPort.postMessage({ block: -1, fail: String(e && e.message) });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
});
`;

type Event =
  | { block: number; out: Uint8Array; length: number; fed: number }
  | { block: number; blockDone: true }
  | { block: number; fail: number | string }
  | { block: number; workerError: Error };

/**
 * The decoded bytes of `plan`'s stream, in order, its blocks decoded by `threads` workers at once.
 * `progress.fed` is kept at the compressed bytes before the chunk handed on, as for unxzInWorker.
 */
export async function* unxzBlocksInWorkers(
  plan: XzBlockPlan,
  threads: number,
  progress?: { fed: number },
  lend = false,
): AsyncGenerator<Buffer> {
  const lzma = liblzma();
  const n = Math.max(1, Math.min(threads, plan.blocks.length));
  const biggest = Math.max(...plan.blocks.map((b) => b.uncompressed));
  const window = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, Math.ceil(biggest / OUT_CHUNK) + 2));
  const where = liblzmaWhere();
  const queues: Event[][] = [];
  let wake: (() => void) | null = null;
  const workers = Array.from({ length: n }, (_, k) => {
    const credits = new Int32Array(new SharedArrayBuffer(8));
    credits[0] = window;
    const channel = lend ? new MessageChannel() : null;
    const blocks = plan.blocks
      .map((b, index) => ({ ...b, index, tail: new Uint8Array(singleBlockTail(plan.header, b)) }))
      .filter((b) => b.index % n === k);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        credits,
        where,
        outChunk: OUT_CHUNK,
        inPiece: IN_PIECE,
        path: plan.path,
        header: plan.header,
        blocks,
        recycled: channel?.port2,
      },
      transferList: channel ? [channel.port2] : [],
    });
    const queue: Event[] = [];
    queues.push(queue);
    const push = (e: Event) => {
      queue.push(e);
      wake?.();
    };
    worker.on('message', push);
    worker.on('error', (e) => push({ block: -1, workerError: e }));
    const exited = new Promise((r) => worker.once('exit', r));
    return { worker, credits, exited, recycle: channel?.port1 };
  });
  try {
    for (let j = 0; j < plan.blocks.length; j++) {
      const w = j % n;
      const queue = queues[w]!;
      const { credits, recycle } = workers[w]!;
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        const e = queue.shift()!;
        if ('out' in e) {
          if (progress) progress.fed = e.fed;
          yield Buffer.from(e.out.buffer, e.out.byteOffset, e.length);
          // Asked for the next chunk: a lent one goes back before the credit that lets its worker on.
          if (recycle && e.out.buffer.byteLength === OUT_CHUNK) giveBack(recycle, e.out.buffer);
          Atomics.add(credits, 0, 1);
          Atomics.notify(credits, 0);
        } else if ('blockDone' in e) {
          if (e.block !== j)
            throw new CorruptStreamError(`xz worker out of step (block ${e.block}, not ${j})`);
          break;
        } else if ('workerError' in e) {
          throw new CorruptStreamError(`xz worker failed: ${e.workerError.message}`);
        } else {
          const f = e.fail;
          throw new CorruptStreamError(xzFailReason(lzma, f));
        }
      }
    }
  } finally {
    // Asked to stop (before their next liblzma call) and waited for; never terminated inside codeSync.
    for (const { worker, credits, recycle } of workers) {
      recycle?.close();
      Atomics.store(credits, 1, 1);
      Atomics.notify(credits, 0);
      worker.postMessage({ stop: true });
    }
    await Promise.all(workers.map((w) => w.exited));
  }
}

/** Transferred, so the consumer's views of it are detached: a use after lending reads nothing, never new bytes. */
function giveBack(port: MessagePort, buffer: ArrayBufferLike): void {
  port.postMessage(buffer, [buffer as ArrayBuffer]);
}
