// Module.symvers as columns: the common shape (≥ 5.10, and ≤ 5.3 with 4 fields) read from the file's
// bytes into typed arrays, one row per export, with no object per export. `kabi diff` of two kernels
// reads ~50,000 lines and, with objects, spends more time collecting garbage than reading.
//
// Only the plain case is taken: every byte printable ASCII (so a byte offset is a character offset, and
// no field needs escaping for a terminal), every line `0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_*[<TAB>ns]`,
// no symbol twice. Anything else is null, and the caller reads the file with parseModuleSymvers, which
// says what is wrong and where; this reader never decides an error of its own.
import { constants } from 'node:buffer';
import { EXPORT_TYPES } from '../model/export.js';
import type { SymversTable } from '../model/symvers-table.js';
import { readInputFile } from './file.js';
import { MAX_LINE } from './text-decode.js';

/** Anything but printable ASCII, tabs and line ends (a CR only before a LF) sends the file to the general reader. */
const NOT_PLAIN = /[^\t\n\r\x20-\x7e]/;
const LONE_CR = /\r(?!\n)/;
const BLANK = /^[ \t\v\f]*$/;
/** The shortest row: `0x0`, a one-letter symbol and module, EXPORT_SYMBOL, three tabs and a LF. */
const SHORTEST_ROW = 22;

/**
 * The table of a Module.symvers in the plain case, else null (see the file comment). Written over the
 * text with indexOf and slice, which run as V8 builtins: a byte loop runs interpreted at a CLI's start.
 */
export function parseSymversTable(bytes: Uint8Array, source: string): SymversTable | null {
  const len = bytes.length;
  if (len > constants.MAX_STRING_LENGTH) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len);
  const text = buf.toString('latin1');
  if (NOT_PLAIN.test(text) || (text.includes('\r') && LONE_CR.test(text))) return null;
  const capacity = Math.floor((len + 1) / SHORTEST_ROW) + 1;
  const crc = new Uint32Array(capacity);
  const exportType = new Uint8Array(capacity);
  const fields = new Uint32Array(capacity * 6);
  const symbols: string[] = [];
  let vmlinux = 0;
  let count = 0;
  for (let pos = 0; pos < len; ) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    if (end - pos > MAX_LINE) return null; // the general reader refuses it, saying where
    const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const line = pos;
    pos = end + 1;
    if (text.charCodeAt(line) !== 48) {
      if (BLANK.test(text.slice(line, stop))) continue;
      return null;
    }
    const t1 = text.indexOf('\t', line);
    if (t1 < 0 || t1 >= stop || t1 - line < 3 || t1 - line > 10 || text.charCodeAt(line + 1) !== 120)
      return null;
    const value = hex(text, line + 2, t1);
    const t2 = text.indexOf('\t', t1 + 1);
    if (value < 0 || t2 < 0 || t2 >= stop || t2 === t1 + 1) return null;
    const t3 = text.indexOf('\t', t2 + 1);
    if (t3 < 0 || t3 >= stop || t3 === t2 + 1) return null;
    let t4 = text.indexOf('\t', t3 + 1);
    if (t4 < 0 || t4 > stop) t4 = stop;
    else {
      const t5 = text.indexOf('\t', t4 + 1);
      if (t5 >= 0 && t5 < stop) return null;
    }
    const type = typeAt(text, t3 + 1, t4);
    const symbol = text.slice(t1 + 1, t2);
    if (type < 0 || symbol.includes(' ')) return null;
    symbols.push(symbol);
    crc[count] = value;
    exportType[count] = type;
    const f = count * 6;
    fields[f] = t1 + 1;
    fields[f + 1] = t2;
    fields[f + 2] = t2 + 1;
    fields[f + 3] = t3;
    fields[f + 4] = t4 < stop ? t4 + 1 : stop;
    fields[f + 5] = stop;
    if (t3 - t2 === 8 && text.startsWith('vmlinux', t2 + 1)) vmlinux++;
    count++;
  }
  if (count === 0) return null;
  const rows = new Map<string, number>();
  for (let r = 0; r < count; r++) rows.set(symbols[r]!, r);
  // A duplicate (fewer keys than rows): the general reader says where, or keeps the last. One hash
  // lookup per row, not two (has, then set): they were ~40% of the parse.
  if (rows.size !== count) return null;
  return { source, text, count, symbols, rows, crc, exportType, fields, vmlinux };
}

/** `text[from, to)` as hexadecimal digits, or -1. */
function hex(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

function typeAt(text: string, from: number, to: number): number {
  for (let t = 0; t < EXPORT_TYPES.length; t++) {
    const want = EXPORT_TYPES[t]!;
    if (want.length === to - from && text.startsWith(want, from)) return t;
  }
  return -1;
}

/**
 * A file's table when it is a plain Module.symvers (sniffed as text, plain or compressed), else null: the
 * caller then reads it with readExportsArtifact, which also names any fault.
 */
export async function readSymversTable(path: string): Promise<SymversTable | null> {
  // A plain file is read here without the sniffer, whose decompressors (zlib, xz workers) cost a plain
  // `kabi diff` more to load than its parse; anything else is sniffed as before.
  const raw = await readInputFile(path, 'kernel exports').catch(() => null);
  if (raw !== null && plainText(raw)) return parseSymversTable(raw, path);
  const { sniffArtifact } = await import('./artifact.js');
  const artifact = await sniffArtifact(path, { what: 'kernel exports' });
  if (artifact.kind !== 'text' || artifact.data === null) return null;
  return parseSymversTable(artifact.data, path);
}

/**
 * Whether sniffArtifact would call these bytes uncompressed `text`: a table starts with `0x`, which no
 * compression, package, ELF or BTF magic does; the two kinds whose magic is printable ASCII (a bzImage's
 * `HdrS` at 0x202, an arm64 Image's `ARMd` at 0x38) are left to the sniffer, which decides as before.
 */
export function plainText(raw: Uint8Array): boolean {
  const at = (offset: number, magic: string) =>
    raw.length >= offset + magic.length &&
    Buffer.from(raw.buffer, raw.byteOffset + offset, magic.length).toString('latin1') === magic;
  return at(0, '0x') && !at(0x202, 'HdrS') && !at(0x38, 'ARMd');
}
