// gzip (or zstd) in a worker thread while the caller goes on, for a caller inside a synchronous
// better-sqlite3 transaction (a promise from zlib's thread pool could not be awaited there). An ingest's
// type digest was ~12 MB of JSON whose gzip (~0.4 s) ran alone at the end of the transaction while the
// second core idled; a package's modules' split BTF is 19 MB whose zstd takes ~0.1 s. Started first, the
// compression runs beside the entry's exports and modules being written, and the caller blocks
// (Atomics.wait) only when it needs the bytes. Same library, same level: the same bytes as compressing on
// this thread. A worker that cannot start or does not answer is replaced by compressing here.
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type * as Zstd from 'zstd-napi';

/** Below this many input bytes a worker's start (~30 ms) costs more than it saves. */
const MIN_BESIDE = 1 << 20;
/** How long to wait for a worker's answer before gzipping here instead. */
const PATIENCE_MS = 30_000;

// Run as a script (`eval`), as the xz workers are. done[0] is set once the answer is posted.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, inputs, level, done, zstd } = workerData;
try {
  const compress = zstd
    ? (b) => require(zstd).compress(b, { compressionLevel: level })
    : (b) => require('node:zlib').gzipSync(b, { level });
  const out = inputs.map(compress);
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
  return beside(make, level, (b) => gzipSync(b, { level }), null);
}

// The addon is loaded when first needed (as in sqlite-kernel-btf.ts); the worker requires it by path.
const requireHere = createRequire(import.meta.url);

/** zstd (zstd-napi's `compress`, at `level`) of each of `make()`'s buffers, as gzipBeside. */
export function zstdBeside(make: () => Uint8Array[], level: number): () => Buffer[] {
  const compress = (b: Uint8Array) =>
    (requireHere('zstd-napi') as typeof Zstd).compress(b, { compressionLevel: level });
  return beside(make, level, compress, requireHere.resolve('zstd-napi'));
}

function beside(
  make: () => Uint8Array[],
  level: number,
  compress: (b: Uint8Array) => Buffer,
  zstd: string | null,
): () => Buffer[] {
  const here = () => make().map(compress);
  const inputs = make();
  if (inputs.reduce((n, b) => n + b.byteLength, 0) < MIN_BESIDE) {
    const out = inputs.map(compress);
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
      workerData: { port: port2, inputs, level, done, zstd },
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
