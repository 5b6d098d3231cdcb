// The plain two-file `kabi diff` as WebAssembly (AssemblyScript, built by scripts/bundle.mjs into
// dist/src/model/symvers-diff.wasm). A CLI's work runs once, cold: in JavaScript its byte loops run in
// V8's interpreter, here they run compiled from the first byte. Each step is one export, called by the
// JavaScript layer that owns it: parse (readers/module-symvers-wasm.ts), diff (analysis/
// exports-table-wasm.ts), jsonRows and textRows (report/diff-table-wasm.ts). The JavaScript columns path
// (module-symvers-table.ts, exports-table-diff.ts, diff-table.ts) is the definition: this module takes
// only what that path takes, and returns 0 for anything else, so the caller falls back to it.
//
// No managed objects: memory is one bump heap (alloc; never freed: a process diffs once), records are u32 fields at fixed offsets.
// Every spelling (export types, JSON and text pieces) is handed in by JavaScript with setPiece.

// ---- heap -------------------------------------------------------------------------------------------

let top: usize = 0;

/** Grows the memory to cover [0, end), at least doubling it: each grow costs V8 a remap and a new buffer. */
function ensure(end: usize): void {
  const pages = i32((end + 0xffff) >>> 16);
  const have = memory.size();
  if (pages <= have) return;
  if (memory.grow(max(pages, have * 2) - have) < 0 && memory.grow(pages - have) < 0) unreachable();
}

export function alloc(n: u32): usize {
  if (top == 0) top = (__heap_base + 15) & ~15;
  const p = top;
  top = (top + n + 15) & ~15;
  ensure(top);
  return p;
}

/** Makes [p, p + n) addressable: the output grows past the heap's top, which nothing follows. */
export function reserve(p: usize, n: u32): void {
  ensure(p + n);
}

// ---- pieces (spellings from JavaScript) -------------------------------------------------------------

const PIECES: i32 = 64;
let pieceTable: usize = 0;

export function setPiece(id: i32, ptr: usize, len: u32): void {
  if (pieceTable == 0) pieceTable = alloc(PIECES * 8);
  store<u32>(pieceTable + id * 8, u32(ptr));
  store<u32>(pieceTable + id * 8 + 4, len);
}

// Piece ids: the same numbers as PIECE in src/model/symvers-wasm.ts.
const P_TYPE: i32 = 0; // 5: EXPORT_TYPES
const P_OPEN: i32 = 5; // 6: `{"kind":"<kind>","symbol":"`
const P_TYPE_JSON: i32 = 11; // 5: `","exportType":"<type>","namespace":"`
const P_CLOSE: i32 = 16; // 6: severity × breaking
const P_SEVERITY_TEXT: i32 = 22; // 3
const P_OLD: i32 = 25; // `","old":`
const P_NEW: i32 = 26; // `,"new":`
const P_CRC: i32 = 27; // `{"crc":"`
const P_MODULE: i32 = 28; // `","module":"`
const P_EXPORT_END: i32 = 29; // `"}`
const P_NULL: i32 = 30; // `null`
const P_FIRST: i32 = 31; // `\n    `
const P_NEXT: i32 = 32; // `,\n    `
const P_LINE: i32 = 33; // `\n  `
const P_GAP: i32 = 34; // two spaces
const P_IN: i32 = 35; // ` in `
const P_WAS: i32 = 36; // `was `
const P_ARROW: i32 = 37; // ` → `
const P_OPEN_PAREN: i32 = 38; // ` (`
const P_CLOSE_PAREN: i32 = 39; // `)`
const P_GPL_NOW: i32 = 40; // ` (GPL-only now: ...)`
const P_NEED_NS: i32 = 41; // ` (modules need MODULE_IMPORT_NS(`
const P_NEED_NS_END: i32 = 42; // `))`
const P_NONE: i32 = 43; // `(none)`

@inline function pieceAt(id: i32): usize {
  return usize(load<u32>(pieceTable + id * 8));
}
@inline function pieceLen(id: i32): u32 {
  return load<u32>(pieceTable + id * 8 + 4);
}

/**
 * Copies n bytes sixteen at a time. It may read up to fifteen bytes past the source and write up to
 * fifteen past the destination: every source is followed by more of the heap, every destination by room
 * that the next write overwrites (ensure() reserves it). memory.copy is a call per field, which cost more
 * than the few bytes it moves.
 */
@inline function move(out: usize, from: usize, n: usize): usize {
  for (let k: usize = 0; k < n; k += 16) v128.store(out + k, v128.load(from + k));
  return out + n;
}

@inline function put(out: usize, id: i32): usize {
  return move(out, pieceAt(id), usize(pieceLen(id)));
}

@inline function copy(out: usize, from: usize, to: usize): usize {
  return move(out, from, to - from);
}

// ---- parse (readers) --------------------------------------------------------------------------------

// A table: header of u32 fields, then rows of ROW u32 fields.
const T_TEXT: usize = 0;
const T_LENGTH: usize = 4;
const T_COUNT: usize = 8;
const T_VMLINUX: usize = 12;
const T_ROWS: usize = 16;
const T_HASH: usize = 20;
const T_MASK: usize = 24;
/** 1 when the text has a `"` or a `\` (JSON would need escapes: the JavaScript writer does it). */
const T_QUOTES: usize = 28;
const T_SIZE: u32 = 32;

// A row: symbol, module and namespace as [start, end) addresses, the CRC, the export type, the hash.
const R_SYMBOL: usize = 0;
const R_SYMBOL_END: usize = 4;
const R_MODULE: usize = 8;
const R_MODULE_END: usize = 12;
const R_NS: usize = 16;
const R_NS_END: usize = 20;
const R_CRC: usize = 24;
const R_TYPE: usize = 28;
const R_HASH: usize = 32;
const ROW: u32 = 36;

const MAX_LINE: usize = 1 << 20;
/** The shortest row: `0x0`, a one-letter symbol and module, EXPORT_SYMBOL, three tabs and a LF. */
const SHORTEST_ROW: u32 = 22;

@inline function row(t: usize, r: u32): usize {
  return usize(load<u32>(t + T_ROWS)) + usize(r) * ROW;
}

/** Each byte's value as a hexadecimal digit, 255 for the others (filled by parse). */
let HEX: usize = 0;

function hexTable(): usize {
  const t = alloc(256);
  memory.fill(t, 255, 256);
  for (let c: u32 = 0; c < 10; c++) store<u8>(t + 48 + c, c);
  for (let c: u32 = 0; c < 6; c++) {
    store<u8>(t + 65 + c, 10 + c);
    store<u8>(t + 97 + c, 10 + c);
  }
  return t;
}

@inline function hexValue(from: usize, to: usize): i64 {
  let value: u32 = 0;
  let bad: u32 = 0;
  for (let p = from; p < to; p++) {
    const d = u32(load<u8>(HEX + usize(load<u8>(p))));
    bad |= d;
    value = (value << 4) | d;
  }
  return bad > 15 ? -1 : i64(value);
}

/** Whether [a, a + n) and [b, b + n) hold the same bytes, eight at a time (reading past both, as move). */
function sameBytes(a: usize, b: usize, n: usize): bool {
  let k: usize = 0;
  for (; k + 16 <= n; k += 16) if (!i8x16.all_true(i8x16.eq(v128.load(a + k), v128.load(b + k)))) return false;
  for (; k + 8 <= n; k += 8) if (load<u64>(a + k) != load<u64>(b + k)) return false;
  if (k == n) return true;
  const mask = (u64(1) << (u64(n - k) * 8)) - 1;
  return ((load<u64>(a + k) ^ load<u64>(b + k)) & mask) == 0;
}

function typeAt(from: usize, to: usize): i32 {
  for (let t = 0; t < 5; t++) {
    const n = usize(pieceLen(P_TYPE + t));
    if (n == to - from && sameBytes(pieceAt(P_TYPE + t), from, n)) return t;
  }
  return -1;
}

/** Set by hashOf: whether the symbol has a space (the JavaScript reader declines it). */
let spaced = false;

/** The symbol's hash, four bytes at a time; sets `spaced`. */
function hashOf(from: usize, to: usize): u32 {
  let h: u32 = u32(to - from) * 0x9e3779b1;
  let any: u32 = 0;
  for (let p = from; p < to; p += 4) {
    let w = load<u32>(p);
    if (to - p < 4) w &= (u32(1) << (u32(to - p) * 8)) - 1;
    const x = w ^ 0x20202020; // a space becomes a zero byte (bytes past the end become 0x20)
    any |= (x - 0x01010101) & ~x & 0x80808080;
    h = rotl<u32>((h ^ w) * 0x85ebca6b, 13);
  }
  spaced = any != 0;
  h ^= h >>> 16;
  h *= 0x7feb352d;
  return h ^ (h >>> 15);
}

// The line being read, and the table being filled (globals: the scan and endLine share them).
let tabs = 0;
let t1: usize = 0;
let t2: usize = 0;
let t3: usize = 0;
let t4: usize = 0;
let rows: usize = 0;
let count: u32 = 0;
let vmlinux: u32 = 0;

/**
 * The table of a plain Module.symvers at [text, text + length), or 0: the same file shape that
 * parseSymversTable (readers/module-symvers-table.ts) takes, and nothing more. The text is scanned
 * sixteen bytes at a time for the bytes that matter (tabs, line ends, `"`, `\`, anything not printable
 * ASCII); the others are never looked at one by one.
 */
export function parse(text: usize, length: u32): usize {
  if (HEX == 0) HEX = hexTable();
  const end = text + length;
  const capacity = (length + 1) / SHORTEST_ROW + 1;
  const t = alloc(T_SIZE);
  rows = alloc(capacity * ROW);
  store<u32>(t + T_TEXT, u32(text));
  store<u32>(t + T_LENGTH, length);
  store<u32>(t + T_ROWS, u32(rows));
  count = 0;
  vmlinux = 0;
  tabs = 0;
  let quotes: u32 = 0;
  let line = text;
  const space = i8x16.splat(32);
  const tilde = i8x16.splat(126);
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  // alloc() rounds to 16 bytes, so the last chunk's load stays inside the text's allocation.
  for (let p = text; p < end; p += 16) {
    const v = v128.load(p);
    const special = v128.or(
      v128.or(i8x16.lt_u(v, space), i8x16.gt_u(v, tilde)),
      v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)),
    );
    let mask = u32(i8x16.bitmask(special));
    if (end - p < 16) mask &= (u32(1) << u32(end - p)) - 1;
    while (mask != 0) {
      const q = p + usize(ctz<u32>(mask));
      mask &= mask - 1;
      const c = load<u8>(q);
      if (c == 9) {
        tabs++;
        if (tabs == 1) t1 = q;
        else if (tabs == 2) t2 = q;
        else if (tabs == 3) t3 = q;
        else if (tabs == 4) t4 = q;
      } else if (c == 10) {
        if (!endLine(line, q)) return 0;
        line = q + 1;
        tabs = 0;
      } else if (c == 13) {
        if (q + 1 >= end || load<u8>(q + 1) != 10) return 0; // a lone CR
      } else if (c == 34 || c == 92) quotes = 1;
      else return 0; // not printable ASCII
    }
  }
  if (line < end && !endLine(line, end)) return 0;
  if (count == 0) return 0;
  store<u32>(t + T_COUNT, count);
  store<u32>(t + T_VMLINUX, vmlinux);
  store<u32>(t + T_QUOTES, quotes);
  return index(t) ? t : 0; // a duplicate: the JavaScript reader says where, or keeps the last
}

/** The line [line, nl) (nl: its LF, or the text's end), whose tabs the scan found; false to decline. */
function endLine(line: usize, nl: usize): bool {
  if (nl - line > MAX_LINE) return false;
  const stop = nl > line && load<u8>(nl - 1) == 13 ? nl - 1 : nl;
  if (line == nl || load<u8>(line) != 48) {
    for (let q = line; q < stop; q++) {
      const c = load<u8>(q);
      if (c != 32 && c != 9) return false;
    }
    return true; // a blank line
  }
  if (tabs < 3 || tabs > 4) return false;
  if (t1 - line < 3 || t1 - line > 10 || load<u8>(line + 1) != 120) return false;
  const value = hexValue(line + 2, t1);
  if (value < 0 || t2 == t1 + 1 || t3 == t2 + 1) return false;
  const typeEnd = tabs == 4 ? t4 : stop;
  const type = typeAt(t3 + 1, typeEnd);
  if (type < 0) return false;
  const hash = hashOf(t1 + 1, t2);
  if (spaced) return false;
  const r = rows + usize(count) * ROW;
  store<u32>(r + R_SYMBOL, u32(t1 + 1));
  store<u32>(r + R_SYMBOL_END, u32(t2));
  store<u32>(r + R_MODULE, u32(t2 + 1));
  store<u32>(r + R_MODULE_END, u32(t3));
  store<u32>(r + R_NS, u32(tabs == 4 ? t4 + 1 : stop));
  store<u32>(r + R_NS_END, u32(stop));
  store<u32>(r + R_CRC, u32(value));
  store<u32>(r + R_TYPE, u32(type));
  store<u32>(r + R_HASH, hash);
  if (t3 - t2 == 8 && isVmlinux(t2 + 1)) vmlinux++;
  count++;
  return true;
}

function isVmlinux(p: usize): bool {
  return (
    load<u8>(p) == 118 &&
    load<u8>(p + 1) == 109 &&
    load<u8>(p + 2) == 108 &&
    load<u8>(p + 3) == 105 &&
    load<u8>(p + 4) == 110 &&
    load<u8>(p + 5) == 117 &&
    load<u8>(p + 6) == 120
  );
}

/** The symbol → row hash table (open addressing, slots hold row + 1); false on a duplicate symbol. */
function index(t: usize): bool {
  const count = load<u32>(t + T_COUNT);
  let size: u32 = 16;
  while (size < count * 2) size <<= 1;
  const mask = size - 1;
  const hash = alloc(size * 4);
  memory.fill(hash, 0, size * 4);
  store<u32>(t + T_HASH, u32(hash));
  store<u32>(t + T_MASK, mask);
  for (let r: u32 = 0; r < count; r++) {
    const rr = row(t, r);
    const h = load<u32>(rr + R_HASH);
    const from = usize(load<u32>(rr + R_SYMBOL));
    const n = usize(load<u32>(rr + R_SYMBOL_END)) - from;
    let slot = h & mask;
    for (let e = load<u32>(hash + slot * 4); e != 0; e = load<u32>(hash + slot * 4)) {
      const other = row(t, e - 1);
      if (
        load<u32>(other + R_HASH) == h &&
        usize(load<u32>(other + R_SYMBOL_END) - load<u32>(other + R_SYMBOL)) == n &&
        sameBytes(usize(load<u32>(other + R_SYMBOL)), from, n)
      )
        return false;
      slot = (slot + 1) & mask;
    }
    store<u32>(hash + slot * 4, r + 1);
  }
  return true;
}

/** The row of symbol [from, to) in table t, or -1. */
function find(t: usize, from: u32, to: u32, h: u32): i32 {
  const hash = usize(load<u32>(t + T_HASH));
  const mask = load<u32>(t + T_MASK);
  const n = to - from;
  let slot = h & mask;
  while (true) {
    const e = load<u32>(hash + slot * 4);
    if (e == 0) return -1;
    const rr = row(t, e - 1);
    if (
      load<u32>(rr + R_HASH) == h &&
      load<u32>(rr + R_SYMBOL_END) - load<u32>(rr + R_SYMBOL) == n &&
      sameBytes(usize(load<u32>(rr + R_SYMBOL)), usize(from), usize(n))
    )
      return i32(e - 1);
    slot = (slot + 1) & mask;
  }
}

// ---- diff (analysis) --------------------------------------------------------------------------------

// Change kinds in CHANGE_KINDS order (model/change.ts).
const REMOVED: u32 = 0;
const CRC_CHANGED: u32 = 1;
const TYPE_CHANGED: u32 = 2;
const NS_CHANGED: u32 = 3;
const MOVED: u32 = 4;
const ADDED: u32 = 5;
const KINDS: u32 = 6;

// The result: header of u32 fields, then per change 3 u32: kind | breaking << 8 | severity << 16, the
// old row (-1 for added), the new row (-1 for removed).
const D_COUNT: usize = 0;
const D_CHANGES: usize = 4;
const D_BY_KIND: usize = 8; // 6
const D_BY_SEVERITY: usize = 32; // 3
const D_WIDTH: usize = 44;
const D_SIZE: u32 = 48;
const CHANGE: u32 = 12;

/** Which export types are GPL-only (bit t: isGplOnly(EXPORT_TYPES[t]) in model/export.ts). */
export function gplOnlyMask(mask: u32): void {
  gplMask = mask;
}
let gplMask: u32 = 0;

/**
 * compareTables (analysis/exports-table-diff.ts) under a policy without rules or lists: the changes in
 * report order (by kind, then by symbol in byte order, which is code-unit order for ASCII).
 */
export function diff(a: usize, b: usize, breakingSeverity: u32, harmlessSeverity: u32): usize {
  const ca = load<u32>(a + T_COUNT);
  const cb = load<u32>(b + T_COUNT);
  const matched = alloc(cb);
  memory.fill(matched, 0, cb);
  // Per kind, [old, new] pairs; every kind but added has at most one per old row.
  const lists = alloc(KINDS * 4);
  const lengths = alloc(KINDS * 4);
  for (let k: u32 = 0; k < KINDS; k++) {
    store<u32>(lists + k * 4, u32(alloc((k == ADDED ? cb : ca) * 8)));
    store<u32>(lengths + k * 4, 0);
  }
  for (let i: u32 = 0; i < ca; i++) {
    const ra = row(a, i);
    const j = find(b, load<u32>(ra + R_SYMBOL), load<u32>(ra + R_SYMBOL_END), load<u32>(ra + R_HASH));
    if (j < 0) {
      push(lists, lengths, REMOVED, i, -1);
      continue;
    }
    store<u8>(matched + j, 1);
    const rb = row(b, u32(j));
    if (load<u32>(ra + R_CRC) != load<u32>(rb + R_CRC)) push(lists, lengths, CRC_CHANGED, i, j);
    // Module to the line's end at once: nearly always the same bytes.
    const ma = usize(load<u32>(ra + R_MODULE));
    const mb = usize(load<u32>(rb + R_MODULE));
    const restA = usize(load<u32>(ra + R_NS_END)) - ma;
    if (restA == usize(load<u32>(rb + R_NS_END)) - mb && sameBytes(ma, mb, restA)) continue;
    if (load<u32>(ra + R_TYPE) != load<u32>(rb + R_TYPE)) push(lists, lengths, TYPE_CHANGED, i, j);
    if (!sameField(ra, rb, R_NS)) push(lists, lengths, NS_CHANGED, i, j);
    if (!sameField(ra, rb, R_MODULE)) push(lists, lengths, MOVED, i, j);
  }
  for (let j: u32 = 0; j < cb; j++) if (load<u8>(matched + j) == 0) push(lists, lengths, ADDED, -1, j);

  let count: u32 = 0;
  for (let k: u32 = 0; k < KINDS; k++) count += load<u32>(lengths + k * 4);
  const d = alloc(D_SIZE);
  const changes = alloc(count * CHANGE);
  store<u32>(d + D_COUNT, count);
  store<u32>(d + D_CHANGES, u32(changes));
  let out = changes;
  let width: u32 = 8;
  const bySeverity = d + D_BY_SEVERITY;
  store<u32>(bySeverity, 0);
  store<u32>(bySeverity + 4, 0);
  store<u32>(bySeverity + 8, 0);
  for (let k: u32 = 0; k < KINDS; k++) {
    const pairs = usize(load<u32>(lists + k * 4));
    const n = load<u32>(lengths + k * 4);
    store<u32>(d + D_BY_KIND + k * 4, n);
    const order = sortPairs(pairs, n, k == ADDED ? b : a, k == ADDED ? 1 : 0);
    for (let q: u32 = 0; q < n; q++) {
      const pair = pairs + usize(load<u32>(order + q * 4)) * 8;
      const o = load<i32>(pair);
      const nw = load<i32>(pair + 4);
      const broken = breaking(k, a, o, b, nw);
      const severity = broken ? breakingSeverity : harmlessSeverity;
      store<u32>(bySeverity + severity * 4, load<u32>(bySeverity + severity * 4) + 1);
      store<u32>(out, k | (u32(broken) << 8) | (severity << 16));
      store<i32>(out + 4, o);
      store<i32>(out + 8, nw);
      out += CHANGE;
      const rr = o >= 0 ? row(a, u32(o)) : row(b, u32(nw));
      const length = load<u32>(rr + R_SYMBOL_END) - load<u32>(rr + R_SYMBOL);
      if (length > width) width = length;
    }
  }
  store<u32>(d + D_WIDTH, width < 48 ? width : 48);
  return d;
}

@inline function push(lists: usize, lengths: usize, k: u32, o: i32, n: i32): void {
  const length = load<u32>(lengths + k * 4);
  const at = usize(load<u32>(lists + k * 4)) + usize(length) * 8;
  store<i32>(at, o);
  store<i32>(at + 4, n);
  store<u32>(lengths + k * 4, length + 1);
}

function sameField(ra: usize, rb: usize, field: usize): bool {
  const a0 = usize(load<u32>(ra + field));
  const b0 = usize(load<u32>(rb + field));
  const n = usize(load<u32>(ra + field + 4)) - a0;
  return n == usize(load<u32>(rb + field + 4)) - b0 && sameBytes(a0, b0, n);
}

/** As compareExport (analysis/exports-diff.ts) decides it. */
function breaking(kind: u32, a: usize, o: i32, b: usize, n: i32): bool {
  if (kind == REMOVED || kind == CRC_CHANGED) return true;
  if (kind == TYPE_CHANGED) {
    const ta = load<u32>(row(a, u32(o)) + R_TYPE);
    const tb = load<u32>(row(b, u32(n)) + R_TYPE);
    return ((gplMask >>> tb) & 1) == 1 && ((gplMask >>> ta) & 1) == 0;
  }
  if (kind == NS_CHANGED) {
    const rb = row(b, u32(n));
    return load<u32>(rb + R_NS_END) > load<u32>(rb + R_NS);
  }
  return false;
}

// The sort: pair indices ordered by their symbol's bytes. Each carries its symbol's first sixteen bytes
// as two big-endian keys, so most comparisons are one or two integer comparisons (kernel symbols often
// share eight: `__ksymtab`, `snd_soc_`, `drm_atom`).
let sortKeys: usize = 0;
let sortSymbols: usize = 0;

/** The order of n pairs by the symbol of their row in t (side 0: old row, 1: new row), as u32 indices. */
function sortPairs(pairs: usize, n: u32, t: usize, side: u32): usize {
  const order = alloc(n * 4);
  const scratch = alloc(n * 4);
  sortKeys = alloc(n * 16);
  sortSymbols = alloc(n * 8);
  for (let q: u32 = 0; q < n; q++) {
    const r = row(t, u32(load<i32>(pairs + usize(q) * 8 + side * 4)));
    const from = usize(load<u32>(r + R_SYMBOL));
    const to = usize(load<u32>(r + R_SYMBOL_END));
    store<u64>(sortKeys + usize(q) * 16, keyAt(from, to));
    store<u64>(sortKeys + usize(q) * 16 + 8, keyAt(from + 8, to));
    store<u32>(sortSymbols + usize(q) * 8, u32(from));
    store<u32>(sortSymbols + usize(q) * 8 + 4, u32(to));
    store<u32>(order + usize(q) * 4, q);
  }
  // Bottom-up merge sort: insertion-sorted runs of 16, then merges between order and scratch.
  const RUN: u32 = 16;
  for (let lo: u32 = 0; lo < n; lo += RUN) {
    const hi = lo + RUN < n ? lo + RUN : n;
    for (let i = lo + 1; i < hi; i++) {
      const x = load<u32>(order + usize(i) * 4);
      let j = i;
      while (j > lo && less(x, load<u32>(order + usize(j - 1) * 4))) {
        store<u32>(order + usize(j) * 4, load<u32>(order + usize(j - 1) * 4));
        j--;
      }
      store<u32>(order + usize(j) * 4, x);
    }
  }
  let from = order;
  let to = scratch;
  for (let width = RUN; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += 2 * width) {
      const mid = lo + width < n ? lo + width : n;
      const hi = lo + 2 * width < n ? lo + 2 * width : n;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const x = load<u32>(from + usize(i) * 4);
        const y = load<u32>(from + usize(j) * 4);
        if (less(y, x)) {
          store<u32>(to + usize(k++) * 4, y);
          j++;
        } else {
          store<u32>(to + usize(k++) * 4, x);
          i++;
        }
      }
      while (i < mid) store<u32>(to + usize(k++) * 4, load<u32>(from + usize(i++) * 4));
      while (j < hi) store<u32>(to + usize(k++) * 4, load<u32>(from + usize(j++) * 4));
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}

/** Bytes [from, from + 8) as a big-endian number, zeros past `to`. */
function keyAt(from: usize, to: usize): u64 {
  if (from >= to) return 0;
  let key = bswap<u64>(load<u64>(from));
  if (to - from < 8) {
    const drop = u64(8 - (to - from)) * 8;
    key = (key >>> drop) << drop;
  }
  return key;
}

@inline function less(x: u32, y: u32): bool {
  const px = sortKeys + usize(x) * 16;
  const py = sortKeys + usize(y) * 16;
  const kx = load<u64>(px);
  const ky = load<u64>(py);
  if (kx != ky) return kx < ky;
  const lx = load<u64>(px + 8);
  const ly = load<u64>(py + 8);
  return lx != ly ? lx < ly : lessAfterKey(x, y);
}

/** less() for two symbols whose first sixteen bytes are the same. */
function lessAfterKey(x: u32, y: u32): bool {
  const x0 = usize(load<u32>(sortSymbols + usize(x) * 8));
  const x1 = usize(load<u32>(sortSymbols + usize(x) * 8 + 4));
  const y0 = usize(load<u32>(sortSymbols + usize(y) * 8));
  const y1 = usize(load<u32>(sortSymbols + usize(y) * 8 + 4));
  const nx = x1 - x0;
  const ny = y1 - y0;
  const n = nx < ny ? nx : ny;
  // The first sixteen bytes are equal (the keys); the rest eight at a time, as big-endian numbers.
  for (let k: usize = 16; k < n; k += 8) {
    let wx = bswap<u64>(load<u64>(x0 + k));
    let wy = bswap<u64>(load<u64>(y0 + k));
    if (n - k < 8) {
      const drop = u64(8 - (n - k)) * 8;
      wx = (wx >>> drop) << drop;
      wy = (wy >>> drop) << drop;
    }
    if (wx != wy) return wx < wy;
  }
  return nx < ny;
}

// ---- bytes (report) ---------------------------------------------------------------------------------

/** An upper bound on a change's output bytes, beyond its pieces. */
function rowRoom(a: usize, b: usize, o: i32, n: i32): u32 {
  let room: u32 = 1024;
  if (o >= 0) {
    const r = row(a, u32(o));
    room += (load<u32>(r + R_NS_END) - load<u32>(r + R_SYMBOL)) * 2;
  }
  if (n >= 0) {
    const r = row(b, u32(n));
    room += (load<u32>(r + R_NS_END) - load<u32>(r + R_SYMBOL)) * 2;
  }
  return room;
}

/** formatCrc (model/export.ts): `0x` and eight lower-case digits. */
@inline function crcAt(out: usize, crc: u32): usize {
  store<u16>(out, 0x7830); // `0x`
  // Each nibble into its own byte (least significant first), then to ASCII, then most significant first.
  let x = u64(crc);
  x = ((x & 0xffff0000) << 16) | (x & 0xffff);
  x = ((x & 0x0000ff000000ff00) << 8) | (x & 0x000000ff000000ff);
  x = ((x & 0x00f000f000f000f0) << 4) | (x & 0x000f000f000f000f);
  const letters = ((x + 0x0606060606060606) >>> 4) & 0x0101010101010101; // 1 where a nibble > 9
  store<u64>(out + 2, bswap<u64>(x + 0x3030303030303030 + letters * 39));
  return out + 10;
}

function exportJson(out: usize, t: usize, r: i32): usize {
  if (r < 0) return put(out, P_NULL);
  const rr = row(t, u32(r));
  out = put(out, P_CRC);
  out = crcAt(out, load<u32>(rr + R_CRC));
  out = put(out, P_MODULE);
  out = copy(out, usize(load<u32>(rr + R_MODULE)), usize(load<u32>(rr + R_MODULE_END)));
  out = put(out, P_TYPE_JSON + i32(load<u32>(rr + R_TYPE)));
  out = copy(out, usize(load<u32>(rr + R_NS)), usize(load<u32>(rr + R_NS_END)));
  return put(out, P_EXPORT_END);
}

/**
 * Changes [from, to) as plainRows (report/diff-table.ts) writes them, from `out` on; the address after
 * the last byte. Only for tables without `"` or `\` (T_QUOTES).
 */
export function jsonRows(a: usize, b: usize, d: usize, from: u32, to: u32, out: usize): usize {
  const changes = usize(load<u32>(d + D_CHANGES));
  for (let i = from; i < to; i++) {
    const c = changes + usize(i) * CHANGE;
    const meta = load<u32>(c);
    const o = load<i32>(c + 4);
    const n = load<i32>(c + 8);
    ensure(out + rowRoom(a, b, o, n));
    out = put(out, i > 0 ? P_NEXT : P_FIRST);
    out = put(out, P_OPEN + i32(meta & 0xff));
    const rr = o >= 0 ? row(a, u32(o)) : row(b, u32(n));
    out = copy(out, usize(load<u32>(rr + R_SYMBOL)), usize(load<u32>(rr + R_SYMBOL_END)));
    out = put(out, P_OLD);
    out = exportJson(out, a, o);
    out = put(out, P_NEW);
    out = exportJson(out, b, n);
    out = put(out, P_CLOSE + i32((meta >>> 16) & 0xff) * 2 + i32((meta >>> 8) & 0xff));
  }
  return out;
}

function field(out: usize, t: usize, r: i32, f: usize): usize {
  const rr = row(t, u32(r));
  return copy(out, usize(load<u32>(rr + f)), usize(load<u32>(rr + f + 4)));
}

function namespaceText(out: usize, t: usize, r: i32): usize {
  const rr = row(t, u32(r));
  if (load<u32>(rr + R_NS_END) == load<u32>(rr + R_NS)) return put(out, P_NONE);
  return field(out, t, r, R_NS);
}

/** Changes [from, to) as the text report's lines (tableDiffToText's loop), from `out` on. */
export function textRows(a: usize, b: usize, d: usize, from: u32, to: u32, width: u32, out: usize): usize {
  const changes = usize(load<u32>(d + D_CHANGES));
  for (let i = from; i < to; i++) {
    const c = changes + usize(i) * CHANGE;
    const meta = load<u32>(c);
    const kind = meta & 0xff;
    const broken = ((meta >>> 8) & 0xff) == 1;
    const o = load<i32>(c + 4);
    const n = load<i32>(c + 8);
    ensure(out + rowRoom(a, b, o, n) + width);
    out = put(out, P_LINE);
    out = put(out, P_SEVERITY_TEXT + i32((meta >>> 16) & 0xff));
    out = put(out, P_GAP);
    const rr = o >= 0 ? row(a, u32(o)) : row(b, u32(n));
    const s0 = usize(load<u32>(rr + R_SYMBOL));
    const s1 = usize(load<u32>(rr + R_SYMBOL_END));
    out = copy(out, s0, s1);
    // Padded to the width with spaces sixteen at a time (as move() copies): what lies past the padding,
    // within the room ensure() made, is overwritten next. A byte at a time was most of textRows' time.
    const pad = usize(width) - min(usize(width), s1 - s0);
    for (let k: usize = 0; k < pad; k += 16) v128.store(out + k, i8x16.splat(32));
    out += pad;
    out = put(out, P_GAP);
    if (kind == ADDED) {
      const rb = row(b, u32(n));
      out = crcAt(out, load<u32>(rb + R_CRC));
      out = put(out, P_IN);
      out = field(out, b, n, R_MODULE);
      out = put(out, P_OPEN_PAREN);
      out = put(out, P_TYPE + i32(load<u32>(rb + R_TYPE)));
      out = put(out, P_CLOSE_PAREN);
    } else if (kind == REMOVED) {
      out = put(out, P_WAS);
      out = crcAt(out, load<u32>(row(a, u32(o)) + R_CRC));
      out = put(out, P_IN);
      out = field(out, a, o, R_MODULE);
    } else if (kind == CRC_CHANGED) {
      out = crcAt(out, load<u32>(row(a, u32(o)) + R_CRC));
      out = put(out, P_ARROW);
      out = crcAt(out, load<u32>(row(b, u32(n)) + R_CRC));
      out = put(out, P_IN);
      out = field(out, b, n, R_MODULE);
    } else if (kind == TYPE_CHANGED) {
      out = put(out, P_TYPE + i32(load<u32>(row(a, u32(o)) + R_TYPE)));
      out = put(out, P_ARROW);
      out = put(out, P_TYPE + i32(load<u32>(row(b, u32(n)) + R_TYPE)));
      if (broken) out = put(out, P_GPL_NOW);
    } else if (kind == NS_CHANGED) {
      out = namespaceText(out, a, o);
      out = put(out, P_ARROW);
      out = namespaceText(out, b, n);
      if (broken) {
        out = put(out, P_NEED_NS);
        out = field(out, b, n, R_NS);
        out = put(out, P_NEED_NS_END);
      }
    } else {
      out = field(out, a, o, R_MODULE);
      out = put(out, P_ARROW);
      out = field(out, b, n, R_MODULE);
    }
  }
  return out;
}
