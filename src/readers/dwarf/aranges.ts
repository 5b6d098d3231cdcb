// .debug_aranges: the address ranges each compile unit's code and data cover. For a symbol the DWARF has
// no DIE for (an assembler alias such as memcpy → __memcpy, a thunk a macro expands), the unit whose
// range holds the symbol's address is the file that defines it. A set (32-bit DWARF):
//
//   unit_length u32, version u16 (2), debug_info_offset u32, address_size u8, segment_selector_size u8,
//   padding to a multiple of 2 × address_size, then (address, length) pairs ended by (0, 0)
import { Cursor } from './cursor.js';

export interface AddressRanges {
  /** Sorted by start: [start, end) and the .debug_info offset of the unit. */
  starts: bigint[];
  ends: bigint[];
  units: number[];
}

export function readAranges(
  bytes: Uint8Array,
  opts: { source: string; littleEndian: boolean },
): AddressRanges {
  const c = new Cursor(bytes, '.debug_aranges', opts.source, opts.littleEndian);
  const all: [bigint, bigint, number][] = [];
  while (c.pos < bytes.length) {
    const start = c.pos;
    const length = c.u32();
    if (length >= 0xfffffff0)
      throw c.error(`unit_length 0x${length.toString(16)}: only 32-bit DWARF is read`, start);
    const end = start + 4 + length;
    if (end > bytes.length) throw c.error(`set of ${length} bytes runs past the end of the section`, start);
    const version = c.u16();
    if (version !== 2) throw c.error(`.debug_aranges version ${version}: expected 2`, start + 4);
    const unit = c.u32();
    const addressSize = c.u8();
    const segmentSize = c.u8();
    if (addressSize !== 4 && addressSize !== 8)
      throw c.error(`address size ${addressSize}: expected 4 or 8`, c.pos - 2);
    if (segmentSize !== 0) throw c.error(`segment selector size ${segmentSize}: expected 0`, c.pos - 1);
    const tuple = 2 * addressSize;
    c.pos = start + Math.ceil((c.pos - start) / tuple) * tuple;
    while (c.pos + tuple <= end) {
      const address = c.sized(addressSize);
      const size = c.sized(addressSize);
      if (address === 0n && size === 0n) break;
      if (size > 0n) all.push([address, address + size, unit]);
    }
    c.pos = end;
  }
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { starts: all.map((r) => r[0]), ends: all.map((r) => r[1]), units: all.map((r) => r[2]) };
}

/** The unit whose range holds `address`, or -1 (ranges of one image do not overlap). */
export function unitAt(r: AddressRanges, address: bigint): number {
  let lo = 0;
  let hi = r.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r.starts[mid]! <= address) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && address < r.ends[found]! ? r.units[found]! : -1;
}
