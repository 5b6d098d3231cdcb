// The rpm header structure, used twice in every package (signature header, then main header); learnt
// from rpm's lib/header.c, lib/header_internal.h and include/rpm/rpmtag.h. Hand-written: no npm package
// reads rpm headers without rpm itself, and kabi-tracker runs no rpm binary.
//
//   intro, 16 bytes:  magic 8e ad e8 01 | 4 reserved bytes | nindex (u32 BE) | hsize (u32 BE)
//   index, nindex entries of 16 bytes:  tag | type | offset (into the store) | count     (u32 BE each)
//   store, hsize bytes: the values; integers big-endian, strings NUL-terminated, arrays back to back
//
// Limits as rpm's own (hdrchkTags, HEADER_DATA_MAX): at most 65535 entries and 256 MiB of store;
// anything beyond is refused before it is read.
import { ArtifactFormatError, type FormatErrorContext } from '../../errors.js';
import { hexBytes } from './ar.js';
import type { PackageFile } from './package-file.js';

export const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01]);
const INTRO_SIZE = 16;
const ENTRY_SIZE = 16;
const MAX_ENTRIES = 0xffff;
const MAX_STORE = 0x0fffffff;

/** rpmTagType: the value types a header entry can hold. */
export const RpmType = {
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

const INT_WIDTH: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8 };

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
  /** File offset of this entry in the index, for error messages. */
  at: number;
}

export interface RpmHeader {
  entries: Map<number, IndexEntry>;
  store: Buffer;
  /** File offset of the store, for error messages. */
  storeOffset: number;
  /** Bytes the header takes in the file. */
  size: number;
  source: string;
  section: string;
}

/** Reads and checks the header at `offset`; its values are decoded on demand. */
export async function readRpmHeader(file: PackageFile, offset: number, section: string): Promise<RpmHeader> {
  const intro = await file.read(offset, INTRO_SIZE, section, `${section} intro`);
  const ctx = { source: file.path, section, offset };
  if (!intro.subarray(0, 4).equals(HEADER_MAGIC)) {
    const found = hexBytes(intro.subarray(0, 4));
    throw new ArtifactFormatError(`expected header magic 8e ad e8 01, found ${found}`, ctx);
  }
  const nindex = intro.readUInt32BE(8);
  const hsize = intro.readUInt32BE(12);
  if (nindex < 1 || nindex > MAX_ENTRIES) {
    throw new ArtifactFormatError(
      `header index count ${nindex} is absurd (rpm allows 1 to ${MAX_ENTRIES})`,
      ctx,
    );
  }
  if (hsize > MAX_STORE) {
    throw new ArtifactFormatError(`header data size ${hsize} is absurd (rpm allows up to ${MAX_STORE})`, ctx);
  }
  const body = await file.read(
    offset + INTRO_SIZE,
    nindex * ENTRY_SIZE + hsize,
    section,
    `${section} index and data`,
  );
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < nindex; i++) {
    const at = i * ENTRY_SIZE;
    const entry = {
      tag: body.readUInt32BE(at),
      type: body.readUInt32BE(at + 4),
      offset: body.readUInt32BE(at + 8),
      count: body.readUInt32BE(at + 12),
      at: offset + INTRO_SIZE + at,
    };
    checkEntry(entry, body.subarray(nindex * ENTRY_SIZE), { source: file.path, section, offset: entry.at });
    if (!entries.has(entry.tag)) entries.set(entry.tag, entry);
  }
  const storeOffset = offset + INTRO_SIZE + nindex * ENTRY_SIZE;
  const store = body.subarray(nindex * ENTRY_SIZE);
  const size = INTRO_SIZE + body.length;
  return { entries, store, storeOffset, size, source: file.path, section };
}

/**
 * rpm's own checks on loading a header (lib/header.c hdrchkType, hdrchkRange, dataLength): a known
 * type, a count of at least one, and values inside the store: fixed-size ones by their width, strings
 * by finding each one's NUL.
 */
function checkEntry(e: IndexEntry, store: Buffer, ctx: FormatErrorContext): void {
  const fail = (reason: string) =>
    new ArtifactFormatError(`header index entry for tag ${e.tag}: ${reason}`, ctx);
  if (e.type > RpmType.I18NSTRING) throw fail(`type ${e.type} is not an rpm type (0 to 9)`);
  if (e.count === 0 || e.count > MAX_STORE) throw fail(`count ${e.count} is absurd`);
  if (e.type === RpmType.STRING && e.count !== 1) throw fail(`a STRING with count ${e.count} (expected 1)`);
  const outside = (span: string) => fail(`its data ${span}, outside the ${store.length}-byte store`);
  if (e.offset > store.length) throw outside(`starts at ${e.offset}`);
  const width = INT_WIDTH[e.type] ?? (e.type === RpmType.BIN ? 1 : 0);
  if (width > 0 && e.offset + e.count * width > store.length) {
    throw outside(`spans ${e.offset} to ${e.offset + e.count * width}`);
  }
  if (e.type === RpmType.STRING || e.type === RpmType.STRING_ARRAY || e.type === RpmType.I18NSTRING) {
    const count = e.type === RpmType.STRING ? 1 : e.count;
    let at = e.offset;
    for (let i = 0; i < count; i++) {
      const end = store.indexOf(0, at);
      if (end === -1) throw fail(`string ${i + 1} of ${count} runs past the ${store.length}-byte store`);
      at = end + 1;
    }
  }
}

/** A STRING (or the first of a STRING_ARRAY / I18NSTRING: the untranslated text); null when absent. */
export function headerString(h: RpmHeader, tag: number, name: string): string | null {
  const all = headerStrings(h, tag, name);
  return all === null ? null : (all[0] ?? null);
}

export function headerStrings(h: RpmHeader, tag: number, name: string): string[] | null {
  const e = h.entries.get(tag);
  if (e === undefined) return null;
  if (e.type !== RpmType.STRING && e.type !== RpmType.STRING_ARRAY && e.type !== RpmType.I18NSTRING) {
    throw entryError(h, e, name, `expected a string type, found type ${e.type}`);
  }
  const count = e.type === RpmType.STRING ? 1 : e.count;
  if (count > h.store.length) throw entryError(h, e, name, `count ${count} is absurd`);
  const out: string[] = [];
  let at = e.offset;
  for (let i = 0; i < count; i++) {
    const end = at < h.store.length ? h.store.indexOf(0, at) : -1;
    if (end === -1) throw entryError(h, e, name, `string ${i + 1} of ${count} runs past the header data`);
    out.push(h.store.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

/** CHAR, INT8, INT16, INT32 or INT64 values as numbers (unsigned); null when absent. */
export function headerNumbers(h: RpmHeader, tag: number, name: string): number[] | null {
  const e = h.entries.get(tag);
  if (e === undefined) return null;
  const width = INT_WIDTH[e.type];
  if (width === undefined) throw entryError(h, e, name, `expected an integer type, found type ${e.type}`);
  if (e.offset + e.count * width > h.store.length) {
    throw entryError(h, e, name, `${e.count} values of ${width} bytes run past the header data`);
  }
  const out: number[] = new Array(e.count);
  for (let i = 0; i < e.count; i++) {
    const at = e.offset + i * width;
    out[i] = width === 8 ? Number(h.store.readBigUInt64BE(at)) : h.store.readUIntBE(at, width);
  }
  return out;
}

function entryError(h: RpmHeader, e: IndexEntry, name: string, reason: string): ArtifactFormatError {
  return new ArtifactFormatError(`${name} (tag ${e.tag}): ${reason}`, {
    source: h.source,
    section: h.section,
    offset: e.at,
  });
}
