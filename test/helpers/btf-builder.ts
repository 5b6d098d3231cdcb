// BTF blobs (include/uapi/linux/btf.h) from the model's BtfType records, for tests of inputs the real
// kernels do not cover: decl tags, bad ids, big-endian, split BTF. A thin wrapper over the writer
// (src/writers/btf.ts) that takes the base blob a split BTF continues:
//
//   const bytes = buildBtf([
//     { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 },   // id 1
//     { kind: 'func_proto', name: '', type: 1, params: [], variadic: false },              // id 2
//     { kind: 'func', name: 'f', type: 2, linkage: 'global' },                              // id 3
//   ]);
//
// Ids follow the list: the first record is id 1 (or, for split BTF, the base's type count); a split BTF
// names its base: `buildBtf(moduleTypes, { base: vmlinuxBytes })`.
import type { BtfType } from '../../src/model/btf.js';
import { encodeBtf } from '../../src/writers/btf.js';

export type BtfRecord = Exclude<BtfType, { kind: 'void' }>;

export interface BuildBtfOptions {
  /** Default true. */
  littleEndian?: boolean;
  /** The base blob (built here) that this split BTF continues. */
  base?: Uint8Array;
}

export function buildBtf(types: BtfRecord[], opts: BuildBtfOptions = {}): Uint8Array {
  const bigEndian = opts.littleEndian === false;
  if (!opts.base) return encodeBtf(types, { bigEndian });
  const view = new DataView(opts.base.buffer, opts.base.byteOffset, opts.base.byteLength);
  const le = opts.base[0] === 0x9f;
  return encodeBtf(types, { bigEndian, stringBase: view.getUint32(20, le) });
}
