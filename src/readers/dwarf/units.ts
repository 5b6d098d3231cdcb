// .debug_info, unit by unit: each compile unit's source file, and the global functions and variables it
// defines. A unit header (32-bit DWARF; 64-bit DWARF's 0xffffffff escape is refused):
//
//   DWARF 2-4: unit_length u32, version u16, debug_abbrev_offset u32, address_size u8
//   DWARF 5:   unit_length u32, version u16, unit_type u8, address_size u8, debug_abbrev_offset u32,
//              [dwo_id u64 for skeleton and split units] [type_signature u64, type_offset u32 for type units]
//
// then DIEs: an abbreviation code (ULEB128, 0 ends a list of siblings) and the attributes its abbreviation
// declares. Only the unit DIE's direct children are looked at (C defines globals at file scope); the
// subtree under each (a function's body, a structure's members) is jumped over by DW_AT_sibling where GCC
// gives it, else walked DIE by DIE. A definition is a DW_TAG_subprogram or DW_TAG_variable that is not
// DW_AT_declaration and is DW_AT_external, itself or through the declaration or abstract instance it
// refers to (DW_AT_specification, DW_AT_abstract_origin), which then also gives it its name.
import { type AbbrevTable, readAbbrevTable } from './abbrev.js';
import { DW_AT, DW_FORM, DW_TAG, DW_UT } from './constants.js';
import { Cursor } from './cursor.js';
import {
  readAddress,
  readFlag,
  readLocationAddress,
  readRef,
  readString,
  skipForm,
  type UnitContext,
} from './forms.js';
import type { DebugSections } from './sections.js';

export interface DwarfDefinition {
  /** The unit's DW_AT_name, `.` and `..` resolved against DW_AT_comp_dir (see unitPath). */
  unitPath: string;
  /** The unit's DW_AT_comp_dir ('' when absent). */
  compDir: string;
  /** DW_AT_low_pc of a function, the DW_OP_addr of a variable's location; null when neither is given. */
  address: bigint | null;
}

export interface WalkOptions {
  source: string;
  littleEndian: boolean;
  /** Keep only these names (a kernel's exports); every global definition when absent. */
  only?: ReadonlySet<string>;
}

export interface DwarfGlobals {
  /** Each global's definitions: one, or more when units define one name twice (a __weak default). */
  definitions: Map<string, DwarfDefinition[]>;
  /** Compile units read (type units are skipped): their paths and directories. */
  units: { offset: number; path: string; compDir: string }[];
}

const ESCAPE_64 = 0xffffffff;
const RESERVED = 0xfffffff0;

/** Every global function and variable the DWARF defines, with its unit's source file. */
export function walkGlobals(s: DebugSections, opts: WalkOptions): DwarfGlobals {
  const le = opts.littleEndian;
  const info = new Cursor(s.info, '.debug_info', opts.source, le);
  const abbrev = new Cursor(s.abbrev, '.debug_abbrev', opts.source, le);
  const strings = {
    str: new Cursor(s.str, '.debug_str', opts.source, le),
    lineStr: new Cursor(s.lineStr, '.debug_line_str', opts.source, le),
    strOffsets: new Cursor(s.strOffsets, '.debug_str_offsets', opts.source, le),
  };
  const out: DwarfGlobals = { definitions: new Map(), units: [] };
  const tables = new Map<number, AbbrevTable>();
  let start = 0;
  while (start < s.info.length) {
    info.pos = start;
    const length = info.u32();
    if (length === ESCAPE_64)
      throw info.error('64-bit DWARF unit (unit_length 0xffffffff): only 32-bit DWARF is read', start);
    if (length >= RESERVED) throw info.error(`reserved unit_length 0x${length.toString(16)}`, start);
    const end = start + 4 + length;
    if (end > s.info.length)
      throw info.error(
        `unit of ${length} bytes runs past the end of .debug_info (${s.info.length} bytes)`,
        start,
      );
    const version = info.u16();
    if (version < 2 || version > 5)
      throw info.error(`DWARF version ${version}: expected 2 to 5`, info.pos - 2);
    let unitType: number = DW_UT.compile;
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      unitType = info.u8();
      addressSize = info.u8();
      abbrevOffset = info.u32();
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) info.skip(8, 'dwo_id');
      else if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
        start = end; // a type unit defines no functions or variables
        continue;
      } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial)
        throw info.error(`unit type ${unitType}: expected 1 to 6`, start + 6);
    } else {
      abbrevOffset = info.u32();
      addressSize = info.u8();
    }
    if (addressSize !== 4 && addressSize !== 8 && addressSize !== 2)
      throw info.error(`address size ${addressSize}: expected 2, 4 or 8`, start + (version >= 5 ? 7 : 10));
    let table = tables.get(abbrevOffset);
    if (!table) {
      // Units that share a table come together; keep one so memory does not grow with the unit count.
      tables.clear();
      table = readAbbrevTable(abbrev, abbrevOffset, info);
      tables.set(abbrevOffset, table);
    }
    const u: UnitContext = { version, addressSize, offsetSize: 4, strOffsetsBase: 8, ...strings };
    const unit = new Cursor(s.info.subarray(0, end), '.debug_info', opts.source, le);
    unit.pos = info.pos;
    walkUnit(unit, start, table, u, out, opts.only);
    start = end;
  }
  return out;
}

interface Die {
  name: string | null;
  linkageName: string | null;
  external: boolean;
  declaration: boolean;
  /** DW_AT_specification or DW_AT_abstract_origin, as a .debug_info offset; -1 when none. */
  ref: number;
  address: bigint | null;
}

function walkUnit(
  c: Cursor,
  unitStart: number,
  table: AbbrevTable,
  u: UnitContext,
  out: DwarfGlobals,
  only: ReadonlySet<string> | undefined,
): void {
  const top = readTopDie(c, table, u);
  out.units.push({ offset: unitStart, path: top.path, compDir: top.compDir });
  if (!top.hasChildren) return;
  const end = c.bytes.length;
  let depth = 1;
  while (depth > 0) {
    if (c.pos >= end) throw c.error('the unit ends inside a list of DIEs (a missing 0 terminator)');
    const dieOffset = c.pos;
    const code = c.uleb();
    if (code === 0) {
      depth--;
      continue;
    }
    const a = table.get(code);
    if (!a) throw c.error(`abbreviation code ${code} is not in the unit's table`, dieOffset);
    if (depth > 1) {
      for (let i = 0; i < a.forms.length; i++) skipForm(c, a.forms[i]!, u);
      if (a.hasChildren) depth++;
      continue;
    }
    let sibling = -1;
    if (a.tag === DW_TAG.subprogram || a.tag === DW_TAG.variable) {
      const die = readDie(c, a, u, unitStart);
      sibling = die.sibling;
      if (!die.declaration) define(c, die, table, u, unitStart, top, out, only);
    } else {
      for (let i = 0; i < a.forms.length; i++) {
        if (a.names[i] === DW_AT.sibling) sibling = readRef(c, a.forms[i]!, u, unitStart);
        else skipForm(c, a.forms[i]!, u);
      }
    }
    if (!a.hasChildren) continue;
    if (sibling === -1) {
      depth++;
      continue;
    }
    // Forward only, and within the unit: a sibling pointing back would loop, one past the end would escape.
    if (sibling < c.pos || sibling > end)
      throw c.error(`DW_AT_sibling 0x${sibling.toString(16)} is not ahead in the unit`, dieOffset);
    c.pos = sibling;
  }
}

interface TopDie {
  path: string;
  compDir: string;
  hasChildren: boolean;
}

/** The unit DIE: its DW_AT_name against DW_AT_comp_dir. Indexed strings wait for DW_AT_str_offsets_base. */
function readTopDie(c: Cursor, table: AbbrevTable, u: UnitContext): TopDie {
  const at = c.pos;
  const code = c.uleb();
  const a = table.get(code);
  if (!a) throw c.error(`abbreviation code ${code} is not in the unit's table`, at);
  if (a.tag !== DW_TAG.compile_unit && a.tag !== DW_TAG.partial_unit && a.tag !== DW_TAG.skeleton_unit)
    throw c.error(`the unit's first DIE has tag 0x${a.tag.toString(16)}: expected a compile unit`, at);
  let name: number | null = null;
  let compDir: number | null = null;
  for (let i = 0; i < a.forms.length; i++) {
    const n = a.names[i];
    if (n === DW_AT.name) name = c.pos;
    else if (n === DW_AT.comp_dir) compDir = c.pos;
    else if (n === DW_AT.str_offsets_base) {
      const form = a.forms[i]!;
      if (form !== DW_FORM.sec_offset && form !== DW_FORM.data4)
        throw c.error(`DW_AT_str_offsets_base in form 0x${form.toString(16)}: expected sec_offset`);
      u.strOffsetsBase = c.u32();
      continue;
    }
    skipForm(c, a.forms[i]!, u);
  }
  const after = c.pos;
  const stringOf = (pos: number | null, index: number) => {
    if (pos === null) return '';
    c.pos = pos;
    return readString(c, a.forms[index]!, u) ?? '';
  };
  const nameText = stringOf(name, a.names.indexOf(DW_AT.name));
  const dirText = stringOf(compDir, a.names.indexOf(DW_AT.comp_dir));
  c.pos = after;
  return { path: unitPath(nameText, dirText), compDir: dirText, hasChildren: a.hasChildren };
}

function readDie(
  c: Cursor,
  a: { names: number[]; forms: number[]; consts: number[] },
  u: UnitContext,
  unitStart: number,
): Die & { sibling: number } {
  const die = {
    name: null as string | null,
    linkageName: null as string | null,
    external: false,
    declaration: false,
    ref: -1,
    address: null as bigint | null,
    sibling: -1,
  };
  for (let i = 0; i < a.forms.length; i++) {
    const form = a.forms[i]!;
    switch (a.names[i]) {
      case DW_AT.name:
        die.name = readString(c, form, u);
        break;
      case DW_AT.linkage_name:
      case DW_AT.MIPS_linkage_name:
        die.linkageName = readString(c, form, u);
        break;
      case DW_AT.external:
        die.external = form === DW_FORM.implicit_const ? a.consts[i] !== 0 : readFlag(c, form, u);
        break;
      case DW_AT.declaration:
        die.declaration = form === DW_FORM.implicit_const ? a.consts[i] !== 0 : readFlag(c, form, u);
        break;
      case DW_AT.specification:
      case DW_AT.abstract_origin:
        die.ref = readRef(c, form, u, unitStart);
        break;
      case DW_AT.sibling:
        die.sibling = readRef(c, form, u, unitStart);
        break;
      case DW_AT.low_pc:
        die.address = readAddress(c, form, u);
        break;
      case DW_AT.location:
        die.address = readLocationAddress(c, form, u);
        break;
      default:
        skipForm(c, form, u);
    }
  }
  return die;
}

/** How many DW_AT_specification / DW_AT_abstract_origin links are followed (GCC makes at most two). */
const MAX_LINKS = 4;

function define(
  c: Cursor,
  die: Die,
  table: AbbrevTable,
  u: UnitContext,
  unitStart: number,
  top: TopDie,
  out: DwarfGlobals,
  only: ReadonlySet<string> | undefined,
): void {
  let name = die.linkageName ?? die.name;
  let external = die.external;
  let ref = die.ref;
  for (let links = 0; ref !== -1 && (name === null || !external) && links < MAX_LINKS; links++) {
    const target = dieAt(c, ref, table, u, unitStart);
    if (!target) break;
    name ??= target.linkageName ?? target.name;
    external ||= target.external;
    ref = target.ref;
  }
  if (!external || name === null || name === '') return;
  if (only && !only.has(name)) return;
  const d: DwarfDefinition = { unitPath: top.path, compDir: top.compDir, address: die.address };
  const known = out.definitions.get(name);
  const same = known?.find((k) => k.unitPath === d.unitPath);
  // An abstract instance and its concrete copy are one definition in one unit.
  if (same) same.address ??= d.address;
  else if (known) known.push(d);
  else out.definitions.set(name, [d]);
}

/** The DIE a reference names, if it lies in this unit (references to other units are not followed). */
function dieAt(c: Cursor, ref: number, table: AbbrevTable, u: UnitContext, unitStart: number): Die | null {
  if (ref <= unitStart || ref >= c.bytes.length) return null;
  const saved = c.pos;
  c.pos = ref;
  const code = c.uleb();
  const a = table.get(code);
  if (!a) throw c.error(`reference to a DIE with abbreviation code ${code}, not in the unit's table`, ref);
  const die = readDie(c, a, u, unitStart);
  c.pos = saved;
  return die;
}

/**
 * A unit's DW_AT_name with `.` and `..` resolved. A plain relative name is kept as it is: the kernel's
 * -ffile-prefix-map makes names relative to the source tree while DW_AT_comp_dir stays the (mapped) build
 * directory (Debian: `mm/slub.c` in `debian/build/build_amd64_none_amd64`), and an in-tree build's
 * comp_dir is the tree. A name that climbs (`../mm/slub.c`) is joined to DW_AT_comp_dir first.
 */
export function unitPath(name: string, compDir: string): string {
  const climbs = name === '..' || name.startsWith('../') || name.includes('/../');
  const joined = name.startsWith('/') || compDir === '' || !climbs ? name : `${compDir}/${name}`;
  const parts: string[] = [];
  for (const p of joined.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(p);
  }
  return (joined.startsWith('/') ? '/' : '') + parts.join('/');
}
