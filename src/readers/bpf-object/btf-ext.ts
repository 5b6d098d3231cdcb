// .BTF.ext (include/uapi/linux/btf.h and libbpf's libbpf_internal.h): what the compiler says about each
// program's instructions, beside the object's .BTF.
//
//   header   u16 magic 0xeB9F, u8 version 1, u8 flags, u32 hdr_len,
//            u32 func_info_off, u32 func_info_len, u32 line_info_off, u32 line_info_len,
//            u32 core_relo_off, u32 core_relo_len (when hdr_len ≥ 32); offsets from the end of the header
//   each info block: u32 rec_size, then per section { u32 sec_name_off (a .BTF string), u32 num_info,
//            num_info records of rec_size bytes }
//   func_info  { u32 insn_off; u32 type_id }                 (insn_off in instructions in the kernel's
//   line_info  { u32 insn_off; u32 file_name_off; u32 line_off; u32 line_col }   uapi, in bytes here)
//   core_relo  { u32 insn_off; u32 type_id; u32 access_str_off; u32 kind }
//
// A record may be longer than these (rec_size says how long); the fields above are its prefix.
import { ArtifactFormatError } from '../../errors.js';
import { CORE_RELO_KINDS, type CoreRelo } from '../../model/bpf-object.js';

export interface BtfExtFuncInfo {
  section: string;
  insn: number;
  typeId: number;
}

export interface BtfExtLineInfo {
  section: string;
  insn: number;
  file: string;
  line: string;
  lineNumber: number;
  column: number;
}

export interface BtfExt {
  funcInfo: BtfExtFuncInfo[];
  lineInfo: BtfExtLineInfo[];
  coreRelos: CoreRelo[];
}

export interface ReadBtfExtOptions {
  source: string;
  /** Where the section starts in its file, so errors give file offsets. */
  fileOffset: number;
  /** A string of the object's .BTF string section, by offset; throws when out of range. */
  string: (offset: number) => string;
}

const HEADER_MIN = 24;

export function readBtfExt(bytes: Uint8Array, opts: ReadBtfExtOptions): BtfExt {
  const fail = (reason: string, offset: number) =>
    new ArtifactFormatError(reason, {
      source: opts.source,
      offset: opts.fileOffset + offset,
      section: '.BTF.ext',
    });
  if (bytes.length < HEADER_MIN) throw fail(`${bytes.length} bytes: too short for a .BTF.ext header (24)`, 0);
  let le: boolean;
  if (bytes[0] === 0x9f && bytes[1] === 0xeb) le = true;
  else if (bytes[0] === 0xeb && bytes[1] === 0x9f) le = false;
  else throw fail(`bad magic: expected 0xeb9f`, 0);
  if (bytes[2] !== 1) throw fail(`.BTF.ext version ${bytes[2]}: only version 1 exists`, 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number) => view.getUint32(off, le);
  const hdrLen = u32(4);
  if (hdrLen < HEADER_MIN || hdrLen > bytes.length)
    throw fail(`hdr_len ${hdrLen}: expected 24 or more, within the ${bytes.length}-byte section`, 4);
  const str = (off: number, at: number, what: string) => {
    try {
      return opts.string(off);
    } catch {
      throw fail(`${what}: string offset ${off} lies outside the .BTF string section`, at);
    }
  };

  /** Walks one info block, calling `record` with the offset of each record and its section's name. */
  const block = (
    what: string,
    headerField: number,
    minRecord: number,
    record: (off: number, section: string) => void,
  ) => {
    const off = u32(headerField);
    const len = u32(headerField + 4);
    if (len === 0) return;
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length || end < start)
      throw fail(
        `${what} (${len} bytes at ${start}) runs past the end of the ${bytes.length}-byte section`,
        headerField,
      );
    if (len < 4) throw fail(`${what}: ${len} bytes, too short for its record size`, start);
    const recSize = u32(start);
    if (recSize < minRecord || recSize % 4 !== 0)
      throw fail(`${what}: record size ${recSize}, expected a multiple of 4 of at least ${minRecord}`, start);
    let p = start + 4;
    while (p < end) {
      if (p + 8 > end) throw fail(`${what}: section header runs past the block`, p);
      const section = str(u32(p), p, what);
      const n = u32(p + 4);
      p += 8;
      if (n === 0) throw fail(`${what} for ${section}: zero records (libbpf refuses this)`, p - 4);
      if (n > (end - p) / recSize)
        throw fail(`${what} for ${section}: ${n} records run past the block`, p - 4);
      for (let i = 0; i < n; i++, p += recSize) record(p, section);
    }
  };

  const funcInfo: BtfExtFuncInfo[] = [];
  const lineInfo: BtfExtLineInfo[] = [];
  const coreRelos: CoreRelo[] = [];
  const insnOf = (off: number, at: number, what: string) => {
    const v = u32(off);
    if (v % 8 !== 0) throw fail(`${what}: insn_off ${v} is not a multiple of 8`, at);
    return v / 8;
  };
  block('func_info', 8, 8, (p, section) => {
    funcInfo.push({ section, insn: insnOf(p, p, 'func_info'), typeId: u32(p + 4) });
  });
  block('line_info', 16, 16, (p, section) => {
    const col = u32(p + 12);
    lineInfo.push({
      section,
      insn: insnOf(p, p, 'line_info'),
      file: str(u32(p + 4), p + 4, 'line_info'),
      line: str(u32(p + 8), p + 8, 'line_info'),
      lineNumber: col >>> 10,
      column: col & 0x3ff,
    });
  });
  if (hdrLen >= 32) {
    block('core_relo', 24, 16, (p, section) => {
      const kindNo = u32(p + 12);
      const kind = CORE_RELO_KINDS[kindNo];
      if (kind === undefined)
        throw fail(`core_relo: unknown kind ${kindNo} (known: 0-${CORE_RELO_KINDS.length - 1})`, p + 12);
      coreRelos.push({
        section,
        insn: insnOf(p, p, 'core_relo'),
        typeId: u32(p + 4),
        access: str(u32(p + 8), p + 8, 'core_relo'),
        kind,
      });
    });
  }
  return { funcInfo, lineInfo, coreRelos };
}
