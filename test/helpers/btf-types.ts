// BTF type records (src/model/btf.ts) that the BTF tests write out again and again, as short calls.
import type { BtfMember, BtfType } from '../../src/model/btf.js';

/** The C `int` the tests' type lists start from. */
export const INT: Extract<BtfType, { kind: 'int' }> = {
  kind: 'int',
  name: 'int',
  size: 4,
  encoding: 'signed',
  bitOffset: 0,
  bits: 32,
};

/** A struct or union member: at offset 0 and no bitfield unless told. */
export function member(name: string, type: number, bitOffset = 0, bitfieldSize = 0): BtfMember {
  return { name, type, bitOffset, bitfieldSize };
}
