import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildElf, modinfoSection, versionsSection } from '../../../test/helpers/elf-builder.js';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { decompress } from '../compression.js';
import { openElf } from '../elf/elf.js';
import { inTreeModulePath, parseLeanModuleImage, parseModuleImage, readModuleImage } from './module-image.js';

const FIX = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'modules');
const K61 = join(FIX, 'lib', 'modules', '6.1.0-47-amd64', 'kernel');
const K612 = join(FIX, 'lib', 'modules', '6.12.117+deb12-amd64', 'kernel');

function rejects(bytes: Uint8Array, message: RegExp) {
  let full = '';
  assert.throws(
    () => parseModuleImage(bytes, { source: 'm.ko' }),
    (e: unknown) => {
      assert.ok(e instanceof ArtifactFormatError, `expected ArtifactFormatError, got ${e}`);
      assert.match(e.message, message);
      full = e.message;
      return true;
    },
  );
  // A package's lean read refuses it with the very same error.
  assert.throws(
    () => parseLeanModuleImage(bytes, { source: 'm.ko' }),
    (e: unknown) => e instanceof ArtifactFormatError && e.message === full,
  );
}

/** What a kernel package's entry keeps of a module, from the whole parse. */
function leanOf(bytes: Uint8Array, source: string) {
  const m = parseModuleImage(bytes, { source });
  return {
    ...m,
    modinfo: [],
    depends: [],
    importNs: [],
    imports: [],
    needs: undefined,
  };
}

describe('module images (real Debian modules)', () => {
  it('reads each committed module lean as the whole parse reads it, less its modinfo, imports and needs', async () => {
    for (const dir of [K61, K612]) {
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
        /\.ko(\.xz)?$/.test(f),
      );
      assert.ok(files.length > 0, dir);
      for (const f of files) {
        const { data: bytes } = await decompress(readFileSync(join(dir, f)), { source: f });
        const lean = parseLeanModuleImage(bytes, { source: join(dir, f) });
        assert.deepEqual({ ...lean, needs: undefined }, leanOf(bytes, join(dir, f)), f);
        assert.equal('needs' in lean, false);
      }
    }
  });

  it('reads exports, namespace, CRCs and imports of an in-tree module (6.1 idxd_bus)', async () => {
    const m = await readModuleImage(join(K61, 'drivers', 'dma', 'idxd', 'idxd_bus.ko'));
    assert.equal(m.name, 'idxd_bus');
    assert.equal(m.path, 'drivers/dma/idxd/idxd_bus');
    assert.equal(m.license, 'GPL v2');
    assert.match(m.vermagic!, /^6\.1\.0-47-amd64 SMP preempt mod_unload modversions/);
    assert.equal(m.modversions, 'versions');
    assert.ok(m.exports.length > 0);
    for (const e of m.exports) {
      assert.equal(e.namespace, 'IDXD');
      assert.equal(e.module, 'drivers/dma/idxd/idxd_bus');
      assert.equal(e.exportType, 'EXPORT_SYMBOL_GPL');
      assert.equal(typeof e.crc, 'number');
    }
  });

  it('reads a .ko.xz of the 6.12 series and an importer of a namespace', async () => {
    const m = await readModuleImage(join(K612, 'lib', 'crc16.ko.xz'));
    assert.equal(m.path, 'lib/crc16');
    assert.deepEqual(
      m.exports.map((e) => [e.symbol, e.exportType, e.namespace]),
      [
        ['crc16', 'EXPORT_SYMBOL', ''],
        ['crc16_table', 'EXPORT_SYMBOL', ''],
      ],
    );
    const v = await readModuleImage(join(K61, 'drivers', 'virtio', 'virtio_dma_buf.ko'));
    assert.deepEqual(v.importNs, ['DMA_BUF']);
  });

  it('derives the in-tree path only under lib/modules/<release>/kernel/', () => {
    assert.equal(inTreeModulePath('x/lib/modules/6.1.0-47-amd64/kernel/fs/ext4/ext4.ko.zst'), 'fs/ext4/ext4');
    assert.equal(inTreeModulePath('lib/modules/6.1.0-47-amd64/updates/dkms/v4l2loopback.ko'), null);
  });
});

describe('module images: layouts and bad input', () => {
  const crc16 = readFileSync(join(K61, 'lib', 'crc16.ko'));

  it('reads __versions of a 32-bit big-endian module (4 + 60 byte records)', () => {
    const elf = buildElf({
      is64: false,
      littleEndian: false,
      machine: 20,
      sections: [
        {
          name: '.modinfo',
          data: modinfoSection(['license=GPL', 'name=tiny', 'depends=a,b', 'import_ns=FOO', 'import_ns=BAR']),
        },
        {
          name: '__versions',
          data: versionsSection(
            [
              [0xdeadbeef, 'module_layout'],
              [0x01020304, 'printk'],
            ],
            false,
            false,
          ),
        },
      ],
    });
    const m = parseModuleImage(elf, { source: 'tiny.ko' });
    assert.deepEqual(m.imports, [
      { symbol: 'module_layout', crc: 0xdeadbeef },
      { symbol: 'printk', crc: 0x01020304 },
    ]);
    assert.deepEqual(m.depends, ['a', 'b']);
    assert.deepEqual(m.importNs, ['FOO', 'BAR']);
    assert.deepEqual(m.elf, { class: 32, endian: 'big', machine: 20 });
  });

  it('prefers the 6.14+ extended modversions sections over __versions, as the loader does', () => {
    const crcs = new Uint8Array(8);
    new DataView(crcs.buffer).setUint32(0, 0x11111111, true);
    new DataView(crcs.buffer).setUint32(4, 0x22222222, true);
    const longName = `_RNvNtCs1234_kernel${'x'.repeat(80)}`;
    const elf = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [
        { name: '__versions', data: versionsSection([[0x33333333, 'printk']], true, true) },
        { name: '__version_ext_crcs', data: crcs },
        { name: '__version_ext_names', data: Buffer.from(`printk\0${longName}\0`) },
      ],
    });
    const m = parseModuleImage(elf, { source: 'rust.ko' });
    assert.equal(m.modversions, 'extended');
    assert.deepEqual(m.imports, [
      { symbol: 'printk', crc: 0x11111111 },
      { symbol: longName, crc: 0x22222222 },
    ]);
    const short = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [
        { name: '__version_ext_crcs', data: crcs },
        { name: '__version_ext_names', data: Buffer.from('printk\0') },
      ],
    });
    rejects(short, /\(__version_ext_names\): 2 CRCs but only 1 names/);
  });

  // The sections as modpost of 6.14+ writes them into the .mod.c of a module (`static const u32
  // ____version_ext_crcs[] __section("__version_ext_crcs")`, `static const char ____version_ext_names[]
  // = "name\0" ...`), here with CONFIG_BASIC_MODVERSIONS off (no __versions) on big-endian s390x: the
  // u32s are in the ELF's byte order, the names are bytes.
  it('reads extended modversions alone, in big-endian order (s390x)', () => {
    const longName = `_RNvMs_NtCs1abc_6kernel5errorNtB4_5Error${'q'.repeat(40)}`;
    const crcs = Buffer.alloc(12);
    [0xd272d446, 0xe8213e80, 0x0102abcd].forEach((c, i) => {
      crcs.writeUInt32BE(c, i * 4);
    });
    const elf = buildElf({
      is64: true,
      littleEndian: false,
      machine: 22,
      sections: [
        { name: '.modinfo', data: modinfoSection(['license=GPL', 'name=rust_minimal']) },
        { name: '__version_ext_crcs', data: crcs },
        { name: '__version_ext_names', data: Buffer.from(`__fentry__\0_printk\0${longName}\0`) },
      ],
    });
    const m = parseModuleImage(elf, { source: 'rust_minimal.ko' });
    assert.equal(m.modversions, 'extended');
    assert.deepEqual(m.imports, [
      { symbol: '__fentry__', crc: 0xd272d446 },
      { symbol: '_printk', crc: 0xe8213e80 },
      { symbol: longName, crc: 0x0102abcd },
    ]);
    assert.ok(longName.length > 56, 'a name too long for a __versions record');
  });

  it('rejects one extended modversions section without the other, as the loader does', () => {
    const only = (name: string, data: Uint8Array) =>
      buildElf({
        is64: true,
        littleEndian: true,
        machine: 62,
        sections: [
          { name: '__versions', data: versionsSection([[1, 'printk']], true, true) },
          { name, data },
        ],
      });
    rejects(
      only('__version_ext_crcs', new Uint8Array(4)),
      /\(__version_ext_crcs\): __version_ext_crcs without __version_ext_names/,
    );
    rejects(
      only('__version_ext_names', Buffer.from('printk\0')),
      /\(__version_ext_names\): __version_ext_names without __version_ext_crcs/,
    );
  });

  it('reads .ko.zst and .ko.gz as well as .ko.xz', { skip: needs('zstd') }, async () => {
    const { execFileSync } = await import('node:child_process');
    const { gzipSync } = await import('node:zlib');
    const { loadModuleImage } = await import('./module-image.js');
    const plain = parseModuleImage(crc16, { source: 'crc16.ko' });
    for (const packed of [execFileSync('zstd', ['-c', '-q'], { input: crc16 }), gzipSync(crc16)]) {
      const m = await loadModuleImage(packed, { source: 'lib/modules/x/kernel/lib/crc16.ko.zst' });
      assert.deepEqual(
        m.exports.map((e) => [e.symbol, e.crc]),
        plain.exports.map((e) => [e.symbol, e.crc]),
      );
      assert.deepEqual(m.imports, plain.imports);
    }
  });

  it('rejects a __versions section whose size is not a multiple of 64', () => {
    const elf = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [{ name: '__versions', data: new Uint8Array(100) }],
    });
    rejects(
      elf,
      /^m\.ko@0x[0-9a-f]+ \(__versions\): section size 100 is not a multiple of the 64-byte modversion record$/,
    );
  });

  it('rejects a name that is not NUL-terminated within its record', () => {
    const data = versionsSection([[1, 'x']], true, true);
    data.fill(0x41, 8, 64);
    const elf = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [{ name: '__versions', data }],
    });
    rejects(elf, /\(__versions\): symbol name not NUL-terminated within its 56 bytes/);
  });

  it('rejects non-ELF input, a bad class and a bad byte order', () => {
    rejects(
      Buffer.from('0x1234\tfoo\tvmlinux\n'),
      /^m\.ko@0x0: not an ELF file: expected the magic 7f 45 4c 46$/,
    );
    const cls = Buffer.from(crc16);
    cls[4] = 3;
    rejects(cls, /^m\.ko@0x4: bad ELF class 3: expected 1 \(32-bit\) or 2 \(64-bit\)$/);
    const data = Buffer.from(crc16);
    data[5] = 9;
    rejects(data, /^m\.ko@0x5: bad ELF data encoding 9/);
  });

  it('reports a module read with the wrong byte order instead of crashing', () => {
    const swapped = Buffer.from(crc16);
    swapped[5] = 2;
    rejects(swapped, /m\.ko@0x[0-9a-f]+.*(past the end|expected|absurdly large)/);
  });

  it('rejects an executable where a .ko is expected', () => {
    const exec = buildElf({ is64: true, littleEndian: true, machine: 62, type: 2, sections: [] });
    rejects(exec, /ELF type 2: expected a relocatable object \(ET_REL\)/);
  });

  it('fails cleanly when truncated at every section boundary', () => {
    const elf = openElf(crc16, { source: 'crc16.ko' });
    const cuts = new Set<number>([1, 15, 40, 63]);
    for (const s of elf.sections) cuts.add(s.offset).add(s.offset + Math.floor(s.size / 2));
    cuts.add(crc16.length - 1);
    const shoff = Number(new DataView(crc16.buffer, crc16.byteOffset).getBigUint64(40, true));
    const end = Math.max(
      shoff + elf.sections.length * 64,
      ...elf.sections.filter((s) => s.type !== 8).map((s) => s.offset + s.size),
    );
    // Only cuts into data that a header or section covers must fail; trailing padding may go.
    const meaningful = [...cuts].filter((c) => c > 0 && c < end);
    let failures = 0;
    for (const cut of meaningful) {
      try {
        parseModuleImage(crc16.subarray(0, cut), { source: 'cut.ko' });
      } catch (e) {
        assert.ok(e instanceof ArtifactFormatError, `cut at ${cut}: ${e}`);
        assert.match(e.message, /^cut\.ko/);
        failures++;
      }
    }
    assert.equal(failures, meaningful.length);
    assert.ok(failures > 20);
  });

  it('rejects section offsets and sizes out of bounds', () => {
    const elf = openElf(crc16, { source: 'crc16.ko' });
    const shoff = Number(new DataView(crc16.buffer, crc16.byteOffset).getBigUint64(40, true));
    const versions = elf.section('__versions')!;
    const bad = Buffer.from(crc16);
    new DataView(bad.buffer, bad.byteOffset).setBigUint64(shoff + versions.index * 64 + 32, 1n << 40n, true);
    rejects(
      bad,
      /\(__versions\): section contents \(offset \d+, 1099511627776 bytes\) runs past the end of the file/,
    );
    const badShoff = Buffer.from(crc16);
    new DataView(badShoff.buffer, badShoff.byteOffset).setBigUint64(40, BigInt(crc16.length + 8), true);
    rejects(badShoff, /section header 0 \(offset \d+, 64 bytes\) runs past the end of the file/);
  });
});
