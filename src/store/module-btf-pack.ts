// A kernel entry's modules' split .BTF as both backends keep it (migration 11; sqlite-module-btf.ts,
// postgres-module-btf.ts): the names and sizes as JSON, and the bytes one after another in one zstd frame.
// One frame, not one per module: a 6.1 package's 931 exporting modules (19.4 MB) compress to 4.7 MB in
// 0.1 s at level 3, where 931 frames took 7.4 MB and 1 s (a context set up per call). Read back, the frame
// is decompressed (~25 ms) when a module's bytes are first asked for: explain reads a few dozen.
import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi';
import { KabiError } from '../errors.js';
import type { ModuleBtfBlob } from './store.js';

// Loaded when a pack is first written or read (as in sqlite-kernel-btf.ts): few commands touch BTF.
let zstd: typeof Zstd | undefined;
const zstdNapi = () => (zstd ??= createRequire(import.meta.url)('zstd-napi') as typeof Zstd);

export interface ModuleBtfPack {
  /** `[[name, size], ...]` in pack order. */
  modules: string;
  pack: Buffer;
}

export function packModuleBtf(blobs: readonly ModuleBtfBlob[]): ModuleBtfPack {
  const modules = JSON.stringify(blobs.map((b) => [b.name, b.bytes.length]));
  const pack = zstdNapi().compress(Buffer.concat(blobs.map((b) => b.bytes)), { compressionLevel: 3 });
  return { modules, pack };
}

/** The blobs of a pack, their bytes views of the frame decompressed on first use. */
export function unpackModuleBtf(row: ModuleBtfPack, where: string): ModuleBtfBlob[] {
  const list = JSON.parse(row.modules) as [string, number][];
  let whole: Buffer | undefined;
  const frame = () => {
    if (whole) return whole;
    try {
      whole = zstdNapi().decompress(row.pack);
    } catch (e) {
      throw new KabiError(
        `${where}: the modules' BTF pack is not a zstd frame (${(e as Error).message}): a damaged store`,
        {
          cause: e,
        },
      );
    }
    const total = list.reduce((n, [, size]) => n + size, 0);
    if (whole.length !== total)
      throw new KabiError(
        `${where}: the modules' BTF pack holds ${whole.length} bytes, not the ${total} its list says (a damaged store)`,
      );
    return whole;
  };
  let at = 0;
  return list.map(([name, size]) => {
    const start = at;
    at += size;
    return {
      name,
      get bytes() {
        const w = frame();
        return new Uint8Array(w.buffer, w.byteOffset + start, size);
      },
    };
  });
}
