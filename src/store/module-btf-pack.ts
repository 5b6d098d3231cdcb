// A kernel entry's modules' split .BTF as both backends keep it (migration 11; sqlite-module-btf.ts,
// postgres-module-btf.ts): a JSON list of the modules and frames in one row, and the bytes one after
// another in zstd frames of about 512 KB, whole modules to a frame, a row each. Not one frame per module:
// a 6.1 package's 931 exporting modules (19.4 MB) took 7.4 MB and 1 s that way (a context set up per call).
// Not one frame in one row for all (4.7 MB): explain reads the few modules that export the symbols asked
// for (2 of 931 for the bundled corpus), and reading and decompressing all of both kernels' took ~230 ms of
// its ~2 s. 34 frames take 5.2 MB, and ~1 ms each to read back.
import { KabiError } from '../errors.js';
import { compressBeside } from './compress-beside.js';
import type { ModuleBtfBlob } from './store.js';
import { zstdNapi } from './zstd.js';

/** A frame is closed once it holds this many bytes (a larger module is a frame of its own). */
const FRAME_BYTES = 512 << 10;

export interface ModuleBtfPack {
  /** `{"modules": [[name, size], ...], "frames": [[packed bytes, modules], ...]}`, both in pack order. */
  modules: string;
  /** The zstd frames, in order. */
  frames: Buffer[];
}

interface PackList {
  modules: [string, number][];
  frames: [number, number][];
}

/**
 * The pack of `blobs`, its frames compressed in a worker beside what the caller writes meanwhile
 * (compress-beside.ts); call the result for it. A kernel's 931 modules' BTF took 0.12 s of zstd at the
 * end of its ingest's transaction, while the second core idled.
 */
export function beginModuleBtfPack(blobs: readonly ModuleBtfBlob[]): () => ModuleBtfPack {
  const groups: [number, number][] = [];
  let from = 0;
  let bytes = 0;
  blobs.forEach((b, i) => {
    bytes += b.bytes.length;
    if (bytes < FRAME_BYTES && i < blobs.length - 1) return;
    groups.push([from, i + 1]);
    from = i + 1;
    bytes = 0;
  });
  const frames = compressBeside(
    () => groups.map(([a, b]) => Buffer.concat(blobs.slice(a, b).map((m) => m.bytes))),
    { zstd: 3 },
  );
  return () => {
    const packed = frames();
    const list: PackList = {
      modules: blobs.map((b) => [b.name, b.bytes.length]),
      frames: packed.map((f, i) => [f.length, groups[i]![1] - groups[i]![0]]),
    };
    return { modules: JSON.stringify(list), frames: packed };
  };
}

export function packModuleBtf(blobs: readonly ModuleBtfBlob[]): ModuleBtfPack {
  return beginModuleBtfPack(blobs)();
}

/** A pack's list, read back: which frames hold the modules asked for. */
export class ModuleBtfList {
  private readonly list: PackList;

  constructor(
    modules: string,
    private readonly where: string,
  ) {
    let list: PackList;
    try {
      list = JSON.parse(modules) as PackList;
    } catch (e) {
      throw this.damaged(`list is not JSON (${(e as Error).message})`, e);
    }
    if (!Array.isArray(list?.modules) || !Array.isArray(list.frames))
      throw this.damaged('list has no modules and frames');
    const listed = list.frames.reduce((n, [, count]) => n + count, 0);
    if (listed !== list.modules.length)
      throw this.damaged(`frames hold ${listed} modules, not the ${list.modules.length} listed`);
    this.list = list;
  }

  damaged(what: string, cause?: unknown): KabiError {
    return new KabiError(`${this.where}: the modules' BTF pack ${what}: a damaged store`, { cause });
  }

  /** The frames (by index) that hold the modules named in `only`, or every frame. */
  frames(only?: ReadonlySet<string>): number[] {
    const out: number[] = [];
    let m = 0;
    this.list.frames.forEach(([, count], f) => {
      if (!only || this.list.modules.slice(m, m + count).some(([name]) => only.has(name))) out.push(f);
      m += count;
    });
    return out;
  }

  /**
   * The modules of the frames given (`frames(only)`'s, read from the store by index), or of `only`
   * among them; each frame decompressed when one of its modules' bytes is first read.
   */
  blobs(frames: ReadonlyMap<number, Buffer>, only?: ReadonlySet<string>): ModuleBtfBlob[] {
    const blobs: ModuleBtfBlob[] = [];
    let m = 0;
    this.list.frames.forEach(([packedSize, count], f) => {
      const members = this.list.modules.slice(m, m + count);
      m += count;
      if (only && !members.some(([name]) => only.has(name))) return;
      const packed = frames.get(f);
      if (packed === undefined) throw this.damaged(`lacks frame ${f}`);
      if (packed.length !== packedSize)
        throw this.damaged(`frame ${f} is ${packed.length} bytes, not the ${packedSize} its list says`);
      let whole: Buffer | undefined;
      const frame = () => {
        if (whole) return whole;
        const total = members.reduce((n, [, size]) => n + size, 0);
        try {
          whole = zstdNapi().decompress(packed);
        } catch (e) {
          throw this.damaged(`frame ${f} is not a zstd frame (${(e as Error).message})`, e);
        }
        if (whole.length !== total)
          throw this.damaged(`frame ${f} holds ${whole.length} bytes, not the ${total} its list says`);
        return whole;
      };
      let at = 0;
      for (const [name, size] of members) {
        const offset = at;
        at += size;
        if (only && !only.has(name)) continue;
        blobs.push({
          name,
          get bytes() {
            const w = frame();
            return new Uint8Array(w.buffer, w.byteOffset + offset, size);
          },
        });
      }
    });
    return blobs;
  }
}
