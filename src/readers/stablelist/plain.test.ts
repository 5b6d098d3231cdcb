// Shape from an openEuler branch's kabi_whitelist_aarch64 (src-openeuler kernel): bare names, one per
// line, no header, some names repeated (__arch_copy_from_user appears twice).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { parseStablelist } from './index.js';

const SRC = 'kabi_whitelist_aarch64';
const parse = (text: string) => parseStablelist(text, { source: SRC, format: 'plain' });

const fails = (text: string, message: string) => assertFormatError(() => parse(text), message);

const OPENEULER =
  'acpi_evaluate_integer\n__arch_copy_from_user\n__arch_copy_from_user\n__arch_copy_to_user\n';

describe('plain symbol lists', () => {
  it('reads one name per line, keeps the first of duplicates, names the list after the file', () => {
    const list = parse(OPENEULER);
    assert.equal(list.name, 'kabi_whitelist_aarch64');
    assert.equal(list.arch, 'aarch64');
    assert.deepEqual(
      [...list.symbols.keys()],
      ['acpi_evaluate_integer', '__arch_copy_from_user', '__arch_copy_to_user'],
    );
    assert.deepEqual(list.symbols.get('__arch_copy_to_user'), {
      symbol: '__arch_copy_to_user',
      crc: null,
      module: null,
    });
  });

  it('is recognised from content alone, and has no arch when the name has none', () => {
    const list = parseStablelist(
      '# my driver needs\nkfree\n  vfree  # indented, commented\r\n\nmemcpy.cold',
      {
        source: '/tmp/needed.txt.gz',
      },
    );
    assert.equal(list.name, 'needed.txt');
    assert.equal(list.arch, null);
    assert.deepEqual([...list.symbols.keys()], ['kfree', 'vfree', 'memcpy.cold']);
  });

  it('refuses an empty file and a file of comments', () => {
    fails('', `${SRC}:1: no symbols, expected one symbol name per line`);
    fails('# none yet\n\n', `${SRC}:2: no symbols, expected one symbol name per line`);
  });

  it('refuses binary data', () => {
    fails(
      'kfree\nvfree\n\u0000\u0000\u0000\u0000',
      `${SRC}:3: binary data (NUL byte), expected a kABI stablelist text file | \\x00\\x00\\x00\\x00`,
    );
  });

  it('refuses more than one field on a line, such as a Module.symvers line or a bad CRC column', () => {
    fails(
      'kfree\nkfree vfree\n',
      `${SRC}:2: expected one symbol name per line, found 2 fields | kfree vfree`,
    );
    fails(
      'kfree\n0xzz\tvfree\tvmlinux\tEXPORT_SYMBOL\n',
      `${SRC}:2: expected one symbol name per line, found 4 fields | 0xzz\\tvfree\\tvmlinux\\tEXPORT_SYMBOL`,
    );
  });

  it('refuses text that is not a symbol name', () => {
    fails(
      'kfree\nkernel(vfree)\n',
      `${SRC}:2: expected a symbol name (letters, digits, _ . $), found "kernel(vfree)" | kernel(vfree)`,
    );
  });

  it('refuses a section header, which belongs to another format', () => {
    fails(
      '[abi_symbol_list]\nkfree\n',
      `${SRC}:1: expected one symbol name per line, found a section header (an INI symbol list or RHEL stablelist?)` +
        ' | [abi_symbol_list]',
    );
  });

  it('cannot see truncation inside a name, but reads a last line without newline', () => {
    assert.deepEqual([...parse('kfree\nvfr').symbols.keys()], ['kfree', 'vfr']);
  });
});
