// The columnar reading of a plain Module.symvers against parseModuleSymvers: for any lines it either
// declines (null: the caller then uses parseModuleSymvers) or gives the same exports in the same order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { tableExport } from '../model/symvers-table.js';
import { parseModuleSymvers } from './module-symvers.js';
import { parseSymversTable } from './module-symvers-table.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const rowsOf = (text: string) => {
  const t = parseSymversTable(bytes(text), 't');
  return t === null ? null : Array.from({ length: t.count }, (_, r) => tableExport(t, r));
};

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const field = fc.oneof(
  pick(['vmlinux', 'drivers/net/foo', 'CXL', '', ' ', 'a b', 'x\ty', 'q"u\\o', 'é', '\u001b[31m', '\u202e']),
  fc.string({ maxLength: 6 }),
);
const crc = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16).padStart(8, '0')}`),
  pick(['0x', '0X12', '0x123456789', '0xzz', '12', '0x1', '0xABCDEF00', '0x\u0015']),
);
const type = pick(['EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL', 'EXPORT_UNUSED_SYMBOL', 'EXPORT_SYMBOL_GPL ', 'X']);
const line = fc.oneof(
  fc
    .tuple(crc, fc.oneof(pick(['kmalloc', 'a', 'b', 'a_rather_long_symbol_name']), field), field, type)
    .chain(([c, s, m, t]) =>
      fc
        .tuple(fc.option(field), pick(['', '\r', '\r\r', ' ']))
        .map(([ns, end]) => [c, s, m, t, ...(ns === null ? [] : [ns])].join('\t') + end),
    ),
  pick(['', ' ', '\t', '\r', '# comment', '0x1\tonly\tvmlinux']),
);

describe('Module.symvers as a table', () => {
  it('declines, or reads what parseModuleSymvers reads, on any lines', () => {
    const first = '0x00000001\tfirst_symbol\tvmlinux\tEXPORT_SYMBOL\t';
    let taken = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        const text = [first, ...lines].join('\n');
        const got = rowsOf(text);
        if (got === null) return;
        taken++;
        assert.deepEqual(got, [...parseModuleSymvers(text, { source: 't' }).exports.values()]);
      }),
      { numRuns: 3000, seed: 42 },
    );
    assert.ok(taken > 300, `the table took only ${taken} of 3000 inputs`);
  });

  it('reads the common shapes: 5 fields, 4 fields, CRLF, blank lines, short CRCs, quotes in modules', () => {
    const text =
      '0x0c2f123f\tkmalloc\tvmlinux\tEXPORT_SYMBOL\t\r\n' +
      '\n  \n' +
      '0x1\tcxl_foo\tdrivers/cxl/"core"\tEXPORT_SYMBOL_GPL\tCXL\n' +
      '0xABCDEF00\told_style\tvmlinux\tEXPORT_SYMBOL';
    const t = parseSymversTable(bytes(text), 'x');
    assert.ok(t);
    assert.equal(t.vmlinux, 2);
    assert.deepEqual(
      Array.from({ length: t.count }, (_, r) => tableExport(t, r)),
      [...parseModuleSymvers(text, { source: 'x' }).exports.values()],
    );
    assert.equal(t.rows.get('cxl_foo'), 1);
  });

  it('declines what it leaves to the general reader', () => {
    const ok = '0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\n';
    for (const text of [
      `${ok}0x2\ta\tvmlinux\tEXPORT_SYMBOL\t\n`, // exported twice
      `${ok}0x2\tb\tvmlinux\n`, // 3 fields
      '0x1\ta\tns\tvmlinux\tEXPORT_SYMBOL\n', // namespace third (5.4-5.9)
      `${ok}0x2\tb\tvmlinuxé\tEXPORT_SYMBOL\t\n`, // not ASCII
      `${ok}0x2\tb\tvm\rlinux\tEXPORT_SYMBOL\t\n`, // a lone CR
      `${ok}0x2\tb\tvm\u0001\tEXPORT_SYMBOL\t\n`, // a control
      `${ok}# comment\n`,
      '\n \n',
    ])
      assert.equal(parseSymversTable(bytes(text), 't'), null, JSON.stringify(text));
  });
});
