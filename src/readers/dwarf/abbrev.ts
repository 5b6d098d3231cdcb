// .debug_abbrev: the shape of each DIE. A table is a list of declarations ended by a 0 code:
//
//   code (ULEB128) tag (ULEB128) children (u8: 0 or 1)
//   { attribute name (ULEB128) form (ULEB128) [value (SLEB128) if form is DW_FORM_implicit_const] }
//   0 0
//
// Units of one object share a table; the kernel's ~3,000 units each have their own, so tables are
// cached by offset only as long as the walk over one unit needs them.

import { DW_FORM } from './constants.js';
import type { Cursor } from './cursor.js';

export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  names: number[];
  forms: number[];
  /** DW_FORM_implicit_const values, by attribute index (0 elsewhere). */
  consts: number[];
}

export type AbbrevTable = Map<number, Abbrev>;

/** Reads the table at `offset` of .debug_abbrev. */
export function readAbbrevTable(abbrev: Cursor, offset: number, from: Cursor): AbbrevTable {
  if (offset >= abbrev.bytes.length)
    throw from.error(
      `abbreviation offset ${offset} lies outside .debug_abbrev (${abbrev.bytes.length} bytes)`,
    );
  abbrev.pos = offset;
  const table: AbbrevTable = new Map();
  for (;;) {
    const at = abbrev.pos;
    const code = abbrev.uleb();
    if (code === 0) return table;
    const tag = abbrev.uleb();
    const children = abbrev.u8();
    if (children > 1) throw abbrev.error(`DW_CHILDREN is ${children}: expected 0 or 1`, abbrev.pos - 1);
    if (table.has(code)) throw abbrev.error(`abbreviation code ${code} declared twice in one table`, at);
    const a: Abbrev = { tag, hasChildren: children === 1, names: [], forms: [], consts: [] };
    for (;;) {
      const name = abbrev.uleb();
      const form = abbrev.uleb();
      if (name === 0 && form === 0) break;
      if (name === 0 || form === 0) throw abbrev.error('attribute with a zero name or form', abbrev.pos - 1);
      let value = 0;
      if (form === DW_FORM.implicit_const) value = sleb(abbrev);
      a.names.push(name);
      a.forms.push(form);
      a.consts.push(value);
    }
    table.set(code, a);
  }
}

/** A signed LEB128 (an implicit constant); large ones are clamped, since only their presence matters here. */
function sleb(c: Cursor): number {
  let result = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = c.u8();
    if (scale < 2 ** 49) result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  if (byte & 0x40 && scale <= 2 ** 49) result -= scale;
  return result;
}
