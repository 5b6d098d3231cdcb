// Shapes from redhat/kabi/show-kabi -s output (CentOS Stream 9 kernel sources) and the format note in
// RHEL 6's yum kabi plugin: `[rhel9_x86_64_stablelist]` then one TAB-indented symbol per line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { parseStablelist } from './index.js';

const SRC = 'kabi_stablelist_x86_64';
const parse = (text: string) => parseStablelist(text, { source: SRC, format: 'rhel-stablelist' });
const fails = (text: string, message: string) => assertFormatError(() => parse(text), message);

const RHEL9 = '[rhel9_x86_64_stablelist]\n\tI_BDEV\n\t__alloc_skb\n\t__kmalloc\n';

describe('RHEL kabi_stablelist', () => {
  it('reads names under the section header, with the arch from the header', () => {
    const list = parse(RHEL9);
    assert.equal(list.name, 'rhel9_x86_64_stablelist');
    assert.equal(list.arch, 'x86_64');
    assert.equal(list.source, SRC);
    assert.deepEqual([...list.symbols.keys()], ['I_BDEV', '__alloc_skb', '__kmalloc']);
    assert.deepEqual(list.symbols.get('__alloc_skb'), { symbol: '__alloc_skb', crc: null, module: null });
  });

  it('is recognised from content alone', () => {
    const list = parseStablelist(RHEL9, { source: 'renamed.txt' });
    assert.equal(list.name, 'rhel9_x86_64_stablelist');
    assert.equal(list.symbols.size, 3);
  });

  it('reads the pre-RHEL 9 whitelist spelling and openEuler headers without a distro prefix', () => {
    assert.equal(parse('[rhel8_ppc64le_whitelist]\n\tkfree\n').arch, 'ppc64le');
    const oe = parse('[_aarch64_whitelist]\n\t___pskb_trim\n\t__alloc_pages_nodemask\n');
    assert.equal(oe.arch, 'aarch64');
    assert.equal(oe.symbols.size, 2);
  });

  it('merges several sections for the same arch, keeps the first of duplicates, skips blanks and comments', () => {
    const list = parse(
      '[rhel9_x86_64_stablelist]\n\tkfree\n\n# added in 9.2\n[rhel9_x86_64_stablelist]\n\tkfree\n\tvfree\n',
    );
    assert.deepEqual([...list.symbols.keys()], ['kfree', 'vfree']);
  });

  it('accepts CRLF line ends and a missing final newline', () => {
    assert.equal(parse('[rhel9_x86_64_stablelist]\r\n\tkfree\r\n\tvfree').symbols.size, 2);
  });

  it('refuses sections for two architectures', () => {
    fails(
      '[rhel9_x86_64_stablelist]\n\tkfree\n[rhel9_aarch64_stablelist]\n\tkfree\n',
      `${SRC}:3: section is for aarch64 but [rhel9_x86_64_stablelist] on line 1 is for x86_64; ` +
        'expected one architecture per stablelist | [rhel9_aarch64_stablelist]',
    );
  });

  it('refuses an untabbed symbol', () => {
    fails(
      `${RHEL9}\t__kmalloc_node\n\tkfree\nfoo bar\n`,
      `${SRC}:7: expected a tab-indented symbol name under a [..._stablelist] section | foo bar`,
    );
  });

  it('refuses an empty file and a file of comments', () => {
    fails('', `${SRC}:1: no section header, expected [rhel<N>_<arch>_stablelist] then symbols`);
    fails(
      '# nothing\n',
      `${SRC}:1: no section header, expected [rhel<N>_<arch>_stablelist] then symbols | # nothing`,
    );
  });

  it('refuses binary data', () => {
    fails(
      '[rhel9_x86_64_stablelist]\n\u0000\u0001ELF\n',
      `${SRC}:2: binary data (NUL byte), expected a kABI stablelist text file | \\x00\\x01ELF`,
    );
  });

  it('refuses a line with more than one word (a Module.symvers line in the wrong file)', () => {
    fails(
      '[rhel9_x86_64_stablelist]\n\t0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\n',
      `${SRC}:2: expected one symbol name per line under [rhel9_x86_64_stablelist], found several words` +
        ' | \\t0xd93dd652\\t__alloc_skb\\tvmlinux\\tEXPORT_SYMBOL',
    );
  });

  it('refuses text that is not a symbol name', () => {
    fails(
      '[rhel9_x86_64_stablelist]\n\tkfree()\n',
      `${SRC}:2: expected a symbol name (letters, digits, _ . $), found "kfree()" | \\tkfree()`,
    );
  });

  it('refuses a symbol before any section', () => {
    fails(
      '\tkfree\n[rhel9_x86_64_stablelist]\n',
      `${SRC}:1: expected a [rhel<N>_<arch>_stablelist] section header before the first symbol | \\tkfree`,
    );
  });

  it('refuses a header that does not name distro, arch and list kind', () => {
    fails(
      '[abi_symbol_list]\n\tkfree\n',
      `${SRC}:1: expected a section header like [rhel9_x86_64_stablelist] or [rhel8_x86_64_whitelist] | [abi_symbol_list]`,
    );
  });

  it('reports truncation: a cut header, or a header with no symbols', () => {
    fails(
      '[rhel9_x86_64_stab',
      `${SRC}:1: expected a section header closed by ']', like [rhel9_x86_64_stablelist] (truncated line?)` +
        ' | [rhel9_x86_64_stab',
    );
    fails(
      '[rhel9_x86_64_stablelist]\n',
      `${SRC}:1: no symbols, expected tab-indented symbol names under [rhel9_x86_64_stablelist] | [rhel9_x86_64_stablelist]`,
    );
  });
});
