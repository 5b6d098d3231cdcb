// A set of row ids stored as one blob: sorted, delta-encoded as unsigned LEB128 varints, then deflated.
// A kernel's 25,000 exports take a few kilobytes; builds with identical sets share one row.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export function encodeIdSet(ids: Iterable<number>): { blob: Buffer; digest: string; count: number } {
  const sorted = Uint32Array.from(ids).sort();
  const bytes: number[] = [];
  let prev = 0;
  for (const id of sorted) {
    let delta = id - prev;
    prev = id;
    while (delta >= 0x80) {
      bytes.push((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    bytes.push(delta);
  }
  const raw = Buffer.from(bytes);
  return {
    blob: deflateRawSync(raw),
    digest: createHash('sha256').update(raw).digest('hex'),
    count: sorted.length,
  };
}

export function decodeIdSet(blob: Uint8Array, count: number): number[] {
  // An id takes at most 5 bytes: with room for all of them in one output chunk, zlib allocates that much
  // instead of its 16 KiB default, which for a kmod's 8,000 small sets was most of the decoding's cost.
  const raw = inflateRawSync(blob, { chunkSize: Math.max(64, Math.min(count * 5, 1 << 20)) });
  const out: number[] = new Array(count);
  let prev = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = raw[pos++];
      if (b === undefined) throw new Error(`id set truncated after ${i} of ${count} ids`);
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    prev += v;
    out[i] = prev;
  }
  return out;
}

/** The ids of a set, ascending, as one typed array: what set work on ids (a series) wants. */
export function decodeIdArray(blob: Uint8Array, count: number): Uint32Array {
  const ids = decodeIdSet(blob, count);
  const last = ids.at(-1) ?? 0;
  if (last > 0xffff_ffff) throw new Error(`id set holds id ${last}, beyond 32 bits`);
  return Uint32Array.from(ids);
}
