// gzip or zstd in a worker thread while the caller goes on, for a caller inside a synchronous
// better-sqlite3 transaction (a promise from zlib's thread pool could not be awaited there, and zstd-napi
// has none). An ingest's type digest is ~12 MB of JSON whose gzip (~0.4 s), and a kernel's modules' BTF
// 19 MB whose zstd frames (~0.12 s), used to run alone at the end of the transaction while the second
// core idled; started first, they run beside the entry's exports and modules being written, and the
// caller blocks (Atomics.wait) only when it needs the bytes. Same library, same level: the same bytes as
// on this thread. A worker that cannot start or does not answer is replaced by this thread.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { wholeArrayBuffer } from '../model/bytes.js';
import { zstdNapi, zstdNapiPath } from './zstd.js';

/** Below this many input bytes a worker's start (~30 ms) costs more than it saves. */
const MIN_BESIDE = 1 << 20;
/** How long to wait for a worker's answer before compressing here instead. */
const PATIENCE_MS = 30_000;

// Run as a script (`eval`), as the xz workers are. done[0] is set once the answer is posted.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, inputs, codec, done } = workerData;
try {
  const one = codec.zstd === undefined
    ? (b) => require('node:zlib').gzipSync(b, { level: codec.gzip })
    : (b) => require(codec.path).compress(b, { compressionLevel: codec.zstd });
  port.postMessage({ out: inputs.map(one) });
} catch (e) {
  port.postMessage({ error: String(e && e.message) });
} finally {
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
`;

/** A codec and its level: gzip (node:zlib) or zstd (zstd-napi, as module-btf-pack.ts writes it). */
export type Codec = { gzip: number } | { zstd: number };

/** The codec on this thread. */
function compressHere(codec: Codec): (b: Uint8Array) => Buffer {
  if ('gzip' in codec) return (b) => gzipSync(b, { level: codec.gzip });
  return (b) => zstdNapi().compress(b, { compressionLevel: codec.zstd });
}

/**
 * Each of `make()`'s buffers compressed, begun now; call the result for the bytes. The buffers are
 * handed to the worker, not copied (12 MB less held twice); `make` is called again only when the worker
 * cannot answer, to compress on this thread.
 */
export function compressBeside(make: () => Uint8Array[], codec: Codec): () => Buffer[] {
  const here = () => make().map(compressHere(codec));
  const inputs = make();
  if (inputs.reduce((n, b) => n + b.byteLength, 0) < MIN_BESIDE) {
    const out = inputs.map(compressHere(codec));
    return () => out;
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const owned = new Set<ArrayBuffer>();
  for (const b of inputs) {
    const whole = wholeArrayBuffer(b);
    if (whole) owned.add(whole);
  }
  try {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        port: port2,
        inputs,
        codec: 'zstd' in codec ? { ...codec, path: zstdNapiPath() } : codec,
        done,
      },
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
