// gzip in a worker thread while the caller goes on, for a caller inside a synchronous better-sqlite3
// transaction (a promise from zlib's thread pool could not be awaited there). An ingest's type digest is
// ~12 MB of JSON whose gzip (~0.4 s) used to run alone at the end of the transaction while the second
// core idled; started first, it runs beside the entry's exports and modules being written, and the
// caller blocks (Atomics.wait) only when it needs the bytes. Same zlib, same level: the same bytes as
// gzipSync on this thread. A worker that cannot start or does not answer is replaced by gzipSync here.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';

/** Below this many input bytes a worker's start (~30 ms) costs more than it saves. */
const MIN_BESIDE = 1 << 20;
/** How long to wait for a worker's answer before gzipping here instead. */
const PATIENCE_MS = 30_000;

// Run as a script (`eval`), as the xz workers are. done[0] is set once the answer is posted.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
const { port, inputs, level, done } = workerData;
try {
  const out = inputs.map((b) => gzipSync(b, { level }));
  port.postMessage({ out });
} catch (e) {
  port.postMessage({ error: String(e && e.message) });
} finally {
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
`;

/**
 * gzip of each of `make()`'s buffers (at `level`), begun now; call the result for the bytes. The buffers
 * are handed to the worker, not copied (12 MB less held twice); `make` is called again only when the
 * worker cannot answer, to gzip on this thread.
 */
export function gzipBeside(make: () => Uint8Array[], level: number): () => Buffer[] {
  const here = () => make().map((b) => gzipSync(b, { level }));
  const inputs = make();
  if (inputs.reduce((n, b) => n + b.byteLength, 0) < MIN_BESIDE) {
    const out = inputs.map((b) => gzipSync(b, { level }));
    return () => out;
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const owned = new Set<ArrayBuffer>();
  for (const b of inputs)
    if (b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength)
      owned.add(b.buffer);
  try {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, inputs, level, done },
      transferList: [port2, ...owned],
    });
    // An ingest that fails before it asks for the bytes must not wait for the worker to exit.
    worker.unref();
    worker.on('error', () => {});
  } catch {
    port1.close();
    const out = here();
    return () => out;
  }
  return () => {
    const until = Date.now() + PATIENCE_MS;
    while (Atomics.load(done, 0) === 0 && Date.now() < until) Atomics.wait(done, 0, 0, 100);
    const answer = receiveMessageOnPort(port1)?.message as { out?: Uint8Array[] } | undefined;
    port1.close();
    if (!answer?.out) return here();
    return answer.out.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  };
}
