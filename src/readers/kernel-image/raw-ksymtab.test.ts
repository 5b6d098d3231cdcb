import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reader } from './raw-ksymtab.js';

type Run = { start: number; count: number; fieldCount: 2 | 3 };

/**
 * The maximal runs (16 entries or more) of entries of `fieldCount` fields of `field` bytes, at every
 * phase, that `fits` takes; `fits` is told the run's first entry (-1: none yet).
 */
function runsWhere(
  size: number,
  field: number,
  fieldCount: 2 | 3,
  fits: (o: number, start: number) => boolean,
): Run[] {
  const entry = fieldCount * field;
  const out: Run[] = [];
  for (let phase = 0; phase < entry; phase += field) {
    let start = -1;
    let count = 0;
    for (let o = phase; o + entry <= size; o += entry) {
      if (fits(o, start)) {
        if (start < 0) start = o;
        count++;
        continue;
      }
      if (count >= 16) out.push({ start, count, fieldCount });
      start = -1;
      count = 0;
    }
    if (count >= 16) out.push({ start, count, fieldCount });
  }
  return out;
}

/** A small deterministic generator (xorshift32): the same words on every run. */
function xorshift(seed: number): () => number {
  return () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
}

/**
 * The runs of 64-bit pointer entries as plausible() defined them before the scan read words as two
 * halves: every field a BigInt, the differences exact. Written here again, plainly, as the reference.
 */
function referenceRuns(bytes: Uint8Array, fieldCount: 2 | 3, littleEndian: boolean) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = (at: number) => view.getBigUint64(at, littleEndian);
  const limit = BigInt(bytes.length);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  return runsWhere(bytes.length, 8, fieldCount, (o, start) => {
    const name = word(o + 8);
    const ns0 = fieldCount === 3 ? word(o + 16) : 0n;
    const ns = ns0 === 0n ? name : ns0;
    return name !== 0n && abs(name - ns) < limit && (start < 0 || abs(name - word(start + 8)) < limit);
  });
}

describe('raw ksymtab scan, 64-bit pointers', () => {
  it('finds the runs a BigInt reading finds, with words at and past 2^53 and differences at the limit', () => {
    const size = 64 * 1024;
    const next = xorshift(0x9e3779b9);
    const bases = [0x100000n, 2n ** 53n - 5n, 2n ** 63n + 12345n, 0xffff800008000000n, 2n ** 64n - 2n ** 20n];
    for (const littleEndian of [false, true]) {
      for (const base of bases) {
        const bytes = new Uint8Array(size);
        const view = new DataView(bytes.buffer);
        const limit = BigInt(size);
        for (let at = 0; at + 8 <= size; at += 8) {
          const r = next() % 128;
          let w: bigint;
          // Mostly near the base (long runs), some exactly limit − 1 or limit away, zeros, and far words.
          // The base itself mostly, so that a run's anchor (its first name) is often exactly it.
          if (r < 100) w = base;
          else if (r < 121) w = base + BigInt(next() % 4096);
          else if (r === 121) w = base + limit - 1n;
          else if (r === 122) w = base + limit;
          else if (r === 123) w = base - limit;
          else if (r === 124) w = 0n;
          else w = (BigInt(next()) << 32n) | BigInt(next());
          view.setBigUint64(at, BigInt.asUintN(64, w), littleEndian);
        }
        const reader = new Reader(bytes, view, { fields: 'pointer', wordSize: 8, littleEndian });
        for (const fieldCount of [3, 2] as const) {
          const found = [...reader.runs(fieldCount)];
          assert.deepEqual(
            found,
            referenceRuns(bytes, fieldCount, littleEndian),
            `base ${base}, ${fieldCount} fields`,
          );
          assert.ok(found.length > 0, 'the words make runs to compare');
        }
      }
    }
  });
});

/**
 * The runs of PREL32 entries as plausible() judged each entry before every word was judged once: the
 * name's target an identifier in the image, the namespace's in it or an offset of 0 (none).
 */
function referencePrel32Runs(bytes: Uint8Array, fieldCount: 2 | 3, littleEndian: boolean) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const target = (at: number) => {
    const rel = view.getInt32(at, littleEndian);
    return rel === 0 ? null : at + rel;
  };
  const identifier = (at: number) => {
    for (let e = at; e < bytes.length && e - at <= 512; e++) {
      if (bytes[e] === 0) return true;
      if (!/[A-Za-z0-9_.$]/.test(String.fromCharCode(bytes[e]!))) return false;
    }
    return false;
  };
  const inside = (t: number) => t >= 0 && t < bytes.length;
  return runsWhere(bytes.length, 4, fieldCount, (o) => {
    const name = target(o + 4);
    const ns = (fieldCount === 3 ? target(o + 8) : null) ?? name;
    return name !== null && inside(name) && ns !== null && inside(ns) && identifier(name);
  });
}

describe('raw ksymtab scan, PREL32 offsets', () => {
  it('finds the runs an entry-by-entry reading finds: names on identifiers or not, namespaces of 0, targets at both ends', () => {
    const size = 48 * 1024;
    const stringsAt = 40 * 1024;
    const next = xorshift(0x2545f491);
    for (const littleEndian of [false, true]) {
      const bytes = new Uint8Array(size);
      // The strings: identifiers, some broken by a space, the last one running to the end without a NUL.
      const starts: number[] = [];
      let at = stringsAt;
      while (at < size - 24) {
        starts.push(at);
        const n = 1 + (next() % 16);
        for (let i = 0; i < n; i++) bytes[at + i] = 0x61 + (next() % 26);
        if (next() % 8 === 0) bytes[at + (next() % n)] = 0x20;
        at += n + 1;
      }
      bytes.fill(0x5f, at);
      const view = new DataView(bytes.buffer);
      for (let w = 0; w * 4 < stringsAt; w++) {
        const field = w * 4;
        const r = next() % 64;
        let t: number;
        // Mostly on a string's start (long runs), else inside one, past either end, exactly at them, or 0.
        if (r < 48) t = starts[next() % starts.length]! - field;
        else if (r < 52) t = stringsAt + (next() % (size - stringsAt)) - field;
        else if (r === 52) t = size - field;
        else if (r === 53) t = size - 1 - field;
        else if (r === 54) t = -field;
        else if (r === 55) t = -field - 1;
        else if (r === 56) t = at - field;
        else if (r < 60) t = 0;
        else t = (next() | 0) % 0x7fffffff;
        view.setInt32(field, t, littleEndian);
      }
      const reader = new Reader(bytes, view, { fields: 'prel32', wordSize: 8, littleEndian });
      for (const fieldCount of [3, 2] as const) {
        const found = [...reader.runs(fieldCount)];
        assert.deepEqual(found, referencePrel32Runs(bytes, fieldCount, littleEndian), `${fieldCount} fields`);
        assert.ok(found.length > 0, 'the words make runs to compare');
      }
    }
  });
});
