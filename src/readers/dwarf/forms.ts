// Attribute values (DWARF 5, 7.5.6): skipping the forms this reader does not use, and decoding the few it
// does (strings, flags, references, an address). A form it does not know cannot be skipped, so it is an
// error naming the form, never a guess at its size.

import { DW_FORM, DW_OP_addr } from './constants.js';
import { type Cursor, stringAt } from './cursor.js';

/** What a unit's forms need: its header's sizes, and the string sections. */
export interface UnitContext {
  version: number;
  addressSize: number;
  /** 4: 64-bit DWARF is refused at the unit header. */
  offsetSize: 4;
  /** DW_AT_str_offsets_base of the unit (8 when absent: just past a DWARF 5 header). */
  strOffsetsBase: number;
  str: Cursor;
  lineStr: Cursor;
  strOffsets: Cursor;
}

export function skipForm(c: Cursor, form: number, u: UnitContext): void {
  c.skip(bytesAfter(c, form, u), 'attribute');
}

/** The bytes a value of `form` takes after what this reads in place (a length, a LEB128, a string). */
function bytesAfter(c: Cursor, form: number, u: UnitContext): number {
  switch (form) {
    case DW_FORM.flag_present:
    case DW_FORM.implicit_const:
      return 0;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return 2;
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return 3;
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.ref_sup4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
    case DW_FORM.ref_sup8:
      return 8;
    case DW_FORM.data16:
      return 16;
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.sec_offset:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return u.offsetSize;
    case DW_FORM.ref_addr:
      return u.version <= 2 ? u.addressSize : u.offsetSize;
    case DW_FORM.addr:
      return u.addressSize;
    case DW_FORM.sdata:
    case DW_FORM.udata:
    case DW_FORM.ref_udata:
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.GNU_str_index:
      c.skipLeb();
      return 0;
    case DW_FORM.string:
      c.skipCstring();
      return 0;
    case DW_FORM.block1:
      return c.u8();
    case DW_FORM.block2:
      return c.u16();
    case DW_FORM.block4:
      return c.u32();
    case DW_FORM.block:
    case DW_FORM.exprloc:
      return c.uleb();
    case DW_FORM.indirect:
      return bytesAfter(c, indirectForm(c), u);
    default:
      throw c.error(`unknown attribute form 0x${form.toString(16)}`);
  }
}

/** DW_FORM_indirect: the form is in the DIE; an indirect form naming indirect again would never end. */
export function indirectForm(c: Cursor): number {
  const form = c.uleb();
  if (form === DW_FORM.indirect || form === DW_FORM.implicit_const)
    throw c.error(`DW_FORM_indirect names form 0x${form.toString(16)}`);
  return form;
}

/**
 * A string attribute (DW_AT_name, DW_AT_comp_dir): the string, or null for a form whose string is in
 * another file (a dwz supplementary file) or not a string at all (then skipped).
 */
export function readString(c: Cursor, form: number, u: UnitContext): string | null {
  switch (form) {
    case DW_FORM.string:
      return c.cstring();
    case DW_FORM.strp:
      return stringAt(u.str, c.u32(), c);
    case DW_FORM.line_strp:
      return stringAt(u.lineStr, c.u32(), c);
    case DW_FORM.strx:
    case DW_FORM.GNU_str_index:
      return indexedString(c, c.uleb(), u);
    case DW_FORM.strx1:
      return indexedString(c, c.u8(), u);
    case DW_FORM.strx2:
      return indexedString(c, c.u16(), u);
    case DW_FORM.strx3:
      return indexedString(c, c.u24(), u);
    case DW_FORM.strx4:
      return indexedString(c, c.u32(), u);
    case DW_FORM.indirect:
      return readString(c, indirectForm(c), u);
    default:
      skipForm(c, form, u);
      return null;
  }
}

/** DW_FORM_strx*: an index into the unit's slice of .debug_str_offsets, then a .debug_str offset. */
function indexedString(c: Cursor, index: number, u: UnitContext): string {
  const at = u.strOffsetsBase + index * u.offsetSize;
  const table = u.strOffsets;
  if (at + u.offsetSize > table.bytes.length)
    throw c.error(
      `string index ${index} lies outside .debug_str_offsets (${table.bytes.length} bytes from base ${u.strOffsetsBase})`,
    );
  table.pos = at;
  return stringAt(u.str, table.u32(), c);
}

/** A flag (DW_AT_external, DW_AT_declaration): DW_FORM_flag_present, or DW_FORM_flag's byte. */
export function readFlag(c: Cursor, form: number, u: UnitContext): boolean {
  if (form === DW_FORM.flag_present) return true;
  if (form === DW_FORM.flag) return c.u8() !== 0;
  if (form === DW_FORM.indirect) return readFlag(c, indirectForm(c), u);
  skipForm(c, form, u);
  return form === DW_FORM.implicit_const;
}

/**
 * A reference as an offset from the start of .debug_info, or -1 for one into another file (type unit
 * signatures, dwz's alternate file, the supplementary file).
 */
export function readRef(c: Cursor, form: number, u: UnitContext, unitStart: number): number {
  switch (form) {
    case DW_FORM.ref1:
      return unitStart + c.u8();
    case DW_FORM.ref2:
      return unitStart + c.u16();
    case DW_FORM.ref4:
      return unitStart + c.u32();
    case DW_FORM.ref8:
      return unitStart + safe(c, c.u64());
    case DW_FORM.ref_udata:
      return unitStart + c.uleb();
    case DW_FORM.ref_addr:
      return u.version <= 2 ? safe(c, c.sized(u.addressSize)) : c.u32();
    case DW_FORM.indirect:
      return readRef(c, indirectForm(c), u, unitStart);
    default:
      skipForm(c, form, u);
      return -1;
  }
}

function safe(c: Cursor, v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw c.error(`reference ${v} is absurdly large`);
  return Number(v);
}

/** DW_AT_low_pc in DW_FORM_addr, or null (an index into .debug_addr is not followed). */
export function readAddress(c: Cursor, form: number, u: UnitContext): bigint | null {
  if (form === DW_FORM.addr) return c.sized(u.addressSize);
  skipForm(c, form, u);
  return null;
}

/** DW_AT_location that is one DW_OP_addr (a static variable's address), or null. */
export function readLocationAddress(c: Cursor, form: number, u: UnitContext): bigint | null {
  let length: number;
  if (form === DW_FORM.exprloc || form === DW_FORM.block) length = c.uleb();
  else if (form === DW_FORM.block1) length = c.u8();
  else {
    skipForm(c, form, u);
    return null;
  }
  const end = c.pos + length;
  c.need(length, 'location expression');
  let address: bigint | null = null;
  if (length === 1 + u.addressSize && c.bytes[c.pos] === DW_OP_addr) {
    c.pos++;
    address = c.sized(u.addressSize);
  }
  c.pos = end;
  return address;
}
