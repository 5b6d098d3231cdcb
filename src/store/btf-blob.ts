// A stored BTF blob as both backends give it back (sqlite-kernel-btf.ts, postgres-kernel-btf.ts).
import type { KernelBtfBlobs } from './store.js';

/**
 * A module's blob, decompressed when its bytes are first read: explain of a few hundred symbols reads a
 * few dozen of a kernel's ~930 exporting modules (19 MB decompressed).
 */
export function lazyBlob(
  name: string,
  kfuncs: boolean,
  data: Buffer,
  decompress: (data: Buffer) => Buffer,
): KernelBtfBlobs['modules'][number] {
  let bytes: Uint8Array | undefined;
  return {
    name,
    kfuncs,
    get bytes() {
      bytes ??= new Uint8Array(decompress(data));
      return bytes;
    },
  };
}
