import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArtifactFormatError } from '../errors.js';
import { looksLikeUbuntuAbi, parseUbuntuAbi } from './ubuntu-abi.js';

const source = 'debian.master/abi/amd64/generic';

// Lines as they appear in focal's debian.master/abi/5.4.0-101.114/amd64/generic and noble's
// debian.master/abi/amd64/generic: the packaging's sed leaves a tab after an empty namespace, a tab
// between CRC and symbol, and puts a namespace first.
const NOBLE = [
  'CXL EXPORT_SYMBOL_GPL 0x055c6ee3\tcxl_mem_active_inc\tvmlinux',
  'EXPORT_SYMBOL\t arch/x86/kvm/kvm 0x1e21c006\tkvm_cpu_has_pending_timer',
  'EXPORT_SYMBOL\t crypto/xor 0x5b6c00e6\txor_blocks',
  'EXPORT_SYMBOL_GPL\t vmlinux 0xffd76387\tanon_inode_getfile',
  'USB_STORAGE EXPORT_SYMBOL_GPL 0x016c79bd\tusb_stor_disconnect\tdrivers/usb/storage/usb-storage',
  '',
].join('\n');

function throwsFormat(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, `expected ArtifactFormatError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

describe('parseUbuntuAbi', () => {
  test('reads 4-field lines and namespace-first 5-field lines', () => {
    const build = parseUbuntuAbi(NOBLE, { source });
    assert.equal(build.format, 'ubuntu-abi');
    assert.equal(build.exports.size, 5);
    assert.deepEqual(build.exports.get('kvm_cpu_has_pending_timer'), {
      symbol: 'kvm_cpu_has_pending_timer',
      crc: 0x1e21c006,
      module: 'arch/x86/kvm/kvm',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
    });
    assert.deepEqual(build.exports.get('usb_stor_disconnect'), {
      symbol: 'usb_stor_disconnect',
      crc: 0x016c79bd,
      module: 'drivers/usb/storage/usb-storage',
      exportType: 'EXPORT_SYMBOL_GPL',
      namespace: 'USB_STORAGE',
    });
    assert.equal(build.exports.get('cxl_mem_active_inc')?.module, 'vmlinux');
    assert.deepEqual(build.warnings, []);
  });

  test('reads the pre-5.4 shape with spaces and no trailing tab', () => {
    const build = parseUbuntuAbi('EXPORT_SYMBOL crypto/gf128mul 0x0c2f123f gf128mul_4k_bbe\n', { source });
    assert.deepEqual(build.exports.get('gf128mul_4k_bbe'), {
      symbol: 'gf128mul_4k_bbe',
      crc: 0x0c2f123f,
      module: 'crypto/gf128mul',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
    });
  });

  test('reads the namespace-last shape the sed makes of a 5.4–5.9 Module.symvers', () => {
    const text =
      'EXPORT_SYMBOL_GPL drivers/usb/storage/usb-storage 0x016c79bd\tusb_stor_disconnect\tUSB_STORAGE\n';
    const e = parseUbuntuAbi(text, { source }).exports.get('usb_stor_disconnect');
    assert.equal(e?.module, 'drivers/usb/storage/usb-storage');
    assert.equal(e?.namespace, 'USB_STORAGE');
  });

  test('labels arch and flavour (and version in older trees) from the path', () => {
    assert.deepEqual(parseUbuntuAbi(NOBLE, { source }).labels, { arch: 'amd64', flavour: 'generic' });
    assert.deepEqual(
      parseUbuntuAbi(NOBLE, { source: 'linux/debian.master/abi/5.4.0-101.114/arm64/generic-64k' }).labels,
      {
        version: '5.4.0-101.114',
        arch: 'arm64',
        flavour: 'generic-64k',
      },
    );
    assert.deepEqual(parseUbuntuAbi(NOBLE, { source: 'generic.txt' }).labels, {});
  });

  test('an empty file is an error', () => {
    throwsFormat(
      () => parseUbuntuAbi('', { source }),
      'debian.master/abi/amd64/generic: no exports found; expected an Ubuntu abi file (EXPORT_SYMBOL module 0xCRC symbol)',
    );
  });

  test('binary garbage with NUL bytes is refused with its line', () => {
    assert.throws(
      () => parseUbuntuAbi('\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000\n', { source }),
      (e: unknown) =>
        e instanceof ArtifactFormatError &&
        e.line === 1 &&
        e.message.startsWith(
          'debian.master/abi/amd64/generic:1: binary data (NUL byte), expected an Ubuntu abi file',
        ),
    );
  });

  test('wrong field count, including a truncated line', () => {
    throwsFormat(
      () => parseUbuntuAbi(`${NOBLE}EXPORT_SYMBOL crypto/gf128mul 0x0c2f\n`, { source }),
      'debian.master/abi/amd64/generic:6: expected 4 fields (TYPE MODULE CRC SYMBOL) or 5 with a namespace, found 3 | EXPORT_SYMBOL crypto/gf128mul 0x0c2f',
    );
    throwsFormat(
      () => parseUbuntuAbi('A B EXPORT_SYMBOL crypto/xor 0x5b6c00e6 xor_blocks\n', { source }),
      'debian.master/abi/amd64/generic:1: expected 4 fields (TYPE MODULE CRC SYMBOL) or 5 with a namespace, found 6 | A B EXPORT_SYMBOL crypto/xor 0x5b6c00e6 xor_blocks',
    );
  });

  test('bad CRC text and CRCs wider than 32 bits', () => {
    throwsFormat(
      () => parseUbuntuAbi('EXPORT_SYMBOL crypto/xor 0xzz xor_blocks\n', { source }),
      'debian.master/abi/amd64/generic:1: expected a hexadecimal CRC like 0x0c2f123f in field 3, found "0xzz" | EXPORT_SYMBOL crypto/xor 0xzz xor_blocks',
    );
    throwsFormat(
      () => parseUbuntuAbi('EXPORT_SYMBOL crypto/xor 5b6c00e6 xor_blocks\n', { source }),
      'debian.master/abi/amd64/generic:1: expected a hexadecimal CRC like 0x0c2f123f in field 3, found "5b6c00e6" | EXPORT_SYMBOL crypto/xor 5b6c00e6 xor_blocks',
    );
    throwsFormat(
      () => parseUbuntuAbi('EXPORT_SYMBOL crypto/xor 0x15b6c00e6 xor_blocks\n', { source }),
      'debian.master/abi/amd64/generic:1: expected a 32-bit CRC in field 3, found "0x15b6c00e6" | EXPORT_SYMBOL crypto/xor 0x15b6c00e6 xor_blocks',
    );
  });

  test('an unknown export type, and a Module.symvers given by mistake', () => {
    throwsFormat(
      () => parseUbuntuAbi('EXPORT_SYMBOL_NS_GPL crypto/xor 0x5b6c00e6 xor_blocks\n', { source }),
      'debian.master/abi/amd64/generic:1: expected an export type (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...) in field 1, found "EXPORT_SYMBOL_NS_GPL" | EXPORT_SYMBOL_NS_GPL crypto/xor 0x5b6c00e6 xor_blocks',
    );
    throwsFormat(
      () => parseUbuntuAbi('0x5b6c00e6\txor_blocks\tcrypto/xor\tEXPORT_SYMBOL\t\n', { source }),
      'debian.master/abi/amd64/generic:1: expected an export type (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...) in field 1, found "0x5b6c00e6"; this looks like Module.symvers, not an abi file | 0x5b6c00e6\\txor_blocks\\tcrypto/xor\\tEXPORT_SYMBOL',
    );
  });

  test('identical duplicates are harmless; different ones are an error unless keep-last', () => {
    const line = 'EXPORT_SYMBOL crypto/xor 0x5b6c00e6 xor_blocks\n';
    assert.equal(parseUbuntuAbi(line + line, { source }).exports.size, 1);
    const changed = `${line}EXPORT_SYMBOL_GPL crypto/xor 0x5b6c00e6 xor_blocks\n`;
    throwsFormat(
      () => parseUbuntuAbi(changed, { source }),
      'debian.master/abi/amd64/generic:2: xor_blocks is listed twice with different data: 0x5b6c00e6 crypto/xor EXPORT_SYMBOL (line 1) and 0x5b6c00e6 crypto/xor EXPORT_SYMBOL_GPL; expected one line per symbol',
    );
    const build = parseUbuntuAbi(changed, { source, duplicates: 'keep-last' });
    assert.equal(build.exports.get('xor_blocks')?.exportType, 'EXPORT_SYMBOL_GPL');
    assert.deepEqual(build.warnings, [
      'debian.master/abi/amd64/generic:2: xor_blocks is listed twice with different data: 0x5b6c00e6 crypto/xor EXPORT_SYMBOL (line 1) and 0x5b6c00e6 crypto/xor EXPORT_SYMBOL_GPL; kept the last',
    ]);
  });
});

describe('looksLikeUbuntuAbi', () => {
  test('true for abi files of every shape', () => {
    assert.equal(looksLikeUbuntuAbi(NOBLE), true);
    assert.equal(looksLikeUbuntuAbi('EXPORT_SYMBOL crypto/gf128mul 0x0c2f123f gf128mul_4k_bbe\n'), true);
  });

  test('false for the sibling files in the abi directory', () => {
    // <flavour>.modules: one module name a line.
    assert.equal(looksLikeUbuntuAbi('8021q\n8250_dw\n88pm800-regulator\n'), false);
    // <flavour>.compiler: the compiler banner.
    assert.equal(looksLikeUbuntuAbi('GCC: (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0\n'), false);
    // <flavour>.retpoline when the kernel has no retpolines, or none unchecked.
    assert.equal(looksLikeUbuntuAbi('# RETPOLINE NOT ENABLED\n'), false);
    assert.equal(looksLikeUbuntuAbi(''), false);
    // fwinfo: firmware each module may load.
    assert.equal(looksLikeUbuntuAbi('firmware: 3com/typhoon.bin\n'), false);
  });

  test('false for Module.symvers, RPM provides and binary data', () => {
    assert.equal(
      looksLikeUbuntuAbi('0x0c2f123f\tgf128mul_4k_bbe\tcrypto/gf128mul\tEXPORT_SYMBOL\t\n'),
      false,
    );
    assert.equal(looksLikeUbuntuAbi('kernel(foo) = 0x0c2f123f\n'), false);
    assert.equal(looksLikeUbuntuAbi('EXPORT_SYMBOL crypto/xor 0x5b6c00e6 xor_blocks\n\u0000'), false);
  });
});
