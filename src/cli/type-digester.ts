// `kabi ingest`'s type digest in a worker thread (type-digest-worker.ts), fed as the package is read:
// the main thread reads the package's modules and writes the store, the worker builds vmlinux's type
// graph meanwhile and, at the end, declares the exports and hashes every node. The digest is the one
// kernelTypeDigest makes on the main thread (test/ingest/type-digester.test.ts holds them equal).
import { Worker } from 'node:worker_threads';
import type * as lib from '../index.js';
import type { FromWorker, ToWorker } from './type-digest-worker.js';

export function typeDigester(
  digestOfParts: (p: lib.TypeDigestParts) => lib.TypeDigest,
): () => lib.TypeDigester {
  return () => new WorkerTypeDigester(digestOfParts);
}

class WorkerTypeDigester implements lib.TypeDigester {
  /** Started with vmlinux's BTF: an ingest that stops before it (a package stored already) starts none. */
  private worker: Worker | null = null;
  private replies: Promise<FromWorker> | null = null;
  /** Modules read before vmlinux's BTF, posted once the worker starts. */
  private readonly waiting: ToWorker[] = [];
  private failed: Error | null = null;

  constructor(private readonly digestOfParts: (p: lib.TypeDigestParts) => lib.TypeDigest) {}

  private start(): Worker {
    // Beside this file, unbundled (dist/src/cli/) and bundled (dist/cli/, an entry of its own) alike.
    const worker = new Worker(new URL('./type-digest-worker.js', import.meta.url));
    this.replies = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`type digest worker exited (${code})`)));
    });
    // Seen when asked for: the read goes on.
    this.replies.catch((e: Error) => {
      this.failed = e;
    });
    return worker;
  }

  private post(m: ToWorker): void {
    if (this.worker) this.worker.postMessage(m);
    else this.waiting.push(m);
  }

  kernel(k: lib.KernelBtf): void {
    if (!k.raw) throw new Error(`${k.source}: vmlinux's BTF bytes were not kept for the type digest`);
    this.worker ??= this.start();
    this.worker.postMessage({ kernel: { bytes: k.raw, source: k.btf.source } } satisfies ToWorker);
    for (const m of this.waiting.splice(0)) this.worker.postMessage(m);
  }

  module(name: string, section: lib.BtfSectionBytes): void {
    this.post({ module: { name, bytes: section.bytes, source: section.source, offset: section.offset } });
  }

  async digest(build: lib.KernelBuild): Promise<lib.TypeDigest | null> {
    if (!this.worker) throw new Error(`${build.source}: no vmlinux BTF was given to the type digest`);
    const exports: [string, string | null, number | null][] = [];
    for (const e of build.exports.values()) exports.push([e.symbol, e.module, e.crc]);
    this.post({ digest: { source: build.source, exports } });
    const reply = await this.replies!;
    if ('error' in reply) {
      const e = new Error(reply.error.message);
      e.stack = reply.error.stack;
      throw e;
    }
    build.warnings.push(...reply.warnings);
    return reply.parts ? this.digestOfParts(reply.parts) : null;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker || this.failed) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ stop: true });
    await exited;
  }
}
