// The BTF of a kernel shipped as a raw image (arm64's Image, s390x's kernel once unpacked): no section
// table says where .BTF lies, so it is found by its header. The linker script (include/asm-generic/
// vmlinux.lds.h, BTF) places .BTF whole in the image and .BTF_ids right after it at 4-byte alignment;
// .BTF_ids holds only BTF ids, counts and small flags, so it ends at the first word that cannot be one.
import { ArtifactFormatError } from '../../errors.js';
import type { Btf } from '../../model/btf.js';
import { readBtf } from './btf.js';

const LE_HEADER = [0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00];
const BE_HEADER = [0xeb, 0x9f, 0x01, 0x00, 0x00, 0x00, 0x00, 0x18];

export interface RawImageBtf {
  btf: Btf;
  /** The .BTF bytes (a view into the image: copy them to keep them). */
  raw: Uint8Array;
  /** Shaped as kernel-btf.ts's BtfIdsSection (not imported: that module imports this one). */
  btfIds: { addr: bigint; data: Uint8Array; littleEndian: boolean; fileOffset: number } | null;
}

function* headersIn(bytes: Uint8Array, header: number[]): Generator<number> {
  const first = Buffer.from(header);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buf.indexOf(first); at !== -1; at = buf.indexOf(first, at + 1)) yield at;
}

/** vmlinux's .BTF and .BTF_ids in a raw kernel image; a clear error when the image has no BTF. */
export function rawImageBtf(bytes: Uint8Array, source: string): RawImageBtf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let best: { at: number; end: number; le: boolean; btf: Btf } | null = null;
  // A kernel image holds one BTF; a crafted one could hold many header look-alikes, each costing a parse.
  let tries = 0;
  for (const [header, le] of [
    [LE_HEADER, true],
    [BE_HEADER, false],
  ] as const) {
    for (const at of headersIn(bytes, header)) {
      if (at + 24 > bytes.length) continue;
      const [typeOff, typeLen, strOff, strLen] = [8, 12, 16, 20].map((o) => view.getUint32(at + o, le)) as [
        number,
        number,
        number,
        number,
      ];
      const end = at + 24 + Math.max(typeOff + typeLen, strOff + strLen);
      if (typeLen === 0 || end > bytes.length || (best && end - at <= best.end - best.at)) continue;
      if (++tries > 16) break;
      try {
        best = { at, end, le, btf: readBtf(bytes.subarray(at, end), { source, fileOffset: at }) };
      } catch {
        // A header-shaped run of bytes inside other data: not the kernel's BTF.
      }
    }
  }
  if (!best)
    throw new ArtifactFormatError(
      'no BTF in the image (no .BTF header that parses): built without CONFIG_DEBUG_INFO_BTF',
      { source },
    );
  const start = (best.end + 3) & ~3;
  let stop = start;
  while (stop + 4 <= bytes.length && view.getUint32(stop, best.le) < best.btf.count) stop += 4;
  const btfIds =
    stop > start
      ? { addr: 0n, data: bytes.subarray(start, stop), littleEndian: best.le, fileOffset: start }
      : null;
  return { btf: best.btf, raw: bytes.subarray(best.at, best.end), btfIds };
}
