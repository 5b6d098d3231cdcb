// A kernel entry's modules' split .BTF as both backends keep it (migration 11; sqlite-module-btf.ts,
// postgres-module-btf.ts): a JSON list of the modules and frames, and the bytes one after another in zstd
// frames of about 512 KB each, whole modules to a frame. Not one frame per module: a 6.1 package's 931
// exporting modules (19.4 MB) took 7.4 MB and 1 s that way (a context set up per call). Not one frame for
// all (4.7 MB): explain reads the few modules that export the symbols asked for (2 of 931 for the bundled
// corpus), and decompressing all of both kernels' took ~150 ms of its ~2 s. 34 frames take 5.2 MB and ~1 ms
// each to read back.
import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi';
import { KabiError } from '../errors.js';
import type { ModuleBtfBlob } from './store.js';

// Loaded when a pack is first written or read (as in sqlite-kernel-btf.ts): few commands touch BTF.
let zstd: typeof Zstd | undefined;
const zstdNapi = () => (zstd ??= createRequire(import.meta.url)('zstd-napi') as typeof Zstd);

/** A frame is closed once it holds this many bytes (a larger module is a frame of its own). */
const FRAME_BYTES = 512 << 10;

export interface ModuleBtfPack {
  /** `{"modules": [[name, size], ...], "frames": [[packed bytes, modules], ...]}`, both in pack order. */
  modules: string;
  pack: Buffer;
}

interface PackList {
  modules: [string, number][];
  frames: [number, number][];
}

export function packModuleBtf(blobs: readonly ModuleBtfBlob[]): ModuleBtfPack {
  const z = zstdNapi();
  const packed: Buffer[] = [];
  const frames: [number, number][] = [];
  let from = 0;
  let bytes = 0;
  blobs.forEach((b, i) => {
    bytes += b.bytes.length;
    if (bytes < FRAME_BYTES && i < blobs.length - 1) return;
    const frame = z.compress(Buffer.concat(blobs.slice(from, i + 1).map((m) => m.bytes)), {
      compressionLevel: 3,
    });
    packed.push(frame);
    frames.push([frame.length, i + 1 - from]);
    from = i + 1;
    bytes = 0;
  });
  const list: PackList = { modules: blobs.map((b) => [b.name, b.bytes.length]), frames };
  return { modules: JSON.stringify(list), pack: Buffer.concat(packed) };
}

/** The blobs of a pack, each frame decompressed when one of its modules' bytes is first read. */
export function unpackModuleBtf(row: ModuleBtfPack, where: string): ModuleBtfBlob[] {
  const damaged = (what: string, cause?: unknown) =>
    new KabiError(`${where}: the modules' BTF pack ${what}: a damaged store`, { cause });
  let list: PackList;
  try {
    list = JSON.parse(row.modules) as PackList;
  } catch (e) {
    throw damaged(`list is not JSON (${(e as Error).message})`, e);
  }
  if (!Array.isArray(list?.modules) || !Array.isArray(list.frames))
    throw damaged('list has no modules and frames');
  const listed = list.frames.reduce((n, [, count]) => n + count, 0);
  if (listed !== list.modules.length)
    throw damaged(`frames hold ${listed} modules, not the ${list.modules.length} listed`);
  const blobs: ModuleBtfBlob[] = [];
  let packedAt = 0;
  let m = 0;
  for (const [packedSize, count] of list.frames) {
    const members = list.modules.slice(m, m + count);
    const start = packedAt;
    let whole: Buffer | undefined;
    const frame = () => {
      if (whole) return whole;
      const total = members.reduce((n, [, size]) => n + size, 0);
      try {
        whole = zstdNapi().decompress(row.pack.subarray(start, start + packedSize));
      } catch (e) {
        throw damaged(`at byte ${start} is not a zstd frame (${(e as Error).message})`, e);
      }
      if (whole.length !== total)
        throw damaged(`frame at byte ${start} holds ${whole.length} bytes, not the ${total} its list says`);
      return whole;
    };
    let at = 0;
    for (const [name, size] of members) {
      const offset = at;
      at += size;
      blobs.push({
        name,
        get bytes() {
          const w = frame();
          return new Uint8Array(w.buffer, w.byteOffset + offset, size);
        },
      });
    }
    packedAt += packedSize;
    m += count;
  }
  if (packedAt !== row.pack.length)
    throw damaged(`is ${row.pack.length} bytes, not the ${packedAt} its frames add up to`);
  return blobs;
}
