// The direct reading of the common Module.symvers shape against the simplest reading there is (split on
// tabs, a regular expression for the CRC): for any lines, both accept the same files and give the same
// exports, or both refuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isExportType } from '../model/export.js';
import { parseModuleSymvers } from './module-symvers.js';

function simple(text: string): Map<string, unknown> | 'refused' {
  const out = new Map<string, unknown>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length !== 4 && f.length !== 5) return 'refused';
    const [crc, symbol, module, type, ns = ''] = f as [string, string, string, string, string?];
    if (!/^0x[0-9a-fA-F]{1,8}$/.test(crc) || symbol === '' || symbol.includes(' ') || module === '')
      return 'refused';
    if (!isExportType(type) || out.has(symbol)) return 'refused';
    out.set(symbol, {
      symbol,
      crc: Number.parseInt(crc.slice(2), 16),
      module,
      exportType: type,
      namespace: ns,
    });
  }
  return out.size === 0 ? 'refused' : out;
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const field = fc.oneof(
  pick(['vmlinux', 'drivers/net/foo', 'CXL', '', ' ', 'a b', 'x\ty']),
  fc.string({ maxLength: 6 }),
);
const crc = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16).padStart(8, '0')}`),
  pick(['0x', '0X12', '0x123456789', '0xzz', '12', '0x1', '0xABCDEF00']),
);
const type = pick(['EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL', 'EXPORT_UNUSED_SYMBOL', 'EXPORT_SYMBOL_GPL ', 'X']);
const line = fc
  .tuple(crc, fc.oneof(pick(['kmalloc', 'a', 'b']), field), field, type, fc.option(field), fc.boolean())
  .map(([c, s, m, t, ns, cr]) => [c, s, m, t, ...(ns === null ? [] : [ns])].join('\t') + (cr ? '\r' : ''));

describe('Module.symvers, the direct reading of the common shape', () => {
  it('agrees with a split-on-tabs reading on any lines', () => {
    const first = '0x00000001\tfirst_symbol\tvmlinux\tEXPORT_SYMBOL\t';
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        const text = [first, ...lines].join('\n');
        const want = simple(text);
        let got: Map<string, unknown> | 'refused';
        try {
          got = new Map(parseModuleSymvers(text, { source: 't' }).exports);
        } catch {
          got = 'refused';
        }
        assert.deepEqual(got, want);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
