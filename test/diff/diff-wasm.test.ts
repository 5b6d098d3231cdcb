// The WebAssembly core of the plain diff (assembly/symvers-diff.ts) against the JavaScript columns path
// (the definition: parseSymversTable, compareTables, tableDiffToJson, tableDiffToText): the same tables,
// the same changes, the same bytes; or a decline (null) where the JavaScript path would decline too, or
// where it is left to JavaScript (JSON that needs escapes). On random lines, on edge cases, and on every
// pair of the real Debian Module.symvers in ../shared/data.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compareTables, tablesComparable } from '../../src/analysis/exports-table-diff.js';
import { compareWasmTables, wasmChanges } from '../../src/analysis/exports-table-wasm.js';
import { DEFAULT_POLICY } from '../../src/analysis/severity.js';
import type { SymversTable } from '../../src/model/symvers-table.js';
import { tableExport } from '../../src/model/symvers-table.js';
import {
  freshSymversWasm,
  symversWasm,
  type WasmSymversTable,
  wasmTableExport,
} from '../../src/model/symvers-wasm.js';
import { parseSymversTable, readSymversTable } from '../../src/readers/module-symvers-table.js';
import {
  parseSymversTableWasm,
  readSymversTableWasm,
  readSymversTableWasmAny,
  readSymversTableWasmXz,
} from '../../src/readers/module-symvers-wasm.js';
import { tableDiffToJson, tableDiffToText } from '../../src/report/diff-table.js';
import { wasmDiffToJson, wasmDiffToText } from '../../src/report/diff-table-wasm.js';
import { needs } from '../helpers/tools.js';

const LIMITS = [null, 0, 1, 2, -1, 50];

const rowsOf = (t: SymversTable) => Array.from({ length: t.count }, (_, r) => tableExport(t, r));
const wasmRowsOf = (t: WasmSymversTable) => Array.from({ length: t.count }, (_, r) => wasmTableExport(t, r));

/** Two exports as a Module.symvers says them, and a new directory with a writer of files in it. */
const TWO_EXPORTS =
  '0x00000001\tkmalloc\tvmlinux\tEXPORT_SYMBOL\t\n0x2\tusb_x\tdrivers/usb/x\tEXPORT_SYMBOL_GPL\tUSB\n';
async function inTempDir(
  prefix: string,
  body: (file: (name: string, data: string | Buffer) => string, dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body((name, data) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    }, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both readers on the same bytes: both decline, or both read the same rows. */
function sameTable(bytes: Buffer): { js: SymversTable; wasm: WasmSymversTable } | null {
  const js = parseSymversTable(bytes, 'src');
  const wasm = parseSymversTableWasm(bytes, 'src');
  assert.equal(
    wasm === null,
    js === null,
    `wasm ${wasm === null ? 'declines' : 'reads'}: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`,
  );
  if (js === null || wasm === null) return null;
  assert.equal(wasm.count, js.count);
  assert.equal(wasm.vmlinux, js.vmlinux);
  assert.deepEqual(wasmRowsOf(wasm), rowsOf(js));
  return { js, wasm };
}

/** Both diffs and all their renderings of the same pair: the same changes and the same bytes. */
function sameDiff(a: Buffer, b: Buffer): void {
  const ta = sameTable(a);
  const tb = sameTable(b);
  if (ta === null || tb === null || !tablesComparable(ta.js, tb.js)) return;
  const js = compareTables(ta.js, tb.js, DEFAULT_POLICY);
  const wasm = compareWasmTables(ta.wasm, tb.wasm, DEFAULT_POLICY);
  assert.ok(wasm);
  assert.deepEqual(wasm.summary, js.summary);
  assert.equal(wasm.verdict, js.verdict);
  assert.equal(wasm.exitCode, js.exitCode);
  const c = wasmChanges(wasm);
  assert.deepEqual(c, {
    kind: [...js.changes.kind],
    old: [...js.changes.old],
    new: [...js.changes.new],
    breaking: [...js.changes.breaking],
    severity: [...js.changes.severity],
  });
  const json = wasmDiffToJson(wasm);
  if (ta.wasm.quotes || tb.wasm.quotes) assert.equal(json, null, 'JSON with escapes is left to JavaScript');
  else assert.ok(json?.equals(tableDiffToJson(js)), 'the same JSON');
  for (const limit of LIMITS) {
    const text = wasmDiffToText(wasm, { color: false, limit });
    assert.ok(text?.equals(tableDiffToText(js, { color: false, limit })), `the same text, limit ${limit}`);
  }
}

// Lines of the shapes a Module.symvers has, and of shapes it must not have.
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const field = fc.oneof(
  pick(['vmlinux', 'drivers/net/foo', 'CXL', '', ' ', 'a b', 'x\ty', 'q"u\\o', 'é', '\u001b[31m', '\u007f']),
  fc.string({ maxLength: 6 }),
);
const crc = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16).padStart(8, '0')}`),
  pick(['0x', '0X12', '0x123456789', '0xzz', '12', '0x1', '0xABCDEF00', '0x\u0015', '0xg']),
);
const type = pick([
  'EXPORT_SYMBOL',
  'EXPORT_SYMBOL_GPL',
  'EXPORT_SYMBOL_GPL_FUTURE',
  'EXPORT_UNUSED_SYMBOL',
  'EXPORT_UNUSED_SYMBOL_GPL',
  'EXPORT_SYMBOL_GPL ',
  'X',
]);
const symbol = fc.oneof(
  pick(['kmalloc', 'a', 'b', 'a_rather_long_symbol_name', 'a_rather_long_symbol_name_2', 'ab', 'abcdefghi']),
  field,
);
const line = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(crc, symbol, field, type)
      .chain(([c, s, m, t]) =>
        fc
          .tuple(fc.option(field), pick(['', '\r', '\r\r', ' ']))
          .map(([ns, end]) => [c, s, m, t, ...(ns === null ? [] : [ns])].join('\t') + end),
      ),
  },
  { weight: 1, arbitrary: pick(['', ' ', '\t', '\r', '# comment', '0x1\tonly\tvmlinux', ' \t ']) },
);
// Plain lines only, over few symbols, modules and namespaces: pairs that change in every way.
const plainLine = fc
  .tuple(
    fc.integer({ min: 0, max: 3 }),
    pick([
      'kmalloc',
      'kfree',
      'a',
      'b',
      'a_rather_long_symbol_name',
      'a_rather_long_symbol_nam',
      'snd_soc_x',
      'snd_soc_y',
    ]),
    pick(['vmlinux', 'vmlinux', 'drivers/a', 'drivers/b', 'drivers/"q"']),
    type.filter((t) => t.startsWith('EXPORT') && !t.endsWith(' ')),
    pick(['', '', 'CXL', 'USB']),
  )
  .map(([c, s, m, t, ns]) => `0x${c.toString(16).padStart(8, '0')}\t${s}\t${m}\t${t}\t${ns}`);
const plainFile = fc
  .uniqueArray(plainLine, { selector: (l) => l.split('\t')[1], maxLength: 8 })
  .chain((lines) =>
    pick(['\n', '\r\n']).map((eol) => Buffer.from(lines.join(eol) + (lines.length % 2 ? eol : ''))),
  );

describe('the WebAssembly diff', () => {
  it('is built (npm run build compiles assembly/symvers-diff.ts)', () => {
    assert.ok(freshSymversWasm(), 'symvers-diff.wasm beside src/model/symvers-wasm.js');
  });

  it('reads what parseSymversTable reads, and declines what it declines, on any lines', () => {
    freshSymversWasm();
    let taken = 0;
    const first = '0x00000001\tfirst_symbol\tvmlinux\tEXPORT_SYMBOL\t';
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        if (sameTable(Buffer.from([first, ...lines].join('\n'))) !== null) taken++;
      }),
      { numRuns: 3000, seed: 42 },
    );
    assert.ok(taken > 300, `both took only ${taken} of 3000 inputs`);
  });

  it('diffs and writes what the JavaScript path does, on any pair of plain tables', () => {
    freshSymversWasm();
    fc.assert(
      fc.property(plainFile, plainFile, (a, b) => sameDiff(a, b)),
      { numRuns: 1500, seed: 7 },
    );
  });

  it('declines duplicates, bad lines, empty files, huge lines; reads the edge cases that are plain', () => {
    freshSymversWasm();
    const ok = '0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\n';
    const declined = [
      `${ok}0x2\ta\tvmlinux\tEXPORT_SYMBOL\t\n`, // exported twice
      `${ok}0x2\tb\tvmlinux\tEXPORT_SYMBOL\t\n0x3\ta\tdrivers/x\tEXPORT_SYMBOL\t\n`, // twice, far apart
      `${ok}0x2\tb\tvmlinux\n`, // 3 fields
      `${ok}0x2\tb\tvmlinux\tEXPORT_SYMBOL\tNS\textra\n`, // 6 fields
      '0x1\ta\tns\tvmlinux\tEXPORT_SYMBOL\n', // namespace third (5.4-5.9)
      `${ok}0x2\tb\tvmlinuxé\tEXPORT_SYMBOL\t\n`, // not ASCII
      `${ok}0x2\tb\tvm\rlinux\tEXPORT_SYMBOL\t\n`, // a lone CR
      `${ok}\r`, // a lone CR at the very end
      `${ok}0x2\tb\tvm\u0001\tEXPORT_SYMBOL\t\n`, // a control
      `${ok}0x2\tb c\tvmlinux\tEXPORT_SYMBOL\t\n`, // a space in a symbol
      `${ok}0x2\t\tvmlinux\tEXPORT_SYMBOL\t\n`, // no symbol
      `${ok}0x2\tb\t\tEXPORT_SYMBOL\t\n`, // no module
      `${ok}0x123456789\tb\tvmlinux\tEXPORT_SYMBOL\t\n`, // nine digits
      `${ok}0xg\tb\tvmlinux\tEXPORT_SYMBOL\t\n`,
      `${ok}0x\tb\tvmlinux\tEXPORT_SYMBOL\t\n`,
      `${ok}# comment\n`,
      '\n \n', // nothing exported
      '',
      `${ok}0x2\t${'b'.repeat(1 << 20)}\tvmlinux\tEXPORT_SYMBOL\t\n`, // a line longer than MAX_LINE
      `${ok}${'x'.repeat(40)}\u0080`, // a high byte in the last, partial sixteen
    ];
    for (const text of declined) {
      const bytes = Buffer.from(text, 'latin1');
      assert.equal(parseSymversTable(bytes, 't'), null, JSON.stringify(text.slice(0, 80)));
      assert.equal(parseSymversTableWasm(bytes, 't'), null, JSON.stringify(text.slice(0, 80)));
    }
    const taken = [
      ok,
      ok.trimEnd(), // no trailing newline, no namespace field
      '0x1\ta\tvmlinux\tEXPORT_SYMBOL', // four fields, no newline
      `${ok}\n  \n\t\n`, // blank lines
      `${ok.replace('\n', '\r\n')}0xABCDEF00\tB\tdrivers/"q"\\\tEXPORT_SYMBOL_GPL\tCXL\r\n`, // CRLF, upper case, quotes
      `${ok}0x2\t${'b'.repeat((1 << 20) - 40)}\tvmlinux\tEXPORT_SYMBOL\t\n`, // a long line under MAX_LINE
      `${'0x1\ta\tvmlinux\tEXPORT_SYMBOL\t'.padEnd(47, 'x')}\n`, // 48 bytes: whole sixteens
    ];
    for (const text of taken)
      assert.ok(sameTable(Buffer.from(text, 'latin1')), JSON.stringify(text.slice(0, 80)));
    // Every length around a sixteen-byte boundary, so that the scan's last partial load is exercised.
    for (let pad = 0; pad < 40; pad++)
      for (const tail of ['', '\n', '\r\n', '\u00ff'])
        sameTable(Buffer.from(`0x1\t${'a'.repeat(pad + 1)}\tvmlinux\tEXPORT_SYMBOL\t${tail}`, 'latin1'));
  });

  it('writes JSON with escapes never (left to JavaScript), text always', () => {
    freshSymversWasm();
    const a = Buffer.from('0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\n0x2\tb\tdrivers/"q"\tEXPORT_SYMBOL\t\n');
    const b = Buffer.from('0x3\ta\tvmlinux\tEXPORT_SYMBOL\t\n0x2\tb\tdrivers/\\q\tEXPORT_SYMBOL_GPL\tNS\n');
    sameDiff(a, b);
    const r = compareWasmTables(parseSymversTableWasm(a, 'a')!, parseSymversTableWasm(b, 'b')!);
    assert.ok(r);
    assert.equal(wasmDiffToJson(r), null);
    assert.equal(
      compareWasmTables(r.oldTable, r.newTable, { ...DEFAULT_POLICY, rules: [{} as never] }),
      null,
    );
  });

  it('reads files as readSymversTable would: plain text only', async () => {
    freshSymversWasm();
    await inTempDir('kabi-wasm-', (file, dir) => {
      const text = TWO_EXPORTS;
      assert.deepEqual(
        wasmRowsOf(readSymversTableWasm(file('plain', text))!),
        rowsOf(parseSymversTable(Buffer.from(text), 'x')!),
      );
      assert.equal(readSymversTableWasm(file('empty', '')), null);
      assert.equal(readSymversTableWasm(file('gz', Buffer.from([0x1f, 0x8b, 8, 0]))), null);
      const symbol = `${'a'.repeat(0x202 - 11)}HdrS${'a'.repeat(32)}`; // a bzImage's magic at 0x202
      assert.equal(
        readSymversTableWasm(file('bz', `0x00000001\t${symbol}\tvmlinux\tEXPORT_SYMBOL\t\n`)),
        null,
      );
      assert.equal(readSymversTableWasm(dir), null);
      assert.equal(readSymversTableWasm(join(dir, 'missing')), null);
    });
  });
});

describe('readSymversTableWasmAny', () => {
  it('reads a compressed Module.symvers as readSymversTable does, and declines what is not a table', async () => {
    freshSymversWasm();
    await inTempDir('kabi-wasm-any-', async (file, dir) => {
      const text = TWO_EXPORTS;
      // gzip by node:zlib, not by the readers' own decoders.
      const gz = await readSymversTableWasmAny(file('symvers.gz', gzipSync(text)));
      assert.ok(gz);
      assert.deepEqual(wasmRowsOf(gz), rowsOf(parseSymversTable(Buffer.from(text), 'x')!));
      assert.equal(gz.source, join(dir, 'symvers.gz'));
      const xz = join(
        import.meta.dirname,
        '..',
        '..',
        '..',
        'test',
        'fixtures',
        'debian',
        '6.1.0-56.symvers.xz',
      );
      const fromXz = await readSymversTableWasmAny(xz);
      assert.ok(fromXz);
      assert.deepEqual(wasmRowsOf(fromXz), rowsOf((await readSymversTable(xz))!));
      assert.equal(await readSymversTableWasmAny(file('cut.gz', gzipSync(text).subarray(0, 20))), null);
      assert.equal(await readSymversTableWasmAny(file('words.gz', gzipSync('not a table\n'))), null);
      assert.equal(await readSymversTableWasmAny(join(dir, 'missing')), null);
      // The quick entry's reader: xz by its own decoder, as the sniffer's gives it; nothing else.
      const fromXzOnly = await readSymversTableWasmXz(xz);
      assert.ok(fromXzOnly);
      assert.deepEqual(wasmRowsOf(fromXzOnly), wasmRowsOf(fromXz));
      assert.equal(await readSymversTableWasmXz(file('symvers2.gz', gzipSync(text))), null);
      assert.equal(await readSymversTableWasmXz(file('cut.xz', readFileSync(xz).subarray(0, 4000))), null);
      assert.deepEqual(wasmRowsOf((await readSymversTableWasmXz(file('plain', text)))!), wasmRowsOf(gz));
      assert.equal(await readSymversTableWasmXz(join(dir, 'missing')), null);
    });
  });
});

describe('the WebAssembly diff on every pair of the Debian Module.symvers in ../shared/data', () => {
  let root = import.meta.dirname;
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  const dir = join(root, '..', 'shared', 'data', 'debian', 'symvers');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.symvers.xz'))
        .sort()
    : [];
  const skip = needs('xz') || (files.length < 2 ? 'no ../shared/data/debian/symvers' : false);
  it('reads, diffs and writes (JSON, text, text --all) what the JavaScript path does', { skip }, () => {
    const bytes = new Map(
      files.map((f) => [f, execFileSync('xz', ['-dc', join(dir, f)], { maxBuffer: 1 << 28 })]),
    );
    // Each file's rows compared once; each pair's tables read again in a fresh instance (the module's
    // heap is never freed: a process diffs once).
    const tables = new Map<string, SymversTable>();
    for (const f of files) {
      freshSymversWasm();
      const t = sameTable(bytes.get(f)!);
      assert.ok(t && t.wasm.count > 20000, `${f} is a plain table`);
      tables.set(f, t.js);
    }
    let pairs = 0;
    for (const [i, x] of files.entries())
      for (const y of files.slice(i + 1)) {
        freshSymversWasm();
        const js = compareTables(tables.get(x)!, tables.get(y)!, DEFAULT_POLICY);
        const wasm = compareWasmTables(
          parseSymversTableWasm(bytes.get(x)!, 'src')!,
          parseSymversTableWasm(bytes.get(y)!, 'src')!,
          DEFAULT_POLICY,
        )!;
        assert.deepEqual(wasm.summary, js.summary, `${x} → ${y}`);
        assert.ok(wasmDiffToJson(wasm)?.equals(tableDiffToJson(js)), `${x} → ${y}: JSON`);
        for (const limit of [null, 50])
          assert.ok(
            wasmDiffToText(wasm, { color: false, limit })?.equals(
              tableDiffToText(js, { color: false, limit }),
            ),
            `${x} → ${y}: text, limit ${limit}`,
          );
        pairs++;
      }
    assert.equal(pairs, (files.length * (files.length - 1)) / 2);
    assert.ok(symversWasm());
  });
});
