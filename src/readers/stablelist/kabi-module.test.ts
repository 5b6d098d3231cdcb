// Files modelled on redhat/kabi/kabi-module/kabi_<arch>/<symbol> in RHEL-derived kernel sources
// (e.g. kabi_aarch64/__alloc_skb: "#2-\n0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t\n\n"), read
// with the rules of redhat/kabi/show-kabi (#I: index, release ranges, latest by default).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFormatError } from '../../../test/helpers/format-error.js';
import { UsageError } from '../../errors.js';
import { type KabiModuleFile, parseKabiModuleFile, parseKabiModuleTree, parseStablelist } from './index.js';

const DIR = 'redhat/kabi/kabi-module/kabi_aarch64';
const SRC = `${DIR}/__alloc_skb`;
const ALLOC_SKB = '#2-\n0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t\n\n';
const SHAPE = '0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL][<TAB>namespace]';

const failsFile = (text: string, message: string) =>
  assertFormatError(() => parseKabiModuleFile(text, SRC), message);

const line = (crc: string, symbol: string) => `0x${crc}\t${symbol}\tvmlinux\tEXPORT_SYMBOL\t\n`;
const file = (name: string, range: string, crc = '0000abcd'): KabiModuleFile => ({
  name,
  text: `#${range}\n${line(crc, name)}`,
});
const TREE = [
  file('open', '0-'),
  file('from2', '2-'),
  file('ended3', '0-3'),
  file('from5', '5-'),
  file('README.md', '0-'),
];
const tree = (release?: string) => [...parseKabiModuleTree(TREE, { source: DIR, release }).symbols.keys()];

describe('kabi-module files', () => {
  it('reads the release range and the Module.symvers line', () => {
    const record = parseKabiModuleFile(ALLOC_SKB, SRC);
    assert.deepEqual(record.range, { from: 2, to: null });
    assert.deepEqual(record.entry, { symbol: '__alloc_skb', crc: 0xd93dd652, module: 'vmlinux' });
    assert.equal(record.line.no, 2);
  });

  it('takes the line #I: selects (0-based) and ignores other metadata', () => {
    const text = `#0-\n#I:1\n#X:ignored\n${line('11111111', 'kfree')}${line('22222222', 'kfree')}`;
    const record = parseKabiModuleFile(text, SRC);
    assert.equal(record.entry.crc, 0x22222222);
    assert.equal(record.line.no, 5);
  });

  it('is recognised from content alone as a one-symbol list, arch from its directory', () => {
    const list = parseStablelist(ALLOC_SKB, { source: SRC });
    assert.equal(list.name, '__alloc_skb');
    assert.equal(list.arch, 'aarch64');
    assert.deepEqual([...list.symbols.keys()], ['__alloc_skb']);
    assert.equal(parseStablelist(ALLOC_SKB, { source: SRC, release: '9.1' }).symbols.size, 0);
  });

  it('refuses an empty file', () => {
    failsFile('', `${SRC}:1: empty file, expected a release range line like #2- then ${SHAPE}`);
  });

  it('refuses binary data', () => {
    assertFormatError(
      () => parseStablelist(`#2-\n0xd93dd652\t__alloc_skb\u0000`, { source: SRC, format: 'kabi-module' }),
      `${SRC}:2: binary data (NUL byte), expected a kABI stablelist text file | 0xd93dd652\\t__alloc_skb\\x00`,
    );
  });

  it('refuses a wrong column count and bad CRC text', () => {
    failsFile(
      '#2-\n0xd93dd652\t__alloc_skb\tvmlinux\n',
      `${SRC}:2: expected 4 or 5 tab-separated columns (${SHAPE}), found 3 | 0xd93dd652\\t__alloc_skb\\tvmlinux`,
    );
    failsFile(
      '#2-\nd93dd65g\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t\n',
      `${SRC}:2: expected a hex CRC like 0x0c2f123f in column 1, found "d93dd65g" | d93dd65g\\t__alloc_skb\\tvmlinux\\tEXPORT_SYMBOL\\t`,
    );
  });

  it('refuses a Module.symvers line before the release range, and a second range', () => {
    failsFile(
      `${line('d93dd652', '__alloc_skb')}#2-\n`,
      `${SRC}:1: expected a release range line like #2- or #0-3 before the Module.symvers line` +
        ' | 0xd93dd652\\t__alloc_skb\\tvmlinux\\tEXPORT_SYMBOL\\t',
    );
    failsFile(
      `#2-\n#3-\n${line('d93dd652', '__alloc_skb')}`,
      `${SRC}:2: expected one release range line, found a second (first on line 1) | #3-`,
    );
  });

  it('refuses malformed range and index lines', () => {
    failsFile(
      `#2-4-6\n${line('d93dd652', '__alloc_skb')}`,
      `${SRC}:1: expected a release range "#<from>-[<to>]" of minor releases, like #2- or #0-3 | #2-4-6`,
    );
    failsFile(
      `#2-\n#I:one\n${line('d93dd652', 'kfree')}`,
      `${SRC}:2: expected #I:<index> with a whole number (0 = first Module.symvers line) | #I:one`,
    );
    failsFile(
      `#2-\n#I:2\n${line('d93dd652', 'kfree')}`,
      `${SRC}:2: #I:2 selects Module.symvers line 3, but the file has 1 | #I:2`,
    );
  });

  it('refuses lines for different symbols in one file', () => {
    failsFile(
      `#2-\n${line('11111111', 'kfree')}${line('22222222', 'vfree')}`,
      `${SRC}:3: expected every line to export kfree, found vfree | 0x22222222\\tvfree\\tvmlinux\\tEXPORT_SYMBOL\\t`,
    );
  });

  it('reports truncation: a range line and nothing after it', () => {
    failsFile('#2-\n', `${SRC}:1: no Module.symvers line after the release range, expected ${SHAPE} | #2-`);
  });
});

describe('kabi-module trees', () => {
  it('names the list after the directory, takes its arch, reads files in name order, skips names with a dot', () => {
    const list = parseKabiModuleTree(TREE, { source: `${DIR}/` });
    assert.equal(list.name, 'kabi_aarch64');
    assert.equal(list.arch, 'aarch64');
    assert.equal(list.source, `${DIR}/`);
    assert.deepEqual([...list.symbols.keys()], ['from2', 'from5', 'open']);
    assert.deepEqual(list.symbols.get('open'), { symbol: 'open', crc: 0xabcd, module: 'vmlinux' });
  });

  it('keeps, for a release, the symbols whose range holds it: from <= minor < to', () => {
    assert.deepEqual(tree('9.2'), ['ended3', 'from2', 'open']);
    assert.deepEqual(tree('9.3'), ['from2', 'open']);
    assert.deepEqual(tree('9.5'), ['from2', 'from5', 'open']);
    assert.deepEqual(tree('9.0'), ['ended3', 'open']);
  });

  it('refuses a release that is not MAJOR.MINOR', () => {
    assert.throws(
      () => tree('9'),
      (e: unknown) => e instanceof UsageError && e.message === 'release "9" is not MAJOR.MINOR (e.g. 9.4)',
    );
  });

  it('refuses a file whose line exports another symbol than its name', () => {
    assertFormatError(
      () => parseKabiModuleTree([{ name: 'kfree', text: `#0-\n${line('1', 'vfree')}` }], { source: DIR }),
      `${DIR}/kfree:2: file is named "kfree" but exports vfree; expected the file name to be the symbol` +
        ' | 0x1\\tvfree\\tvmlinux\\tEXPORT_SYMBOL\\t',
    );
  });

  it('refuses two files for one symbol with different CRCs (RHEL 7 had "bio_endio " beside "bio_endio")', () => {
    const files = [
      file('bio_endio', '0-', '00000001'),
      { ...file('bio_endio', '0-', '00000002'), name: 'bio_endio ' },
    ];
    assertFormatError(
      () => parseKabiModuleTree(files, { source: DIR }),
      `${DIR}/bio_endio :2: bio_endio is pinned to CRC 0x00000002 in vmlinux here but to CRC 0x00000001 in vmlinux` +
        ` at ${DIR}/bio_endio:2; expected one CRC and module per symbol | 0x00000002\\tbio_endio\\tvmlinux\\tEXPORT_SYMBOL\\t`,
    );
  });

  it('refuses a directory without symbol files', () => {
    assertFormatError(
      () => parseKabiModuleTree([{ name: '.gitignore', text: '' }], { source: DIR }),
      `${DIR}: no symbol files, expected kabi_<arch>/<symbol> files from a kabi-module tree`,
    );
  });
});
