import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../errors.js';
import { parseModuleSymvers } from './module-symvers.js';

const src = { source: 'Module.symvers' };

function fails(text: string, message: RegExp, opts = src) {
  assert.throws(
    () => parseModuleSymvers(text, opts),
    (e: unknown) => {
      assert.ok(e instanceof ArtifactFormatError, `expected ArtifactFormatError, got ${e}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('parseModuleSymvers shapes', () => {
  it('reads the ≥ 5.10 shape with the namespace last, empty or set', () => {
    const b = parseModuleSymvers(
      '0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n' +
        '0xd6551b9c\tcpu_cache_has_invalidate_memregion\tvmlinux\tEXPORT_SYMBOL_GPL\tDEVMEM\n' +
        '0x0c2f123f\tgf128mul_4k_bbe\tcrypto/gf128mul\tEXPORT_SYMBOL\t\n',
      src,
    );
    assert.equal(b.exports.size, 3);
    assert.deepEqual(b.exports.get('cpu_cache_has_invalidate_memregion'), {
      symbol: 'cpu_cache_has_invalidate_memregion',
      crc: 0xd6551b9c,
      module: 'vmlinux',
      exportType: 'EXPORT_SYMBOL_GPL',
      namespace: 'DEVMEM',
    });
    assert.equal(b.exports.get('phys_base')!.namespace, '');
    assert.equal(b.exports.get('gf128mul_4k_bbe')!.module, 'crypto/gf128mul');
  });

  it('reads the 5.4-era shape with the namespace third', () => {
    const b = parseModuleSymvers(
      '0x12345678\tusb_stor_probe1\tUSB_STORAGE\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\n' +
        '0x0000abcd\tprintk\t\tvmlinux\tEXPORT_SYMBOL\n',
      src,
    );
    const e = b.exports.get('usb_stor_probe1')!;
    assert.equal(e.namespace, 'USB_STORAGE');
    assert.equal(e.module, 'drivers/usb/storage/usb-storage');
    assert.equal(e.exportType, 'EXPORT_SYMBOL_GPL');
    assert.equal(b.exports.get('printk')!.namespace, '');
    assert.equal(b.exports.get('printk')!.crc, 0xabcd);
  });

  it('reads 4 columns (no namespace) and 3 columns (no export type)', () => {
    const four = parseModuleSymvers('0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL_GPL_FUTURE\n', src);
    assert.equal(four.exports.get('foo')!.exportType, 'EXPORT_SYMBOL_GPL_FUTURE');
    const three = parseModuleSymvers('0x00000001\tfoo\tvmlinux\n0x00000002\tbar\tfs/ext3/ext3\n', src);
    assert.equal(three.exports.get('bar')!.exportType, null);
    assert.equal(three.exports.get('bar')!.module, 'fs/ext3/ext3');
  });

  it('tolerates CRLF line ends, blank lines and a missing final newline', () => {
    const b = parseModuleSymvers(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\r\n\r\n0x00000002\tbar\tvmlinux\tEXPORT_SYMBOL\t',
      src,
    );
    assert.deepEqual([...b.exports.keys()], ['foo', 'bar']);
    assert.equal(b.exports.get('foo')!.namespace, '');
  });
});

describe('parseModuleSymvers bad input', () => {
  it('rejects an empty file', () =>
    fails('', /^Module\.symvers: no exports found; expected Module\.symvers lines/));
  it('accepts an empty file when allowed (an external module with no exports)', () => {
    assert.equal(parseModuleSymvers('', { ...src, allowEmpty: true }).exports.size, 0);
  });
  it('rejects binary garbage', () =>
    fails('\x7fELF\x02\x01\x01', /^Module\.symvers:1: expected tab-separated Module\.symvers fields/));
  it('rejects a wrong column count on the first line', () =>
    fails(
      '0x00000001\tfoo\n',
      /^Module\.symvers:1: expected 3, 4 or 5 tab-separated fields .* found 2 fields/,
    ));
  it('rejects a line whose column count differs from the first', () =>
    fails(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\tbar\n',
      /^Module\.symvers:2: expected 4 or 5 tab-separated fields .* like the first line, found 2 \| 0x00000002\\tbar$/,
    ));
  it('rejects bad CRC text', () =>
    fails(
      '0xZZ\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n',
      /^Module\.symvers:1: expected a CRC like 0x1a2b3c4d in field 1, found "0xZZ"/,
    ));
  it('rejects a CRC over 32 bits', () =>
    fails(
      '0x123456789\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n',
      /:1: expected a CRC like 0x1a2b3c4d in field 1, found "0x123456789"/,
    ));
  it('rejects an unknown export type', () =>
    fails(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL_NS\tX\n',
      /^Module\.symvers:1: expected 3, 4 or 5 tab-separated fields with an EXPORT_SYMBOL\* type/,
    ));
  it('rejects a truncated line in the middle of a file', () =>
    fails(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x0000',
      /^Module\.symvers:2: expected 4 or 5 tab-separated fields/,
    ));
  it('rejects an empty module field', () =>
    fails(
      '0x00000001\tfoo\t\tEXPORT_SYMBOL\t\n',
      /:1: expected a module name \(or vmlinux\), found an empty field/,
    ));
  it('rejects a symbol exported twice, naming both lines', () =>
    fails(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n',
      /^Module\.symvers:2: symbol foo is exported twice \(first on line 1\)/,
    ));
  it('keeps the last duplicate with a warning when asked', () => {
    const b = parseModuleSymvers(
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n',
      {
        ...src,
        duplicates: 'keep-last',
      },
    );
    assert.equal(b.exports.get('foo')!.crc, 2);
    assert.deepEqual(b.warnings, [
      'Module.symvers:2: foo exported again (first on line 1); keeping this one',
    ]);
  });
  it('keeps a line repeated verbatim once with a warning under identical; a conflicting one stays an error', () => {
    const line = '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n';
    const b = parseModuleSymvers(`${line}0x00000003\tbar\tvmlinux\tEXPORT_SYMBOL\t\n${line}`, {
      ...src,
      duplicates: 'identical',
    });
    assert.deepEqual([...b.exports.keys()], ['foo', 'bar']);
    assert.deepEqual(b.warnings, ['Module.symvers:3: foo repeated verbatim (first on line 1); kept once']);
    assert.throws(
      () =>
        parseModuleSymvers(`${line}0x00000001\tfoo\tnet/x\tEXPORT_SYMBOL\t\n`, {
          ...src,
          duplicates: 'identical',
        }),
      /^ArtifactFormatError: Module\.symvers:2: symbol foo is exported twice/,
    );
    assert.throws(() => parseModuleSymvers(`${line}${line}`, src), /exported twice/);
  });
});
