// The worker thread of `kabi ingest`'s type digest (type-digester.ts): vmlinux's type graph is built as
// soon as its BTF arrives, while the package's modules are still decoded and read; the modules' .BTF
// sections are kept as bytes and each is parsed only when the exports' declarations reach it, then let
// go after its last export. Parsed as they arrived and kept (as the main thread did), the modules' BTF was
// ~115 MB of heap, and the collections it caused cost more than the parses saved at the end.
import { parentPort } from 'node:worker_threads';
import * as lib from '../index.js';

export type ToWorker =
  | { kernel: { bytes: Uint8Array; source: string } }
  | { module: { name: string; bytes: Uint8Array; source: string; offset: number } }
  | { digest: { source: string; exports: [symbol: string, module: string | null, crc: number | null][] } };

export type FromWorker =
  | { parts: lib.TypeDigestParts | null; warnings: string[] }
  | { error: { message: string; stack?: string } };

/** Module BTF by name, parsed on first use and dropped after the use counted last. */
class ModuleLookup {
  readonly raw = new Map<string, { bytes: Uint8Array; source: string; offset: number }>();
  private readonly parsed = new Map<string, lib.Btf>();
  /** Uses left per name; set before the declarations. */
  readonly uses = new Map<string, number>();
  base: lib.Btf | null = null;

  add(name: string, section: { bytes: Uint8Array; source: string; offset: number }): void {
    this.raw.set(name, section);
    this.parsed.delete(name);
  }

  private parse(name: string): lib.Btf {
    let btf = this.parsed.get(name);
    if (!btf) {
      const r = this.raw.get(name)!;
      btf = lib.readBtf(r.bytes, { source: r.source, base: this.base!, fileOffset: r.offset });
      this.parsed.set(name, btf);
    }
    return btf;
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  get(name: string): lib.Btf | undefined {
    if (!this.raw.has(name)) return undefined;
    const btf = this.parse(name);
    const left = (this.uses.get(name) ?? 0) - 1;
    this.uses.set(name, left);
    if (left <= 0) this.parsed.delete(name);
    return btf;
  }
}

const modules = new ModuleLookup();
let staged: lib.StagedTypeDigest | null = null;

parentPort!.on('message', (m: ToWorker | { stop: true }) => {
  try {
    if ('stop' in m) {
      parentPort!.close();
    } else if ('kernel' in m) {
      const base = lib.readBtf(m.kernel.bytes, { source: m.kernel.source });
      staged = new lib.StagedTypeDigest(base, modules);
      modules.base = base;
    } else if ('module' in m) {
      const { name, ...section } = m.module;
      modules.add(name, section);
    } else {
      const build: lib.KernelBuild = {
        source: m.digest.source,
        format: 'kernel-binaries',
        labels: {},
        exports: new Map(),
        warnings: [],
      };
      const exports = build.exports as Map<string, lib.Export>;
      for (const [symbol, module, crc] of m.digest.exports) {
        exports.set(symbol, { symbol, module, crc } as lib.Export);
        // As KernelTypes.declare asks: once for each export with a CRC and a module.
        if (crc !== null && module !== null) {
          const key = lib.moduleKey(module);
          modules.uses.set(key, (modules.uses.get(key) ?? 0) + 1);
        }
      }
      const digest = staged!.digest(build);
      const parts = digest ? lib.digestParts(digest) : null;
      const reply: FromWorker = { parts, warnings: build.warnings };
      parentPort!.postMessage(reply, parts ? [parts.hashes.buffer as ArrayBuffer] : []);
    }
  } catch (e) {
    const reply: FromWorker = { error: { message: (e as Error).message, stack: (e as Error).stack } };
    parentPort!.postMessage(reply);
  }
});
