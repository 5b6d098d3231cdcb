import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildElf } from '../../test/helpers/elf-builder.js';
import { FIXTURES } from '../../test/helpers/independent.js';
import { UsageError } from '../errors.js';
import { kindOfContent, sniffArtifact, sniffChannel } from './artifact.js';

const dir = mkdtempSync(join(tmpdir(), 'kabi-sniff-'));
const file = (name: string, bytes: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const MODULES = join(FIXTURES, 'modules', 'lib', 'modules');

/** A minimal x86 boot image header: "HdrS" at 0x202, protocol 2.15, loaded high. */
function bzImageHeader(): Buffer {
  const img = Buffer.alloc(0x400);
  img.write('HdrS', 0x202, 'latin1');
  img.writeUInt16LE(0x020f, 0x206);
  img[0x211] = 0x01;
  return img;
}

describe('sniffArtifact', () => {
  it('tells each kind by content, whatever the name, and keeps the decompressed bytes of whole files', async () => {
    const cases: [string, string, string, boolean][] = [
      [MODULES, 'tree', 'none', false],
      [join(MODULES, '6.1.0-47-amd64/kernel/lib/crc16.ko'), 'ko', 'none', true],
      [join(MODULES, '6.12.117+deb12-amd64/kernel/lib/crc16.ko.xz'), 'ko', 'xz', true],
      [join(FIXTURES, 'debian', '6.1.0-54.symvers.xz'), 'text', 'xz', true],
      [join(FIXTURES, 'btf', '6.1.0-47.subset.btf.xz'), 'btf', 'xz', true],
      [file('named.ko', '0x00000001\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n'), 'text', 'none', true],
      [file('a.symvers.gz', gzipSync('0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n')), 'text', 'gzip', true],
      [file('pkg', '!<arch>\ndebian-binary   '), 'deb', 'none', false],
      [file('pkg2', Buffer.from([0xed, 0xab, 0xee, 0xdb, 3, 0])), 'rpm', 'none', false],
      [file('vmlinuz-x', bzImageHeader()), 'vmlinuz', 'none', true],
      [
        file('exe', buildElf({ is64: true, littleEndian: true, machine: 62, type: 2, sections: [] })),
        'vmlinux',
        'none',
        true,
      ],
      [
        file('s390.o', buildElf({ is64: true, littleEndian: false, machine: 22, type: 1, sections: [] })),
        'ko',
        'none',
        true,
      ],
      [file('empty', ''), 'text', 'none', true],
    ];
    for (const [path, kind, compression, whole] of cases) {
      const a = await sniffArtifact(path);
      assert.deepEqual([a.kind, a.compression, a.data !== null], [kind, compression, whole], path);
    }
  });

  it('names the path and what was expected when there is nothing to read', async () => {
    await assert.rejects(sniffArtifact(join(dir, 'nope'), { what: 'a kernel package' }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `${join(dir, 'nope')}: no such file (expected a kernel package)`);
      return true;
    });
  });

  it('publishes one message per sniff', async () => {
    const seen: unknown[] = [];
    const listen = (m: unknown) => seen.push(m);
    sniffChannel.subscribe(listen);
    try {
      await sniffArtifact(MODULES);
    } finally {
      sniffChannel.unsubscribe(listen);
    }
    assert.deepEqual(seen, [{ path: MODULES, kind: 'tree' }]);
  });

  it('reads the ELF type in the byte order the header names', () => {
    const be = buildElf({ is64: false, littleEndian: false, machine: 20, type: 2, sections: [] });
    assert.equal(kindOfContent(be), 'vmlinux');
    assert.equal(kindOfContent(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46])), 'ko');
  });
});
