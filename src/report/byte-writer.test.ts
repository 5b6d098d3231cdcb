import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ascii, ByteWriter } from './byte-writer.js';

describe('ByteWriter', () => {
  it('writes integers as String() does, across growth', () => {
    const w = new ByteWriter(1);
    const ns = [
      0,
      1,
      9,
      10,
      11,
      99,
      100,
      101,
      999,
      1000,
      65535,
      2 ** 31,
      2 ** 32 + 7,
      Number.MAX_SAFE_INTEGER,
    ];
    for (let n = 0; n < 20_000; n += 7) ns.push(n);
    for (const n of ns) {
      w.uint(n);
      w.bytes(ascii(','));
    }
    const got = w.done().toString('latin1').split(',');
    const bad = ns.filter((n, i) => got[i] !== String(n));
    assert.deepEqual(bad, [], 'written otherwise than String() writes them');
    assert.equal(got.length, ns.length + 1);
  });

  it('writes what is not a safe non-negative integer as String() does', () => {
    const w = new ByteWriter(8);
    for (const n of [-1, 1.5, 2 ** 53, Number.NaN]) {
      w.uint(n);
      w.bytes(ascii(' '));
    }
    assert.equal(w.done().toString('latin1'), '-1 1.5 9007199254740992 NaN ');
  });

  it('keeps the order of lines, text, bytes and numbers', () => {
    const w = new ByteWriter(4);
    w.line('a€');
    w.uint(42);
    w.line('b');
    w.bytes(ascii('"c"'));
    w.text('ü');
    assert.equal(w.done().toString('utf8'), 'a€42b"c"ü');
  });
});
