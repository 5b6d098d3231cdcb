// readStablelist on real files: compressed lists as distributions ship them, and kabi-module trees.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ArtifactFormatError, UsageError } from '../../errors.js';
import { readStablelist } from './index.js';

const RHEL9 = '[rhel9_x86_64_stablelist]\n\tI_BDEV\n\t__alloc_skb\n';
const MODULE_KABI =
  '0x5e0c6bd6\t___pskb_trim\tvmlinux\tEXPORT_SYMBOL\n0x1b17e06c\tkstrtoll\tvmlinux\tEXPORT_SYMBOL\n';
const symbolFile = (range: string, crc: string, symbol: string) =>
  `#${range}\n0x${crc}\t${symbol}\tvmlinux\tEXPORT_SYMBOL\t\n\n`;

let dir = '';

async function rejectsWith<E extends Error>(
  p: Promise<unknown>,
  type: new (...a: never[]) => E,
  message: string,
) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

describe('readStablelist', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kabi-stablelist-'));
    const { xzAsync } = await import('node-liblzma');
    await writeFile(join(dir, 'kabi_stablelist_x86_64'), RHEL9);
    await writeFile(join(dir, 'kabi_stablelist_x86_64.gz'), gzipSync(RHEL9));
    await writeFile(join(dir, 'Module.kabi_aarch64.xz'), await xzAsync(Buffer.from(MODULE_KABI)));
    await writeFile(join(dir, 'truncated.gz'), gzipSync(RHEL9).subarray(0, 20));
    await writeFile(join(dir, 'vmlinux.ko'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    await writeFile(join(dir, 'latin1'), Buffer.from([0x6b, 0x66, 0x72, 0x65, 0xe9, 0x0a]));
    for (const arch of ['x86_64', 'aarch64']) {
      const archDir = join(dir, 'kabi-module', `kabi_${arch}`);
      await mkdir(archDir, { recursive: true });
      await writeFile(join(archDir, '__alloc_skb'), symbolFile('2-', 'd93dd652', '__alloc_skb'));
      await writeFile(join(archDir, 'old_symbol'), symbolFile('0-3', '00000001', 'old_symbol'));
      await writeFile(join(archDir, 'README.md'), 'not a symbol\n');
    }
    await mkdir(join(dir, 'single'));
    await writeFile(join(dir, 'single', 'kfree'), symbolFile('0-', '037a0cba', 'kfree'));
    await mkdir(join(dir, 'single', 'kabi_s390x'));
    await writeFile(join(dir, 'single', 'kabi_s390x', 'kfree'), symbolFile('0-', '037a0cba', 'kfree'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads plain and gzip-compressed files alike', async () => {
    const plain = await readStablelist(join(dir, 'kabi_stablelist_x86_64'));
    const gz = await readStablelist(join(dir, 'kabi_stablelist_x86_64.gz'));
    assert.deepEqual([...gz.symbols.keys()], [...plain.symbols.keys()]);
    assert.equal(gz.name, 'rhel9_x86_64_stablelist');
    assert.equal(gz.source, join(dir, 'kabi_stablelist_x86_64.gz'));
  });

  it('reads xz-compressed files', async () => {
    const list = await readStablelist(join(dir, 'Module.kabi_aarch64.xz'));
    assert.equal(list.name, 'Module.kabi_aarch64');
    assert.equal(list.arch, 'aarch64');
    assert.equal(list.symbols.get('kstrtoll')?.crc, 0x1b17e06c);
  });

  it('honours a forced format', async () => {
    await rejectsWith(
      readStablelist(join(dir, 'kabi_stablelist_x86_64'), { format: 'plain' }),
      ArtifactFormatError,
      `${join(dir, 'kabi_stablelist_x86_64')}:1: expected one symbol name per line, found a section header` +
        ' (an INI symbol list or RHEL stablelist?) | [rhel9_x86_64_stablelist]',
    );
  });

  it('refuses a truncated compressed file, a binary file and text that is not UTF-8', async () => {
    await assert.rejects(
      readStablelist(join(dir, 'truncated.gz')),
      /truncated\.gz: corrupt or truncated gzip data/,
    );
    await rejectsWith(
      readStablelist(join(dir, 'vmlinux.ko')),
      ArtifactFormatError,
      `${join(dir, 'vmlinux.ko')}:1@0x7: binary data (NUL byte), expected a kABI stablelist text file | \\x7fELF\\x02\\x01\\x01\\x00`,
    );
    await rejectsWith(
      readStablelist(join(dir, 'latin1')),
      ArtifactFormatError,
      `${join(dir, 'latin1')}:1@0x4: invalid UTF-8 (\\xe9), expected a kABI stablelist text file | kfre\\xe9`,
    );
  });

  it('reads a kabi_<arch> directory for the latest release or a given one', async () => {
    const archDir = join(dir, 'kabi-module', 'kabi_x86_64');
    const latest = await readStablelist(archDir);
    assert.equal(latest.name, 'kabi_x86_64');
    assert.equal(latest.arch, 'x86_64');
    assert.deepEqual([...latest.symbols.keys()], ['__alloc_skb']);
    assert.equal(latest.symbols.get('__alloc_skb')?.crc, 0xd93dd652);
    const old = await readStablelist(archDir, { release: '9.2' });
    assert.deepEqual([...old.symbols.keys()], ['__alloc_skb', 'old_symbol']);
  });

  it('reads a kabi-module root holding one arch, and refuses one holding several', async () => {
    const list = await readStablelist(join(dir, 'single'), { format: 'kabi-module' });
    assert.equal(list.arch, 's390x');
    assert.equal(list.source, join(dir, 'single', 'kabi_s390x'));
    await rejectsWith(
      readStablelist(join(dir, 'kabi-module')),
      UsageError,
      `${join(dir, 'kabi-module')} holds several architectures (kabi_aarch64, kabi_x86_64); pass one kabi_<arch> directory`,
    );
  });

  it('refuses a directory for a file format, and a bad release before reading anything', async () => {
    await rejectsWith(
      readStablelist(dir, { format: 'plain' }),
      UsageError,
      `${dir} is a directory; only the kabi-module format is read from a directory`,
    );
    await rejectsWith(
      readStablelist(join(dir, 'does-not-exist'), { release: 'el9' }),
      UsageError,
      'release "el9" is not MAJOR.MINOR (e.g. 9.4)',
    );
  });
});
