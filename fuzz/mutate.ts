// The mutation engine: AFL's havoc stage in miniature (bit and byte flips, interesting integers at aligned
// offsets, arithmetic, chunk delete/insert/duplicate/overwrite, splicing two corpus entries, dictionary
// tokens), plus mutators that know text is made of lines and fields (duplicate, drop or swap lines, swap
// fields, very long tokens, invalid UTF-8, control and bidi characters). Each input gets 1–16 stacked
// mutations of one corpus entry.
import type { Rng } from './rng.js';

export interface MutateOptions {
  /** Line- and field-aware mutators join in. */
  text: boolean;
  /** Tokens worth inserting whole (magic numbers, keywords, section names). */
  dictionary: readonly Uint8Array[];
  /** Inputs are cut to this length. */
  maxLength: number;
}

type Mutator = (rng: Rng, data: Uint8Array, corpus: readonly Uint8Array[], opts: MutateOptions) => Uint8Array;

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0x64];
const INTERESTING_16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x100, 0x200, 0x400, 0x1000, 0xfff0];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0x100000, 0x7ffffff0, 0xfffffff0];

const INVALID_UTF8 = [
  [0xff],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xef, 0xbb, 0xbf],
].map((b) => Uint8Array.from(b));

const ODD_TEXT = [
  '\0',
  '\r',
  '\r\n',
  '\t',
  '\u202e',
  '\u001b[31m',
  '\ufeff',
  ' ',
  '#',
  '\\',
  '"',
  "'",
  '\n\n',
].map((s) => Buffer.from(s));

const concat = (...parts: Uint8Array[]) => Buffer.concat(parts);
/** For many parts: a spread of thousands of lines would overflow the stack. */
const concatAll = (parts: readonly Uint8Array[]) => Buffer.concat(parts);

/** Writes an unsigned value of `size` bytes in either byte order. */
function setInt(data: Uint8Array, at: number, size: number, value: number, le: boolean): void {
  for (let i = 0; i < size; i++) {
    const byte = Math.floor(value / 2 ** (8 * i)) & 0xff;
    data[le ? at + i : at + size - 1 - i] = byte;
  }
}

function getInt(data: Uint8Array, at: number, size: number, le: boolean): number {
  let v = 0;
  for (let i = 0; i < size; i++) v += data[le ? at + i : at + size - 1 - i]! * 2 ** (8 * i);
  return v;
}

/** An offset aligned to `size`, where `size` bytes fit; -1 when none does. */
function alignedOffset(rng: Rng, length: number, size: number): number {
  if (length < size) return -1;
  const slots = Math.floor((length - size) / size) + 1;
  return rng.below(slots) * size;
}

const flipBit: Mutator = (rng, data) => {
  if (data.length === 0) return data;
  const out = Uint8Array.from(data);
  const bit = rng.below(out.length * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
};

const setByte: Mutator = (rng, data) => {
  if (data.length === 0) return Uint8Array.of(rng.below(256));
  const out = Uint8Array.from(data);
  out[rng.below(out.length)] = rng.chance(0.5) ? rng.below(256) : rng.pick(INTERESTING_8);
  return out;
};

const interestingInt: Mutator = (rng, data) => {
  const size = rng.pick([2, 4, 4, 8]);
  const at = rng.chance(0.8) ? alignedOffset(rng, data.length, size) : rng.below(data.length - size + 1);
  if (at < 0) return data;
  const out = Uint8Array.from(data);
  const le = rng.chance(0.6);
  const pool = size === 2 ? INTERESTING_16 : INTERESTING_32;
  // Lengths and offsets near the input's own size are the ones a reader checks.
  const near = [data.length, data.length + 1, data.length - 1, data.length * 2, at];
  const value = rng.chance(0.25) ? Math.max(0, rng.pick(near)) : rng.pick(pool);
  if (size === 8) {
    setInt(out, at, 4, le ? value : 0, le);
    setInt(out, at + 4, 4, le ? (rng.chance(0.5) ? 0 : 0xffffffff) : value, le);
  } else {
    setInt(out, at, size, value % 2 ** (8 * size), le);
  }
  return out;
};

const arithmetic: Mutator = (rng, data) => {
  const size = rng.pick([1, 2, 4]);
  const at = alignedOffset(rng, data.length, size);
  if (at < 0) return data;
  const out = Uint8Array.from(data);
  const le = rng.chance(0.6);
  const delta = (rng.below(35) + 1) * (rng.chance(0.5) ? 1 : -1);
  const mod = 2 ** (8 * size);
  setInt(out, at, size, (((getInt(out, at, size, le) + delta) % mod) + mod) % mod, le);
  return out;
};

const deleteChunk: Mutator = (rng, data) => {
  if (data.length < 2) return data;
  const len = 1 + rng.below(Math.min(data.length - 1, rng.chance(0.7) ? 16 : data.length));
  const at = rng.below(data.length - len + 1);
  return concat(data.subarray(0, at), data.subarray(at + len));
};

const insertChunk: Mutator = (rng, data) => {
  const at = rng.below(data.length + 1);
  const len = 1 + rng.below(rng.chance(0.8) ? 32 : 4096);
  const chunk = rng.chance(0.5)
    ? Buffer.alloc(len, rng.chance(0.5) ? rng.below(256) : rng.pick(INTERESTING_8))
    : Uint8Array.from({ length: len }, () => rng.below(256));
  return concat(data.subarray(0, at), chunk, data.subarray(at));
};

const duplicateChunk: Mutator = (rng, data, _corpus, opts) => {
  if (data.length === 0) return data;
  const len = 1 + rng.below(Math.min(data.length, rng.chance(0.7) ? 64 : data.length));
  const from = rng.below(data.length - len + 1);
  const to = rng.below(data.length + 1);
  const most = Math.max(1, Math.floor((opts.maxLength - data.length) / len));
  const times = Math.min(most, rng.chance(0.9) ? 1 : 1 + rng.below(64));
  const chunk = concatAll(Array.from({ length: times }, () => data.subarray(from, from + len)));
  return concat(data.subarray(0, to), chunk, data.subarray(to));
};

const overwriteChunk: Mutator = (rng, data) => {
  if (data.length < 2) return data;
  const len = 1 + rng.below(Math.min(data.length - 1, 64));
  const from = rng.below(data.length - len + 1);
  const to = rng.below(data.length - len + 1);
  const out = Uint8Array.from(data);
  out.set(data.subarray(from, from + len), to);
  return out;
};

const truncate: Mutator = (rng, data) => data.subarray(0, rng.below(data.length + 1));

const splice: Mutator = (rng, data, corpus) => {
  const other = rng.pick(corpus);
  if (other === undefined || other.length === 0) return data;
  const cut = rng.below(data.length + 1);
  const from = rng.below(other.length);
  return concat(data.subarray(0, cut), other.subarray(from));
};

const dictionary: Mutator = (rng, data, _corpus, opts) => {
  if (opts.dictionary.length === 0) return data;
  const token = rng.pick(opts.dictionary);
  const at = rng.below(data.length + 1);
  if (rng.chance(0.5) && at + token.length <= data.length) {
    const out = Uint8Array.from(data);
    out.set(token, at);
    return out;
  }
  return concat(data.subarray(0, at), token, data.subarray(at));
};

const BINARY: Mutator[] = [
  flipBit,
  setByte,
  interestingInt,
  interestingInt,
  arithmetic,
  deleteChunk,
  insertChunk,
  duplicateChunk,
  overwriteChunk,
  truncate,
  splice,
  dictionary,
  dictionary,
];

// --- text: lines and fields -------------------------------------------------------------------------
// Each works on one or two lines found around a random offset, so a mutation costs one copy of the
// input however many lines it has.

/** [start, end) of the line around a random offset, its newline included. */
function lineAt(rng: Rng, data: Uint8Array): [number, number] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const at = rng.below(data.length);
  const start = at === 0 ? 0 : buf.lastIndexOf(10, at - 1) + 1;
  const nl = buf.indexOf(10, at);
  return [start, nl === -1 ? data.length : nl + 1];
}

const duplicateLine: Mutator = (rng, data, _corpus, opts) => {
  const [start, end] = lineAt(rng, data);
  let line = data.subarray(start, end);
  if (line.at(-1) !== 10) line = concat(line, Buffer.from('\n'));
  // Never build more than the target takes: the cut comes after, but the copy would be made first.
  const most = Math.max(1, Math.floor((opts.maxLength - data.length) / line.length));
  const times = Math.min(most, rng.chance(0.9) ? 1 : 1 + rng.below(rng.chance(0.9) ? 64 : 2000));
  return concatAll([
    data.subarray(0, start),
    ...Array.from({ length: times }, () => line),
    data.subarray(start),
  ]);
};

const deleteLine: Mutator = (rng, data) => {
  const [start, end] = lineAt(rng, data);
  return concat(data.subarray(0, start), data.subarray(end));
};

const swapLines: Mutator = (rng, data) => {
  let a = lineAt(rng, data);
  let b = lineAt(rng, data);
  if (a[0] === b[0]) return data;
  if (a[0] > b[0]) [a, b] = [b, a];
  return concatAll([
    data.subarray(0, a[0]),
    data.subarray(b[0], b[1]),
    data.subarray(a[1], b[0]),
    data.subarray(a[0], a[1]),
    data.subarray(b[1]),
  ]);
};

/** Fields split on tabs, runs of spaces and the usual separators; separators kept so the line reassembles. */
function fieldsOf(line: string): string[] {
  return line.split(/(\t| +|=|,|:)/);
}

const onField =
  (f: (rng: Rng, fields: string[], opts: MutateOptions) => void): Mutator =>
  (rng, data, _corpus, opts) => {
    const [start, end] = lineAt(rng, data);
    const fields = fieldsOf(Buffer.from(data.subarray(start, end)).toString('latin1'));
    f(rng, fields, opts);
    return concat(data.subarray(0, start), Buffer.from(fields.join(''), 'latin1'), data.subarray(end));
  };

/** A random field (not a separator). */
const fieldIndex = (rng: Rng, fields: string[]) => 2 * rng.below(Math.ceil(fields.length / 2));

const swapFields = onField((rng, fields) => {
  const i = fieldIndex(rng, fields);
  const j = fieldIndex(rng, fields);
  [fields[i], fields[j]] = [fields[j]!, fields[i]!];
});

const longToken = onField((rng, fields) => {
  const i = fieldIndex(rng, fields);
  const unit = rng.pick(['A', '0', 'f', '/', '*', '.', '(', 'é', fields[i] || 'x']);
  const length = rng.chance(0.95) ? rng.pick([64, 256, 1024, 4096]) : rng.pick([65_537, 300_000]);
  fields[i] = unit.repeat(Math.max(1, Math.floor(length / Math.max(1, unit.length))));
});

const oddNumber = onField((rng, fields) => {
  fields[fieldIndex(rng, fields)] = rng.pick([
    '0x',
    '0xffffffffffffffff',
    '0x100000000',
    '-1',
    '99999999999999999999',
    '1e308',
    'NaN',
    '0o777',
    '1.2.3.4.5',
    '',
    '0x1g',
  ]);
});

const dictionaryField = onField((rng, fields, opts) => {
  if (opts.dictionary.length === 0) return;
  fields[fieldIndex(rng, fields)] = Buffer.from(rng.pick(opts.dictionary)).toString('latin1');
});

const invalidUtf8: Mutator = (rng, data) => {
  const at = rng.below(data.length + 1);
  const bytes = rng.pick(INVALID_UTF8);
  return concat(data.subarray(0, at), bytes, data.subarray(at));
};

const oddCharacter: Mutator = (rng, data) => {
  const at = rng.below(data.length + 1);
  return concat(data.subarray(0, at), rng.pick(ODD_TEXT), data.subarray(at));
};

const TEXT: Mutator[] = [
  duplicateLine,
  deleteLine,
  swapLines,
  swapFields,
  longToken,
  oddNumber,
  dictionaryField,
  dictionaryField,
  invalidUtf8,
  oddCharacter,
];

/** One new input from `seed`: 1–16 stacked mutations. */
export function mutate(
  rng: Rng,
  seed: Uint8Array,
  corpus: readonly Uint8Array[],
  opts: MutateOptions,
): Uint8Array {
  let data = seed;
  const stack = 1 << rng.below(5);
  for (let i = 0; i < stack; i++) {
    const pool = opts.text && rng.chance(0.6) ? TEXT : BINARY;
    data = rng.pick(pool)(rng, data, corpus, opts);
    if (data.length > opts.maxLength) data = data.subarray(0, opts.maxLength);
  }
  return data;
}
