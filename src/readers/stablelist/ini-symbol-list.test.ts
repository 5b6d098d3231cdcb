// Shapes from Android common kernels' android/abi_gki_aarch64 ([abi_symbol_list], two-space indent,
// `# required by x.ko` comments), the [abi_whitelist] example of the Android ABI monitoring README,
// and openEuler's kabi_stablelist_aarch64 ([oe2203_aarch64_whitelist], four-space indent).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { parseStablelist } from './index.js';

const SRC = 'android/abi_gki_aarch64_db845c';
const parse = (text: string, source = SRC) => parseStablelist(text, { source, format: 'ini-symbol-list' });

const fails = (text: string, message: string) => assertFormatError(() => parse(text), message);

const GKI =
  '[abi_symbol_list]\n# commonly used symbols\n  __cfi_slowpath\n  __const_udelay\n  _dev_err\n\n' +
  '# required by arm-smmu.ko\n  alloc_io_pgtable_ops\n  _dev_err\n';

describe('INI symbol lists (libabigail, Android GKI, openEuler)', () => {
  it('reads a GKI list, named after the file, with the arch from the file name', () => {
    const list = parse(GKI);
    assert.equal(list.name, 'abi_gki_aarch64_db845c');
    assert.equal(list.arch, 'aarch64');
    assert.deepEqual(
      [...list.symbols.keys()],
      ['__cfi_slowpath', '__const_udelay', '_dev_err', 'alloc_io_pgtable_ops'],
    );
    assert.deepEqual(list.symbols.get('_dev_err'), { symbol: '_dev_err', crc: null, module: null });
  });

  it('is recognised from content alone', () => {
    assert.equal(parseStablelist(GKI, { source: 'list' }).symbols.size, 4);
  });

  it('reads [abi_whitelist] and openEuler [..._whitelist] sections, and ; or trailing comments', () => {
    assert.equal(parse('  [abi_whitelist]\n    symbol1 ; first\n    symbol2 # second\n').symbols.size, 2);
    const oe = parseStablelist('[oe2203_aarch64_whitelist]\n    acpi_bus_get_device\n    acpi_check_dsm\n', {
      source: 'kabi_stablelist_aarch64',
    });
    assert.equal(oe.name, 'oe2203_aarch64_whitelist');
    assert.equal(oe.arch, 'aarch64');
    assert.equal(oe.symbols.size, 2);
  });

  it('ignores sections that do not list symbols, as libabigail does', () => {
    const list = parse('[suppress_function]\n  name = foo\n[abi_symbol_list]\n  kfree\n');
    assert.deepEqual([...list.symbols.keys()], ['kfree']);
  });

  it('refuses an empty file, and a file without a listing section', () => {
    fails('', `${SRC}:1: no [abi_symbol_list] or [..._whitelist] section, expected at least one`);
    fails(
      '[suppress_function]\n  name = foo\n',
      `${SRC}:2: no [abi_symbol_list] or [..._whitelist] section, expected at least one |   name = foo`,
    );
  });

  it('refuses binary data', () => {
    fails(
      '[abi_symbol_list]\n  kfree\u0000\n',
      `${SRC}:2: binary data (NUL byte), expected a kABI stablelist text file |   kfree\\x00`,
    );
  });

  it('refuses more than one word on a line, and name = value entries', () => {
    fails(
      '[abi_symbol_list]\n  kfree vfree\n',
      `${SRC}:2: expected one symbol name per line under [abi_symbol_list], found several words |   kfree vfree`,
    );
    fails(
      '[abi_symbol_list]\n  kfree = 0x12345678\n',
      `${SRC}:2: expected a bare symbol name under [abi_symbol_list], found a "name = value" property |   kfree = 0x12345678`,
    );
  });

  it('refuses text that is not a symbol name', () => {
    fails(
      '[abi_symbol_list]\n  kernel(kfree)\n',
      `${SRC}:2: expected a symbol name (letters, digits, _ . $), found "kernel(kfree)" |   kernel(kfree)`,
    );
  });

  it('refuses a symbol before any section', () => {
    fails(
      '# header comment\n  kfree\n[abi_symbol_list]\n',
      `${SRC}:2: expected a section header like [abi_symbol_list] before the first symbol |   kfree`,
    );
  });

  it('reports truncation: a cut header, or a listing section with no symbols', () => {
    fails(
      '[abi_symbol_li',
      `${SRC}:1: expected a section header closed by ']', like [abi_symbol_list] (truncated line?) | [abi_symbol_li`,
    );
    fails(
      '[abi_symbol_list]\n# commonly used symbols\n',
      `${SRC}:2: no symbols, expected symbol names under [abi_symbol_list] | # commonly used symbols`,
    );
    fails('[]\n  kfree\n', `${SRC}:1: expected a section name between [ and ], like [abi_symbol_list] | []`);
  });
});
