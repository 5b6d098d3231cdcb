// Format recognition from content, with one sample of each shape (see the per-format tests for sources).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { ArtifactFormatError, UsageError } from '../../errors.js';
import { detectStablelistFormat, isStablelistFormat, parseStablelist, STABLELIST_FORMATS } from './index.js';

const SRC = 'some/list';
const EXPECTED =
  'expected a kABI stablelist: a [section] header, a Module.symvers line ' +
  '(0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL][<TAB>namespace]), a kabi-module "#<from>-<to>" line,' +
  ' or one symbol name per line';

const fails = (text: string, message: string) =>
  assertFormatError(() => parseStablelist(text, { source: SRC }), message);

describe('stablelist format detection', () => {
  it('recognises each format from its first lines', () => {
    const cases: [string, string][] = [
      ['[rhel9_x86_64_stablelist]\n\tkfree\n', 'rhel-stablelist'],
      ['# generated\n\n[rhel8_x86_64_whitelist]\n\n\tkfree\n', 'rhel-stablelist'],
      ['[rhel9_x86_64_stablelist]\n', 'rhel-stablelist'],
      ['[oe2203_aarch64_whitelist]\n    kfree\n', 'ini-symbol-list'],
      ['[abi_symbol_list]\n# commonly used symbols\n  kfree\n', 'ini-symbol-list'],
      ['; libabigail comment\n[abi_whitelist]\nkfree\n', 'ini-symbol-list'],
      ['\n#2-\n0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t\n', 'kabi-module'],
      ['#I:0\n#2-\n0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t\n', 'kabi-module'],
      ['0x5e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\n', 'module-kabi'],
      ['# my list\nkfree\n', 'plain'],
      ['kfree # why\n', 'plain'],
    ];
    for (const [text, format] of cases) assert.equal(detectStablelistFormat(text, SRC), format, text);
  });

  it('names the formats', () => {
    assert.deepEqual(STABLELIST_FORMATS, [
      'rhel-stablelist',
      'kabi-module',
      'module-kabi',
      'ini-symbol-list',
      'plain',
    ]);
    assert.equal(isStablelistFormat('plain'), true);
    assert.equal(isStablelistFormat('Module.symvers'), false);
  });

  it('refuses an empty file and a file of comments', () => {
    fails('', `${SRC}:1: empty file, ${EXPECTED}`);
    fails('\n  \n', `${SRC}:2: empty file, ${EXPECTED}`);
    fails('# nothing here\n', `${SRC}:1: only comments, no symbols; ${EXPECTED} | # nothing here`);
  });

  it('refuses binary data before detecting anything', () => {
    fails(
      '\u007fELF\u0002\u0001\u0001\u0000\u0000',
      `${SRC}:1: binary data (NUL byte), expected a kABI stablelist text file | \\x7fELF\\x02\\x01\\x01\\x00\\x00`,
    );
  });

  it('refuses text that fits no format', () => {
    fails('# header\nthis is prose, not a list\n', `${SRC}:2: ${EXPECTED} | this is prose, not a list`);
    fails('0xzz\tkfree\n', `${SRC}:1: ${EXPECTED} | 0xzz\\tkfree`);
  });

  it('refuses a malformed release whatever the format', () => {
    assert.throws(() => parseStablelist('kfree\n', { source: SRC, release: 'latest' }), UsageError);
  });

  it('lets the caller force a format', () => {
    const list = parseStablelist('[abi_symbol_list]\n  kfree\n', { source: SRC, format: 'ini-symbol-list' });
    assert.equal(list.symbols.size, 1);
    assert.throws(
      () => parseStablelist('kfree\n', { source: SRC, format: 'module-kabi' }),
      ArtifactFormatError,
    );
  });
});
