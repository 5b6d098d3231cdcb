// The DWARF numbers this reader needs (DWARF 5, section 7; DWARF 4 differs only where noted).
export const DW_TAG = {
  compile_unit: 0x11,
  partial_unit: 0x3c,
  skeleton_unit: 0x4a,
  subprogram: 0x2e,
  variable: 0x34,
} as const;

export const DW_AT = {
  sibling: 0x01,
  location: 0x02,
  name: 0x03,
  low_pc: 0x11,
  comp_dir: 0x1b,
  abstract_origin: 0x31,
  declaration: 0x3c,
  external: 0x3f,
  specification: 0x47,
  linkage_name: 0x6e,
  str_offsets_base: 0x72,
  /** The name GCC gave DW_AT_linkage_name before DWARF 4. */
  MIPS_linkage_name: 0x2007,
} as const;

export const DW_FORM = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

/** DWARF 5 unit types (7.5.1); a DWARF 4 unit in .debug_info is a compile unit. */
export const DW_UT = {
  compile: 1,
  type: 2,
  partial: 3,
  skeleton: 4,
  split_compile: 5,
  split_type: 6,
} as const;

/** DW_OP_addr: a location expression that is one static address (a global variable's). */
export const DW_OP_addr = 0x03;
