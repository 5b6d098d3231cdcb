// Decoding a text artifact's bytes, and saying exactly where it stops being text. Every text format read
// here (Module.symvers, RPM provides, Ubuntu abi files, policies, stablelists, kernel configs, changelogs,
// apt sources and Packages indexes) is UTF-8 (or its ASCII subset) and never holds a NUL byte.
//
// The fast path is one fatal TextDecoder call; only when it fails is the input walked again (in JS, by the
// UTF-8 grammar of RFC 3629 / the WHATWG decoder) to find the first bad byte, its line and offset.
import { constants } from 'node:buffer';
import { ArtifactFormatError, excerptOf, InternalError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The longest line any text format here may have. Real lines are far shorter (a kernel symbol is at most
 * 512 bytes, a .config line 4 KB; the longest seen, Packages' Provides of a Rust crate, ~60 KB), while
 * parsers split, escape and match whole lines: a 32 MB line took a policy 12 s to refuse.
 */
export const MAX_LINE = 1 << 20;
const lenient = new TextDecoder('utf-8');

/** Where text stops being UTF-8: the offset of the bad sequence's first byte and how many bytes it spans. */
export interface BadUtf8 {
  offset: number;
  length: number;
}

/** The first ill-formed sequence in `bytes`, or null when all of it is well-formed UTF-8. */
export function firstBadUtf8(bytes: Uint8Array): BadUtf8 | null {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // a UTF-16 surrogate
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return { offset: i, length: 1 }; // a continuation byte, an overlong lead (C0, C1) or F5..FF
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lo || c > hi) return { offset: i, length: k };
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return null;
}

/** 1-based line of byte `offset` and the offset its line starts at. */
function lineAt(bytes: Uint8Array, offset: number): { no: number; start: number } {
  let no = 1;
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1 && nl < offset; nl = bytes.indexOf(10, nl + 1)) {
    no++;
    start = nl + 1;
  }
  return { no, start };
}

const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;

/**
 * An error at byte `offset` with its line number and an excerpt of that line around it, the bad bytes
 * shown as `\xff`. At most 40 bytes either side: a line may be megabytes long.
 */
export function textErrorAt(
  bytes: Uint8Array,
  bad: BadUtf8,
  source: string,
  reason: string,
): ArtifactFormatError {
  const { no, start } = lineAt(bytes, bad.offset);
  let end = bytes.indexOf(10, bad.offset);
  if (end === -1) end = bytes.length;
  const from = Math.max(start, bad.offset - 40);
  const to = Math.min(end, bad.offset + bad.length + 40);
  const shown = [...bytes.subarray(bad.offset, bad.offset + bad.length)].map(hex).join('');
  const before = lenient.decode(bytes.subarray(from, bad.offset)).replace(/\r$/, '');
  const after = lenient.decode(bytes.subarray(bad.offset + bad.length, to)).replace(/\r$/, '');
  const excerpt =
    (from > start ? '…' : '') +
    excerptOf(before, 200) +
    shown +
    excerptOf(after, 200) +
    (to < end ? '…' : '');
  return new ArtifactFormatError(reason, { source, line: no, offset: bad.offset, excerpt });
}

/**
 * Decodes a text artifact, refusing what is not text: NUL bytes (a stray .ko, a truncated compressed
 * file, UTF-16) and invalid UTF-8 (Latin-1 or binary data), each reported with its line and byte offset.
 * `expected` names the format, for the message.
 */
export function decodeText(bytes: Uint8Array, source: string, expected: string): string {
  if (bytes.length > constants.MAX_STRING_LENGTH) {
    throw new ArtifactFormatError(
      `${bytes.length} bytes, more than one text can hold (${constants.MAX_STRING_LENGTH}); expected ${expected}`,
      { source },
    );
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ArtifactFormatError(
      `UTF-16 text (byte-order mark ${hex(bytes[0])}${hex(bytes[1])}); expected ${expected} in UTF-8`,
      {
        source,
        line: 1,
        offset: 0,
      },
    );
  }
  if (bytes.length > MAX_LINE) refuseLongLines(bytes, source, expected);
  const nul = bytes.indexOf(0);
  if (nul !== -1)
    throw textErrorAt(
      bytes,
      { offset: nul, length: 1 },
      source,
      `binary data (NUL byte), expected ${expected}`,
    );
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    const bad = firstBadUtf8(bytes);
    if (bad === null) throw new InternalError(`${source}: TextDecoder refused well-formed UTF-8`, { cause });
    const seq = [...bytes.subarray(bad.offset, bad.offset + bad.length)].map(hex).join('');
    throw textErrorAt(bytes, bad, source, `invalid UTF-8 (${seq}), expected ${expected}`);
  }
}

/** Throws at the first line longer than MAX_LINE bytes; steps a MAX_LINE window at a time, not a line. */
function refuseLongLines(data: Uint8Array, source: string, expected: string): void {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = 0;
  while (bytes.length - start > MAX_LINE) {
    const nl = bytes.lastIndexOf(10, start + MAX_LINE);
    if (nl >= start) {
      start = nl + 1;
      continue;
    }
    const next = bytes.indexOf(10, start);
    const length = (next === -1 ? bytes.length : next) - start;
    const excerpt = excerptOf(lenient.decode(bytes.subarray(start, start + 40)), 40);
    throw new ArtifactFormatError(
      `line longer than ${MAX_LINE >> 20} MiB (${length} bytes), expected ${expected}`,
      {
        source,
        line: lineAt(bytes, start).no,
        offset: start,
        excerpt: `${excerpt}…`,
      },
    );
  }
}
