// A long xz stream (a package's data.tar.xz: 70 MB in, 400 MB out) decoded in a worker thread, so that
// liblzma runs without pause while the main thread parses the tar and the modules: decoding on the thread
// pool (unxzChunks) waits for the main thread between calls, and a main thread busy parsing a module
// leaves it idle. liblzma itself is single-threaded for one stream; this overlaps it with the rest.
//
// Bounded both ways: the worker may run at most WINDOW output chunks ahead of the consumer (a shared
// counter it waits on), and the main side sends at most INPUT_AHEAD input pieces ahead of the decoder.
// compression.ts checks its caps between the chunks handed on, as for the other decoders.
import { Worker } from 'node:worker_threads';
import { CorruptStreamError, OUT_CHUNK, xzFailReason } from './decoders.js';
import { LIBLZMA_IN_WORKER, liblzma, liblzmaWhere } from './liblzma-binding.js';

/** Output chunks decoded ahead of the consumer at most (WINDOW × OUT_CHUNK bytes held). */
const WINDOW = 8;
/** Input pieces posted to the worker ahead of its decoding. */
const INPUT_AHEAD = 4;

// The worker's code, run as a script (`eval`) so the bundled CLI needs no second entry point. It decodes
// with codeSync on its own thread; credits[0] is how many more chunks it may post, credits[1] says stop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { credits, where, outChunk } = workerData;${LIBLZMA_IN_WORKER}
const start = Promise.resolve(where).then(loadLiblzma).then((lzma) => {
  const engine = newUnxzEngine(lzma);
  let out = null;
  let ended = false;
  let fedBefore = 0;
  const post = (buf, produced, fed) => {
    while (Atomics.load(credits, 0) <= 0) {
      if (Atomics.load(credits, 1) !== 0) throw new Error('cancelled');
      Atomics.wait(credits, 0, 0, 1000);
    }
    Atomics.sub(credits, 0, 1);
    parentPort.postMessage({ out: buf, length: produced, fed }, [buf.buffer]);
  };
  const run = (action, src, size) => {
    const whole = src ? src.length : 0;
    for (;;) {
      if (Atomics.load(credits, 1) !== 0) throw new Error('cancelled');
      out ??= Buffer.allocUnsafeSlow(size);
      const [ret, availIn, availOut] = engine.codeSync(action, src, 0, src ? src.length : 0, out, 0);
      if (ret !== lzma.LZMA_OK && ret !== lzma.LZMA_STREAM_END) return ret;
      const produced = out.length - availOut;
      const consumed = (src ? src.length : 0) - availIn;
      src = src ? src.subarray(consumed) : null;
      if (produced > 0) {
        post(out, produced, fedBefore + whole - (src ? src.length : 0));
        out = null;
      }
      if (ret === lzma.LZMA_STREAM_END) {
        fedBefore += whole;
        ended = true;
        return null;
      }
      if (availOut > 0 && (src === null ? produced === 0 : src.length === 0)) {
        fedBefore += whole;
        return null;
      }
      if (availOut > 0 && consumed === 0 && produced === 0) return 'no-progress';
    }
  };
  return { lzma, run, ended: () => ended, close: () => engine.close() };
});
parentPort.on('message', async (m) => {
  const d = await start;
  if (m.stop) {
    d.close();
    parentPort.close();
    return;
  }
  if (Atomics.load(credits, 1) !== 0) return;
  try {
    if (m.input) {
      const ret = d.run(d.lzma.LZMA_RUN, Buffer.from(m.input.buffer, m.input.byteOffset, m.input.byteLength), outChunk);
      parentPort.postMessage(ret === null ? { need: true } : { fail: ret });
    } else {
      const ret = d.run(d.lzma.LZMA_FINISH, null, Math.min(outChunk, 1 << 16));
      parentPort.postMessage(ret !== null ? { fail: ret } : d.ended() ? { done: true } : { fail: 'truncated' });
    }
  } catch (e) {
    if (Atomics.load(credits, 1) === 0) parentPort.postMessage({ fail: String(e && e.message) });
  }
});
`;

type Event =
  | { out: Uint8Array; length: number; fed: number }
  | { need: true }
  | { done: true }
  | { fail: number | string }
  | { inputError: unknown }
  | { workerError: Error };

/**
 * The decoded chunks of an xz `input` (concatenated streams allowed), decoded in a worker thread.
 * `progress.fed` is kept at the compressed bytes liblzma had consumed when the chunk handed on was
 * decoded (the input is sent ahead of it, and a ratio cap must count what was decoded, not what was sent).
 */
export async function* unxzInWorker(
  input: AsyncIterable<Buffer>,
  progress?: { fed: number },
): AsyncGenerator<Buffer> {
  const lzma = liblzma();
  const credits = new Int32Array(new SharedArrayBuffer(8));
  credits[0] = WINDOW;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { credits, where: liblzmaWhere(), outChunk: OUT_CHUNK },
  });
  const events: Event[] = [];
  let wake: (() => void) | null = null;
  const push = (e: Event) => {
    events.push(e);
    wake?.();
  };
  let inFlight = 0;
  let stopped = false;
  const inputWake: { fn: (() => void) | null } = { fn: null };
  worker.on('message', (m: Event) => {
    if ('need' in m) {
      inFlight--;
      inputWake.fn?.();
    } else push(m);
  });
  worker.on('error', (e) => push({ workerError: e }));
  const pump = async () => {
    try {
      for await (const piece of input) {
        if (stopped) return;
        if (piece.length === 0) continue;
        while (inFlight >= INPUT_AHEAD && !stopped) await new Promise<void>((r) => (inputWake.fn = r));
        if (stopped) return;
        // Only the piece's own bytes cross over (a view's whole ArrayBuffer would be cloned).
        const copy = new Uint8Array(piece);
        inFlight++;
        worker.postMessage({ input: copy }, [copy.buffer]);
      }
      if (!stopped) worker.postMessage({ end: true });
    } catch (e) {
      push({ inputError: e });
    }
  };
  void pump();
  try {
    for (;;) {
      while (events.length === 0) await new Promise<void>((r) => (wake = r));
      wake = null;
      const e = events.shift()!;
      if ('out' in e) {
        if (progress) progress.fed = e.fed;
        yield Buffer.from(e.out.buffer, e.out.byteOffset, e.length);
        Atomics.add(credits, 0, 1);
        Atomics.notify(credits, 0);
      } else if ('done' in e) return;
      else if ('inputError' in e) throw e.inputError;
      else if ('workerError' in e) throw new CorruptStreamError(`xz worker failed: ${e.workerError.message}`);
      else if ('fail' in e) {
        const f = e.fail;
        throw new CorruptStreamError(xzFailReason(lzma, f));
      }
    }
  } finally {
    stopped = true;
    inputWake.fn?.();
    // The worker is asked to stop, never terminated, and waited for: a worker ended inside codeSync (by
    // terminate() or process.exit) aborts the process, node-liblzma's napi calls failing fatally. It
    // stops before its next call, within one chunk's decoding.
    Atomics.store(credits, 1, 1);
    Atomics.notify(credits, 0);
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage({ stop: true });
    await exited;
  }
}
