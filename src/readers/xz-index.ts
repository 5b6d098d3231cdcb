// The blocks of an .xz stream, from its index, so that a long stream (a package's data.tar.xz: 17 blocks
// of 24 MiB as xz -T writes them) can be decoded a block at a time in several threads (xz-worker.ts).
// The .xz file format (tukaani.org/xz/xz-file-format.txt), for one stream:
//
//   stream header  magic fd 37 7a 58 5a 00, flags[2] (0, check type), CRC32 of the flags       12 bytes
//   blocks         each: header, compressed data, padding to 4, check; `unpadded size` counts all
//                  but the padding
//   index          00, record count (VLI), per block (unpadded size, uncompressed size) as VLIs,
//                  padding to 4, CRC32 of all before
//   stream footer  CRC32 of the next 6 bytes, backward size (index bytes / 4 - 1, u32), flags[2], "YZ"
//
// Each block is decoded as a stream of its own: the original header, the block's bytes, and an index and
// footer written for it alone. liblzma then checks the block against that index (its sizes) and its own
// check, as it checks the whole stream's. Anything unusual (several streams, padding, an index that does
// not add up, few blocks) gives no plan, and the stream is decoded whole as before, which names the fault.
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export interface XzBlock {
  /** Where the block starts in the file. */
  offset: number;
  /** Its bytes with the padding (what is read). */
  length: number;
  unpadded: number;
  uncompressed: number;
  /** Compressed bytes of the stream before this block (its header included), for the ratio cap. */
  before: number;
}

export interface XzBlockPlan {
  path: string;
  /** The stream header, 12 bytes, put before each block. */
  header: Uint8Array;
  blocks: XzBlock[];
  /** The stream's whole decoded size, as its index says. */
  uncompressed: number;
}

const HEADER = 12;
const FOOTER = 12;
const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
/** An index of more than this (~100k blocks) is not worth reading ahead: the stream is decoded whole. */
const MAX_INDEX = 1 << 20;

/**
 * The blocks of the single xz stream in [start, end) of the file at `path`, when it is one stream of at
 * least `minBlocks` blocks whose index adds up to the bytes between its header and its index; else null.
 */
export async function readXzBlockPlan(
  path: string,
  start: number,
  end: number,
  minBlocks = 2,
): Promise<XzBlockPlan | null> {
  if (end - start < HEADER + FOOTER + 8) return null;
  const handle = await open(path, 'r');
  try {
    const read = async (at: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, at);
      return bytesRead === length ? buf : null;
    };
    const header = await read(start, HEADER);
    const footer = await read(end - FOOTER, FOOTER);
    if (header === null || footer === null) return null;
    if (!MAGIC.every((b, i) => header[i] === b)) return null;
    if (crc32(header.subarray(6, 8)) !== header.readUInt32LE(8)) return null;
    if (footer[10] !== 0x59 || footer[11] !== 0x5a) return null;
    if (crc32(footer.subarray(4, 10)) !== footer.readUInt32LE(0)) return null;
    if (footer[8] !== header[6] || footer[9] !== header[7]) return null;
    const indexSize = (footer.readUInt32LE(4) + 1) * 4;
    const indexStart = end - FOOTER - indexSize;
    if (indexSize > MAX_INDEX || indexStart < start + HEADER) return null;
    const index = await read(indexStart, indexSize);
    if (index === null) return null;
    const records = parseIndex(index);
    if (records === null || records.length < minBlocks) return null;
    const blocks: XzBlock[] = [];
    let at = start + HEADER;
    let uncompressed = 0;
    for (const r of records) {
      const length = Math.ceil(r.unpadded / 4) * 4;
      blocks.push({
        offset: at,
        length,
        unpadded: r.unpadded,
        uncompressed: r.uncompressed,
        before: at - start,
      });
      at += length;
      uncompressed += r.uncompressed;
    }
    // The blocks must fill the stream exactly: otherwise this is not one stream (or the index lies).
    if (at !== indexStart || !Number.isSafeInteger(uncompressed)) return null;
    return { path, header: new Uint8Array(header), blocks, uncompressed };
  } finally {
    await handle.close();
  }
}

/** The index's records, its CRC32 and padding checked; null when it is not a well-formed index. */
function parseIndex(index: Buffer): { unpadded: number; uncompressed: number }[] | null {
  const body = index.length - 4;
  if (index[0] !== 0 || crc32(index.subarray(0, body)) !== index.readUInt32LE(body)) return null;
  let at = 1;
  const vli = (): number | null => {
    let value = 0;
    for (let i = 0; i < 8 && at < body; i++) {
      const b = index[at++]!;
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return i > 0 && b === 0 ? null : Number.isSafeInteger(value) ? value : null;
    }
    return null;
  };
  const count = vli();
  if (count === null || count > body) return null;
  const out: { unpadded: number; uncompressed: number }[] = [];
  for (let i = 0; i < count; i++) {
    const unpadded = vli();
    const uncompressed = vli();
    if (unpadded === null || uncompressed === null || unpadded < 5) return null;
    out.push({ unpadded, uncompressed });
  }
  // Padding to a multiple of four (the index's size is one), zeros.
  if (body - at > 3) return null;
  for (; at < body; at++) if (index[at] !== 0) return null;
  return out;
}

/** The index and footer of a stream holding `block` alone, after `header`'s flags. */
export function singleBlockTail(
  header: Uint8Array,
  block: Pick<XzBlock, 'unpadded' | 'uncompressed'>,
): Buffer {
  const bytes = [0x00, ...vliBytes(1), ...vliBytes(block.unpadded), ...vliBytes(block.uncompressed)];
  while (bytes.length % 4 !== 0) bytes.push(0);
  const index = Buffer.alloc(bytes.length + 4);
  index.set(bytes);
  index.writeUInt32LE(crc32(index.subarray(0, bytes.length)), bytes.length);
  const footer = Buffer.alloc(FOOTER);
  footer.writeUInt32LE(index.length / 4 - 1, 4);
  footer[8] = header[6]!;
  footer[9] = header[7]!;
  footer[10] = 0x59;
  footer[11] = 0x5a;
  footer.writeUInt32LE(crc32(footer.subarray(4, 10)), 0);
  return Buffer.concat([index, footer]);
}

function vliBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
