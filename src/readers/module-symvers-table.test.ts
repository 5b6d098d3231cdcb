// The columnar reading of a plain Module.symvers against parseModuleSymvers: for any lines it either
// declines (null: the caller then uses parseModuleSymvers) or gives the same exports in the same order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { tableExport } from '../model/symvers-table.js';
import { sniffArtifact } from './artifact.js';
import { parseModuleSymvers } from './module-symvers.js';
import { parseSymversTable, readSymversTable } from './module-symvers-table.js';

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

  it('reads a plain file without the sniffer only where the sniffer would say text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-table-'));
    try {
      const file = (name: string, data: string | Buffer) => {
        writeFileSync(join(dir, name), data);
        return join(dir, name);
      };
      const text =
        '0x00000001\tkmalloc\tvmlinux\tEXPORT_SYMBOL\t\n0x2\tusb_x\tdrivers/usb/x\tEXPORT_SYMBOL_GPL\tUSB\n';
      const plain = await readSymversTable(file('plain', text));
      assert.deepEqual({ ...plain, source: '' }, { ...parseSymversTable(bytes(text), ''), source: '' });
      const gz = await readSymversTable(file('packed', gzipSync(text)));
      assert.deepEqual({ ...gz, source: '' }, { ...plain, source: '' });
      // ASCII whose bytes are also a bzImage's setup header (HdrS at 0x202, version and loadflags
      // printable): the sniffer calls it a vmlinuz, and the table reader must decline as it did.
      const symbol = `${'a'.repeat(0x202 - 11)}HdrS${'a'.repeat(32)}`;
      const bz = file('bz', `0x00000001\t${symbol}\tvmlinux\tEXPORT_SYMBOL\t\n`);
      assert.equal((await sniffArtifact(bz)).kind, 'vmlinuz');
      assert.equal(await readSymversTable(bz), null);
      const notBz = file(
        'not-bz',
        `0x00000001\t${symbol.replace('HdrS', 'Hdrs')}\tvmlinux\tEXPORT_SYMBOL\t\n`,
      );
      assert.equal((await sniffArtifact(notBz)).kind, 'text');
      assert.equal((await readSymversTable(notBz))?.count, 1);
      assert.equal(await readSymversTable(dir), null); // a directory: the sniffer's tree
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
