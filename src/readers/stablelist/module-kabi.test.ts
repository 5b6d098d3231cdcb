// Lines modelled on openEuler's Module.kabi_aarch64 (src-openeuler kernel: 5 columns, empty trailing
// namespace) and RHEL 7's redhat/kabi/Module.kabi_x86_64 (4 columns, before namespaces existed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { parseStablelist } from './index.js';

const SRC = 'kabi/Module.kabi_aarch64';
const parse = (text: string) => parseStablelist(text, { source: SRC, format: 'module-kabi' });

const fails = (text: string, message: string) => assertFormatError(() => parse(text), message);

const OPENEULER =
  '0x54677249\tiscsi_host_add\tdrivers/scsi/libiscsi\tEXPORT_SYMBOL_GPL\t\n' +
  '0xf84a026a\tipv6_chk_custom_prefix\tvmlinux\tEXPORT_SYMBOL\t\n';
const SHAPE = '0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL][<TAB>namespace]';

describe('Module.kabi_<arch>', () => {
  it('reads CRC and module of each symbol; names the list after the file and takes its arch', () => {
    const list = parse(OPENEULER);
    assert.equal(list.name, 'Module.kabi_aarch64');
    assert.equal(list.arch, 'aarch64');
    assert.deepEqual(list.symbols.get('iscsi_host_add'), {
      symbol: 'iscsi_host_add',
      crc: 0x54677249,
      module: 'drivers/scsi/libiscsi',
    });
    assert.equal(list.symbols.get('ipv6_chk_custom_prefix')?.crc, 0xf84a026a);
  });

  it('is recognised from content alone', () => {
    assert.equal(parseStablelist(OPENEULER, { source: 'x' }).symbols.size, 2);
  });

  it('reads 4-column lines (before 5.4), the 5.4-5.6 namespace-third order, and a named namespace', () => {
    const list = parse(
      '0x5e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\n' +
        '0x0c2f123f\tusb_stor_probe1\tUSB_STORAGE\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\n' +
        '0x1b17e06c\tkstrtoll\tvmlinux\tEXPORT_SYMBOL\tNS\n',
    );
    assert.equal(list.symbols.get('___pskb_trim')?.module, 'vmlinux');
    assert.equal(list.symbols.get('usb_stor_probe1')?.module, 'drivers/usb/storage/usb-storage');
    assert.equal(list.symbols.get('kstrtoll')?.module, 'vmlinux');
  });

  it('reads blank-separated copies and skips blank lines', () => {
    const list = parse(
      '0x5e0c6bd6  ___pskb_trim  vmlinux  EXPORT_SYMBOL\n\n0x1b17e06c kstrtoll vmlinux EXPORT_SYMBOL\n',
    );
    assert.equal(list.symbols.size, 2);
  });

  it('keeps one entry for a repeated identical line', () => {
    assert.equal(parse(OPENEULER + OPENEULER).symbols.size, 2);
  });

  it('refuses a symbol pinned to two CRCs or two modules', () => {
    fails(
      `${OPENEULER}0x00000001\tiscsi_host_add\tdrivers/scsi/libiscsi\tEXPORT_SYMBOL_GPL\t\n`,
      `${SRC}:3: iscsi_host_add is pinned to CRC 0x00000001 in drivers/scsi/libiscsi here but to CRC 0x54677249` +
        ' in drivers/scsi/libiscsi at line 1; expected one CRC and module per symbol' +
        ' | 0x00000001\\tiscsi_host_add\\tdrivers/scsi/libiscsi\\tEXPORT_SYMBOL_GPL',
    );
    fails(
      `${OPENEULER}0xf84a026a\tipv6_chk_custom_prefix\tnet/ipv6/ipv6\tEXPORT_SYMBOL\n`,
      `${SRC}:3: ipv6_chk_custom_prefix is pinned to CRC 0xf84a026a in net/ipv6/ipv6 here but to CRC 0xf84a026a` +
        ' in vmlinux at line 2; expected one CRC and module per symbol' +
        ' | 0xf84a026a\\tipv6_chk_custom_prefix\\tnet/ipv6/ipv6\\tEXPORT_SYMBOL',
    );
  });

  it('refuses an empty file', () => {
    fails('', `${SRC}:1: no symbols, expected Module.symvers lines (${SHAPE})`);
    fails('\n\n', `${SRC}:2: no symbols, expected Module.symvers lines (${SHAPE})`);
  });

  it('refuses binary data', () => {
    fails(
      `${OPENEULER}\u007fELF\u0002\u0001\u0001\u0000`,
      `${SRC}:3: binary data (NUL byte), expected a kABI stablelist text file | \\x7fELF\\x02\\x01\\x01\\x00`,
    );
  });

  it('refuses a wrong column count, which is also how a truncated last line shows', () => {
    fails(
      `${OPENEULER}0x5e0c6bd6\t___pskb_tr`,
      `${SRC}:3: expected 4 or 5 tab-separated columns (${SHAPE}), found 2 | 0x5e0c6bd6\\t___pskb_tr`,
    );
    fails(
      '0x5e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\tNS\textra\n',
      `${SRC}:1: expected 4 or 5 tab-separated columns (${SHAPE}), found 6 | 0x5e0c6bd6\\t___pskb_trim\\tvmlinux\\tEXPORT_SYMBOL\\tNS\\textra`,
    );
  });

  it('refuses bad CRC text', () => {
    fails(
      '0x5e0c6bzz\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\n',
      `${SRC}:1: expected a hex CRC like 0x0c2f123f in column 1, found "0x5e0c6bzz" | 0x5e0c6bzz\\t___pskb_trim\\tvmlinux\\tEXPORT_SYMBOL`,
    );
    fails(
      '0x15e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\n',
      `${SRC}:1: expected a hex CRC like 0x0c2f123f in column 1, found "0x15e0c6bd6" | 0x15e0c6bd6\\t___pskb_trim\\tvmlinux\\tEXPORT_SYMBOL`,
    );
  });

  it('refuses an unknown export type and a missing module', () => {
    fails(
      '0x5e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_PUBLIC\n',
      `${SRC}:1: expected an export type (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...) in column 4, found "EXPORT_PUBLIC"` +
        ' | 0x5e0c6bd6\\t___pskb_trim\\tvmlinux\\tEXPORT_PUBLIC',
    );
    fails(
      '0x5e0c6bd6\t___pskb_trim\t\tEXPORT_SYMBOL\n',
      `${SRC}:1: expected a module name (vmlinux or a module path) in column 3 | 0x5e0c6bd6\\t___pskb_trim\\t\\tEXPORT_SYMBOL`,
    );
  });

  it('refuses a section header (a symbol outside the format)', () => {
    fails(
      `[rhel9_x86_64_stablelist]\n${OPENEULER}`,
      `${SRC}:1: expected a Module.symvers line (${SHAPE}), found a section header | [rhel9_x86_64_stablelist]`,
    );
  });
});
